"""`python -m bench.extractors`: the project's HTML loader against trafilatura, inscriptis and html-text.

Issue #10 asks whether a maintained extractor would serve better than the BeautifulSoup block walker of
`assistant/documents/html.py`. This measures each one on real HTML found on the machine, grouped into page sets:

- `sphinx`: the twelve Sphinx pages of the `python-html` eval corpus (Debian's python3.11-doc), with gold evidence;
- `node`: Node.js API pages (Debian's `nodejs`, its own doc generator; copy buttons, a long navigation column);
- `docbook`: the Valgrind manual (Debian's `valgrind`, DocBook XSL; prev/up/next bars);
- `mdbook`: chapters of The Rust Programming Language (mdBook; the closest thing to blog prose on this machine,
  from the rustup toolchain, so the set is skipped where it is absent).

No news or blog HTML exists on this machine (the news eval corpus is plain text), so none is measured.

Metrics, per extractor and page set:

- gold recall / gold whole: the `python-html` gold evidence quotes found in the extracted text of their page after
  whitespace normalisation / found with no line break inside (an inline element split out of its sentence breaks it);
- para recall / para whole: the same for the page's own prose paragraphs, a reference taken from the DOM that no
  extractor chooses: every `<p>` outside `nav`/`header`/`footer`/`aside` and Sphinx's sidebar/related/footer divs
  whose text has at least `MIN_PARAGRAPH_CHARS` characters;
- signatures: Sphinx API definitions (`<dt class="sig ...">`) whose text survives (Sphinx pages only);
- chrome: occurrences per page of the issue's fixed list of chrome strings (`CHROME`, any case), and of the set's own
  chrome strings (exact case);
- ms/page: wall time per page, extractors interleaved page by page on the same HTML string.

Output: a markdown table on stdout and in `bench/results/extractors.md`.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.documents import load_document

from .common import RESULTS

REPO = Path(__file__).resolve().parent.parent
MAX_BYTES = 20_000_000  # Settings.max_file_bytes
MIN_PARAGRAPH_CHARS = 60
# The fixed list: navigation, sidebars, previous/next topic, footers are not prose.
CHROME = ("previous topic", "next topic", "Quick search", "Navigation", "This Page", "Show Source", "Report a Bug",
          "©", "Copyright", "¶")
_ANY_SPACE = re.compile(r"\s+")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_NOT_PROSE_CONTAINERS = ("nav", "header", "footer", "aside")
_NOT_PROSE_CLASSES = re.compile(r"^(?:sphinxsidebar|related|footer|navheader|navfooter|sidebar|menu-bar)$")

RUST_BOOK = Path("/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/html/book")


@dataclass(frozen=True)
class PageSet:
    """A named group of real HTML pages, with the chrome strings its own site template adds."""

    name: str
    root: Path
    files: tuple[str, ...]
    chrome: tuple[str, ...] = ()
    gold: Path | None = None

    def pages(self) -> list[Path]:
        return [self.root / name for name in self.files if (self.root / name).is_file()]


PAGE_SETS = (
    PageSet("sphinx", REPO / "evals/corpora/python-html/sources",
            ("json.html", "shutil.html", "textwrap.html", "heapq.html", "bisect.html", "secrets.html", "tempfile.html",
             "fnmatch.html", "string.html", "uuid.html", "glob.html", "base64.html"),
            gold=REPO / "evals/corpora/python-html/gold.jsonl"),
    PageSet("node", Path("/usr/share/doc/nodejs/api"),
            ("path.html", "os.html", "timers.html", "readline.html", "querystring.html", "string_decoder.html",
             "dns.html", "url.html"),
            chrome=("Skip to content", "Table of contents", "View as JSON", "Edit on GitHub", "Other versions",
                    "About this documentation", "Code repository and issue tracker")),
    PageSet("docbook", Path("/usr/share/doc/valgrind/html"),
            ("manual-intro.html", "quick-start.html", "faq.html", "mc-manual.html", "cg-manual.html",
             "manual-core.html"),
            chrome=("<<", ">>", "Valgrind Home", "Table of Contents")),
    PageSet("mdbook", RUST_BOOK,
            ("ch04-01-what-is-ownership.html", "ch04-02-references-and-borrowing.html", "ch08-02-strings.html",
             "ch09-02-recoverable-errors-with-result.html", "ch10-03-lifetime-syntax.html", "ch13-01-closures.html",
             "ch16-01-threads.html", "ch19-00-patterns.html"),
            chrome=("Keyboard shortcuts", "Press ← or →", "Coal", "Navy", "Ayu", "Print this book")),
)


def _ours(path: Path, html: str) -> str:
    return load_document(path, path.parent, MAX_BYTES).text


def _trafilatura(**options: bool) -> Callable[[Path, str], str]:
    def extract(path: Path, html: str) -> str:
        import trafilatura

        return trafilatura.extract(html, output_format="txt", include_comments=False, **options) or ""
    return extract


_TRAFILATURA_BLOCKS = frozenset({"head", "p", "item", "row", "quote", "code", "list", "table"})


def _trafilatura_paragraphs(path: Path, html: str) -> str:
    """trafilatura's XML output, one line per element with its whitespace collapsed: its txt output keeps the
    page source's own line wraps inside a paragraph, indistinguishable from its paragraph breaks."""
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(html, output_format="xml", include_comments=False)
    if not xml:
        return ""
    lines: list[str] = []

    def walk(element) -> None:
        for child in element:
            if child.tag in ("list", "table"):
                walk(child)
            elif child.tag in _TRAFILATURA_BLOCKS:
                text = "".join(child.itertext())
                if child.tag == "row":
                    lines.append(" | ".join(normalised("".join(cell.itertext())) for cell in child))
                else:
                    lines.append(text.strip() if child.tag == "code" else normalised(text))
            else:
                walk(child)
    walk(etree.fromstring(xml.encode("utf-8")).find("main"))
    return "\n".join(line for line in lines if line)


def _inscriptis(path: Path, html: str) -> str:
    import inscriptis

    return inscriptis.get_text(html)


def _html_text(path: Path, html: str) -> str:
    import html_text

    return html_text.extract_text(html)


EXTRACTORS: dict[str, Callable[[Path, str], str]] = {
    "ours (html.py)": _ours,
    "trafilatura": _trafilatura(),
    "trafilatura favor_recall": _trafilatura(favor_recall=True),
    "trafilatura favor_precision": _trafilatura(favor_precision=True),
    "trafilatura xml, per element": _trafilatura_paragraphs,
    "trafilatura no tables": _trafilatura(include_tables=False),
    "inscriptis": _inscriptis,
    "html-text": _html_text,
}


def normalised(text: str) -> str:
    """Whitespace collapsed to single spaces, line breaks included: what 'found whole' compares."""
    return " ".join(text.split())


def one_line_form(text: str) -> str:
    """Horizontal whitespace collapsed but line breaks kept: a quote found here has no line break inside."""
    return _SPACE_AROUND_NEWLINE.sub("\n", _HORIZONTAL_SPACE.sub(" ", text))


@dataclass
class PageReference:
    """What the page's DOM says should survive: prose paragraphs, API signatures, gold quotes."""

    paragraphs: list[str]
    signatures: list[str]
    quotes: list[str]


def reference(html: str, quotes: list[str]) -> PageReference:
    """The prose paragraphs and Sphinx signatures of a page, read from its DOM independently of any extractor."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")

    def in_chrome(tag) -> bool:
        for parent in tag.parents:
            if parent.name in _NOT_PROSE_CONTAINERS or parent.get("role") == "navigation":
                return True
            if any(_NOT_PROSE_CLASSES.match(c) for c in parent.get("class") or []):
                return True
        return False

    paragraphs = [text for p in soup.find_all("p") if not in_chrome(p)
                  and len(text := normalised(p.get_text().replace("¶", ""))) >= MIN_PARAGRAPH_CHARS]
    signatures = [normalised(dt.get_text().replace("¶", "")) for dt in soup.find_all("dt")
                  if "sig" in (dt.get("class") or [])]
    return PageReference(paragraphs, [s for s in signatures if s], [normalised(q) for q in quotes])


@dataclass
class Tally:
    """Counts for one extractor over one page set."""

    pages: int = 0
    failures: int = 0
    found: dict[str, int] = field(default_factory=dict)
    whole: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    kept: int = 0  # reference items of every kind found once all whitespace is removed (dropped vs. mangled)
    items: int = 0
    chrome: int = 0
    site_chrome: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, kind: str, items: list[str], text: str) -> None:
        flat, lines = normalised(text), one_line_form(text)
        self.total[kind] = self.total.get(kind, 0) + len(items)
        self.found[kind] = self.found.get(kind, 0) + sum(item in flat for item in items)
        self.whole[kind] = self.whole.get(kind, 0) + sum(item in lines for item in items)
        squashed = _ANY_SPACE.sub("", text)
        self.kept += sum(_ANY_SPACE.sub("", item) in squashed for item in items)
        self.items += len(items)

    def rate(self, kind: str, whole: bool = False) -> str:
        if not self.total.get(kind):
            return "—"
        hits = (self.whole if whole else self.found)[kind]
        return f"{hits / self.total[kind]:.3f}"


def gold_quotes(page_set: PageSet) -> dict[str, list[str]]:
    """Gold evidence quotes by source file."""
    import json

    quotes: dict[str, list[str]] = {}
    if page_set.gold and page_set.gold.is_file():
        for line in page_set.gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                for evidence in json.loads(line).get("evidence", []):
                    quotes.setdefault(evidence["source"], []).append(evidence["quote"])
    return quotes


def measure(page_set: PageSet, names: list[str]) -> dict[str, Tally]:
    """Run every extractor on every page of the set, interleaved page by page."""
    pages = page_set.pages()
    tallies = {name: Tally() for name in names}
    if not pages:
        return tallies
    quotes = gold_quotes(page_set)
    warm = pages[0].read_text(encoding="utf-8", errors="replace")
    for name in names:  # imports and first-use caches are not a page's cost
        EXTRACTORS[name](pages[0], warm)
    for page in pages:
        html = page.read_text(encoding="utf-8", errors="replace")
        ref = reference(html, quotes.get(page.name, []))
        for name in names:
            tally = tallies[name]
            began = time.perf_counter()
            try:
                text = EXTRACTORS[name](page, html)
            except Exception:  # an extractor that fails on a page scores nothing for it
                text = ""
            tally.seconds.append(time.perf_counter() - began)
            tally.pages += 1
            tally.failures += not text.strip()
            tally.add("gold", ref.quotes, text)
            tally.add("paragraphs", ref.paragraphs, text)
            tally.add("signatures", ref.signatures, text)
            lower = text.lower()
            tally.chrome += sum(lower.count(s.lower()) for s in CHROME)  # Sphinx writes "Previous topic"
            tally.site_chrome += sum(text.count(s) for s in page_set.chrome)
    return tallies


HEADER = ("| set (pages) | extractor | gold recall | gold whole | para recall | para whole | signatures | "
          "kept, spaces ignored | chrome/page | site chrome/page | ms/page |\n" + "|---" * 11 + "|")


def rows(page_set: PageSet, tallies: dict[str, Tally]) -> list[str]:
    lines = []
    for name, t in tallies.items():
        if not t.pages:
            continue
        empty = f" ({t.failures} empty)" if t.failures else ""
        lines.append(
            f"| {page_set.name} ({t.pages}) | {name}{empty} | {t.rate('gold')} | {t.rate('gold', True)} | "
            f"{t.rate('paragraphs')} | {t.rate('paragraphs', True)} | {t.rate('signatures')} | "
            f"{t.kept / max(t.items, 1):.3f} | {t.chrome / t.pages:.1f} | {t.site_chrome / t.pages:.1f} | "
            f"{1000 * statistics.mean(t.seconds):.0f} |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.extractors", description=__doc__.split("\n")[0])
    parser.add_argument("--sets", help="Comma-separated page sets (default: all present).")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave bench/results alone.")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura logs every page it finds little in
    names = list(EXTRACTORS)
    wanted = args.sets.split(",") if args.sets else [s.name for s in PAGE_SETS]
    lines = [HEADER]
    skipped = []
    for page_set in PAGE_SETS:
        if page_set.name not in wanted:
            continue
        if not page_set.pages():
            skipped.append(f"{page_set.name} ({page_set.root} absent)")
            continue
        lines += rows(page_set, measure(page_set, names))
    load = os.getloadavg()
    notes = [f"\nMeasured {time.strftime('%Y-%m-%d %H:%M')}, load average {load[0]:.2f} / {load[1]:.2f} / "
             f"{load[2]:.2f} on {os.cpu_count()} cores."]
    if skipped:
        notes.append("Skipped: " + "; ".join(skipped) + ".")
    table = "\n".join(lines + notes)
    print(table)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "extractors.md").write_text(
            "# HTML extractors (`python -m bench.extractors`)\n\n" + table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
