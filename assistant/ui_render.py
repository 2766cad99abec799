"""HTML for the Gradio UI: chat bubbles, citation cards, the documents table.

Every string that comes from a document, a question or an error goes through
`html.escape` here before it meets markup; nothing else in the UI builds HTML.
Chat bubbles are emitted as one `<div>` with no blank lines, so the chatbot's Markdown
parser passes them through as a raw HTML block instead of interpreting `*`, `_`, `$`
or link syntax that happens to be in the quoted text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from .api import Answer, Citation, Status
from .markers import marker, replace_markers
from .phrases import CHECKING

CONTEXT_CHARS = 280

CSS = """
.answer p, .question p { margin: 0 0 .5em 0; }
.answer ul { margin: .25em 0 .5em 1.2em; }
a.cite-marker { text-decoration: none; font-weight: 600; padding: 0 .1em; border-radius: 4px;
  background: var(--color-accent-soft); color: var(--color-accent); cursor: pointer; }
a.cite-marker:hover { text-decoration: underline; }
.refusal-note { border-left: 4px solid #d97706; background: rgba(217, 119, 6, .10); padding: .5em .75em;
  border-radius: 6px; }
.refusal-note .note-label, .error-note .note-label { font-weight: 700; display: block; margin-bottom: .25em; }
.refusal-note .note-label { color: #b45309; }
.error-note { border-left: 4px solid #dc2626; background: rgba(220, 38, 38, .10); padding: .5em .75em;
  border-radius: 6px; color: var(--body-text-color); }
.error-note .note-label { color: #b91c1c; }
.busy-note { font-style: italic; opacity: .8; }
.draft-answer p { opacity: .6; }
.notice-note { border-left: 4px solid #d97706; background: rgba(217, 119, 6, .10); padding: .5em .75em; }
.busy-note::after { content: ""; display: inline-block; width: .9em; height: .9em; margin-left: .5em;
  border: 2px solid currentColor; border-right-color: transparent; border-radius: 50%;
  vertical-align: -0.1em; animation: busy-spin .8s linear infinite; }
@keyframes busy-spin { to { transform: rotate(360deg); } }
.panel-empty { opacity: .7; font-style: italic; }
.turn > summary { cursor: pointer; font-weight: 600; margin: .5em 0; }
.turn .related-header { font-size: .9em; color: #b45309; margin: .25em 0 .5em 0; }
.cite-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6em .8em;
  margin: 0 0 .7em 0; background: var(--block-background-fill); scroll-margin: 1em;
  transition: box-shadow .3s, border-color .3s; }
.cite-card.flash { border-color: var(--color-accent); box-shadow: 0 0 0 3px var(--color-accent-soft); }
.cite-card .cite-head { display: flex; gap: .5em; align-items: baseline; }
.cite-card .cite-n { font-weight: 700; color: var(--color-accent); }
.cite-card .cite-title { font-weight: 600; }
.cite-card .cite-meta { font-size: .85em; opacity: .75; margin: .15em 0 .4em 0; }
.cite-card .cite-passage { font-size: .92em; line-height: 1.45; margin: 0; }
.cite-card mark { background: #fde68a; color: #111827; padding: 0 .1em; border-radius: 3px; }
.docs-table { width: auto; min-width: 50%; border-collapse: collapse; }
.docs-table th, .docs-table td { text-align: left; padding: .3em .6em;
  border-bottom: 1px solid var(--border-color-primary); }
.docs-table td.num, .docs-table th.num { text-align: right; }
.upload-note ul { margin: .25em 0 0 1.2em; }
"""

# Clicking a marker [n] (or the card itself) scrolls the matching card into view and flashes it,
# opening the collapsed group of an earlier turn when needed. Delegated once on `document`, so it
# survives Gradio re-rendering the chat and the panel.
SCRIPT = """
(() => {
  if (window.__citeNavInstalled) return;
  window.__citeNavInstalled = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.cite-marker');
    if (!link) return;
    const id = (link.getAttribute('href') || '').replace(/^#/, '');
    const card = document.getElementById(id);
    event.preventDefault();
    event.stopPropagation();
    if (!card) return;
    const group = card.closest('details');
    if (group) group.open = true;
    card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
    card.classList.add('flash');
    setTimeout(() => card.classList.remove('flash'), 1600);
  }, true);
})();
"""

HEAD = f"<style>{CSS}</style><script>{SCRIPT}</script>"


def _text(value: str) -> str:
    """Escaped text with line breaks as <br>, so the result never holds a blank line."""
    return escape(value).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def cite_id(turn: int, n: int) -> str:
    """The element id of citation `n` of conversation turn `turn` (both 1-based)."""
    return f"cite-{turn}-{n}"


def _with_markers(escaped: str, turn: int, numbers: set[int]) -> str:
    def link(n: int) -> str | None:
        if n not in numbers:
            return None
        return f'<a class="cite-marker" href="#{cite_id(turn, n)}" title="Show source {n}">{marker(n)}</a>'

    return replace_markers(escaped, link)


def render_question(question: str) -> str:
    return f'<div class="question">{_text(question)}</div>'


def render_answer(answer: Answer, turn: int) -> str:
    """The answer bubble: paragraphs and bullet lists, markers linked to cards; refusals as a styled note."""
    numbers = {c.n for c in answer.citations}
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", answer.text.strip()):
        lines = [line for line in paragraph.splitlines() if line.strip()]
        items = [line for line in lines if line.lstrip().startswith(("- ", "• "))]
        if items and len(items) == len(lines):
            lis = "".join(f"<li>{_with_markers(_text(line.lstrip()[2:]), turn, numbers)}</li>" for line in items)
            blocks.append(f"<ul>{lis}</ul>")
        elif items and not lines[0].lstrip().startswith(("- ", "• ")):
            head = _with_markers(_text(lines[0]), turn, numbers)
            lis = "".join(f"<li>{_with_markers(_text(line.lstrip()[2:]), turn, numbers)}</li>" for line in lines[1:])
            blocks.append(f"<p>{head}</p><ul>{lis}</ul>")
        else:
            blocks.append(f"<p>{_with_markers(_text(paragraph.strip()), turn, numbers)}</p>")
    body = "".join(blocks)
    if answer.refused:
        return f'<div class="answer refusal-note"><span class="note-label">Not in the sources</span>{body}</div>'
    return f'<div class="answer">{body}</div>'


def render_busy(stage: str = "") -> str:
    label = {"judging": "Checking that the sources answer this…"}.get(stage, "Searching the sources…")
    return f'<div class="busy-note">{label}</div>'


def render_draft(draft: str, checking: bool) -> str:
    """The model's unverified draft as it streams (plain text), with a note that it will be checked and replaced."""
    note = CHECKING if checking else "Draft — every sentence is checked against its source before it is shown."
    return (f'<div class="answer draft-answer"><p>{_text(draft)}</p>'
            f'<div class="busy-note draft-note">{escape(note)}</div></div>')


def render_notice(message: str) -> str:
    return f'<div class="notice-note" role="status">{_text(message)}</div>'


def render_error(message: str) -> str:
    return (f'<div class="error-note" role="alert"><span class="note-label">Could not answer</span>'
            f'{_text(message)}</div>')


def passage_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str, str, bool, bool]:
    """Split the quote's paragraph into (before, quote, after), trimmed to about `width` characters each side.

    The paragraph is the run of text between line breaks around the quote; trimming cuts at a
    word boundary. The booleans say whether text was cut before / after.
    """
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    before_start = max(para_start, start - width)
    after_end = min(para_end, end + width)
    if before_start > para_start:
        space = text.find(" ", before_start, start)
        before_start = space + 1 if space >= 0 else before_start
    if after_end < para_end:
        space = text.rfind(" ", end, after_end)
        after_end = space if space >= 0 else after_end
    return (text[before_start:start], text[start:end], text[end:after_end],
            before_start > para_start, after_end < para_end)


def render_card(citation: Citation, turn: int, source_text: Callable[[str], str]) -> str:
    """One citation card: title, publication, file, and the quote highlighted inside its passage."""
    try:
        text = source_text(citation.source)
    except (FileNotFoundError, OSError):
        text = ""
    if text[citation.start:citation.end] == citation.quote:
        before, quote, after, cut_before, cut_after = passage_context(text, citation.start, citation.end)
    else:  # the file changed or vanished since it was indexed: show the stored quote alone
        before, quote, after, cut_before, cut_after = "", citation.quote, "", False, False
    passage = (("… " if cut_before else "") + escape(before) + f"<mark>{escape(quote)}</mark>" + escape(after)
               + (" …" if cut_after else ""))
    meta = " · ".join(escape(part) for part in (citation.publication, citation.source) if part)
    return (f'<div class="cite-card" id="{cite_id(turn, citation.n)}">'
            f'<div class="cite-head"><span class="cite-n">{marker(citation.n)}</span>'
            f'<span class="cite-title">{escape(citation.title or citation.source)}</span></div>'
            f'<div class="cite-meta">{meta}</div>'
            f'<p class="cite-passage">{passage}</p></div>')


def render_turn_cards(answer: Answer, turn: int, source_text: Callable[[str], str]) -> str:
    header = ('<div class="related-header">These passages are related but do not answer the question.</div>'
              if answer.refused and answer.citations else "")
    return header + "".join(render_card(c, turn, source_text) for c in answer.citations)


def render_panel(turns: Sequence[Mapping[str, Any]]) -> str:
    """The citations panel: the latest turn's cards open, earlier turns collapsed beneath."""
    if not turns:
        return ('<div class="panel-empty">Ask a question: the passages each answer rests on appear here, '
                'with the quoted sentence highlighted. Click a marker like [1] to jump to its source.</div>')
    groups = []
    for index in range(len(turns), 0, -1):
        turn = turns[index - 1]
        cards = turn["cards"] or '<div class="panel-empty">No passages for this answer.</div>'
        groups.append(f'<details class="turn" {"open" if index == len(turns) else ""}>'
                      f'<summary>{escape(turn["question"])}</summary>{cards}</details>')
    return "".join(groups)


def render_documents(status: Status | None, error: str = "") -> str:
    """The Documents tab: every indexed source with its chunk count."""
    if error:
        return render_error(error)
    if status is None or not status.documents:
        return '<div class="panel-empty">Nothing is indexed yet: upload a document below.</div>'
    rows = "".join(f'<tr><td>{escape(source)}</td><td class="num">{count}</td></tr>'
                   for source, count in status.documents.items())
    # The index's path or server address is the operator's business (`assistant status`), not every user's.
    return (f'<p>{len(status.documents)} documents, {status.chunks} chunks · embedder {escape(status.embedder)}</p>'
            f'<table class="docs-table"><thead><tr><th>Document</th><th class="num">Chunks</th></tr></thead>'
            f'<tbody>{rows}</tbody></table>')


def render_upload_result(saved: Sequence[Any], rejected: Sequence[tuple[str, str]], report: Any | None) -> str:
    """What an upload did: files added or updated (and renamed, when their name was taken by another document),
    and every file rejected or skipped with its reason."""
    lines: list[str] = []
    if report is not None:
        for label, names in (("Added", report.added), ("Updated", report.updated)):
            if names:
                lines.append(f"{label}: {escape(', '.join(names))}")
        if saved and not (report.added or report.updated):
            lines.append(f"Already indexed, unchanged: {escape(', '.join(s.name for s in saved))}")
        rejected = [*rejected, *((s.source, s.reason) for s in report.skipped)]
    lines += [f"Saved as {escape(s.name)}: a different document is already named {escape(s.renamed_from)}"
              for s in saved if s.renamed_from]
    problems = "".join(f"<li>{escape(name)}: {escape(reason)}</li>" for name, reason in rejected)
    if problems:
        lines.append(f'<span class="note-label">Not indexed</span><ul>{problems}</ul>')
    if not lines:
        return ""
    css = "upload-note error-note" if problems else "upload-note"
    return f'<div class="{css}">' + "<br>".join(lines) + "</div>"
