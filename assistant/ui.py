"""The Gradio app: a thin adapter around an injected `Assistant`.

`create_app(bot)` builds the Blocks (chat with citations panel, documents tab, and the
`/ask` API endpoint); `launch(bot, ...)` serves it. Callbacks only call `bot.ask`,
`bot.ingest`, `bot.status` and `bot.source_text`; all HTML comes from `ui_render`.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr

from . import ui_render as render
from .api import USER_ERRORS, Answer, Assistant
from .documents import SUPPORTED_SUFFIXES, is_supported

log = logging.getLogger(__name__)

EXAMPLES_FILE = ".questions"  # hidden, so ingest skips it: one example question per line
MAX_EXAMPLES = 4
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_GENERIC_ERROR = "Something went wrong while answering; the server log has the details."

Message = dict[str, Any]
Turn = dict[str, str]


def safe_upload_path(sources_dir: Path, original_name: str) -> Path:
    """Where an uploaded file may be saved: a plain name inside `sources_dir`, or ValueError.

    Directories (either slash) are dropped, characters outside [A-Za-z0-9._-] become "_",
    leading dots are removed (hidden files are not indexed), and the resolved path must stay
    inside the folder.
    """
    name = re.split(r"[\\/]", original_name.strip())[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name).lstrip(".")
    if not name or set(name) <= {".", "_", "-"} or ".." in name:
        raise ValueError("not a usable file name")
    root = sources_dir.resolve()
    target = (root / name).resolve()
    if target.parent != root or not target.is_relative_to(root):
        raise ValueError("the file name points outside the sources folder")
    return target


def example_questions(sources_dir: Path) -> list[str]:
    """The corpus's own example questions (`sources/.questions`), so the app names nothing of any corpus."""
    try:
        lines = (sources_dir / EXAMPLES_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")][:MAX_EXAMPLES]


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """Split the `--auth` value "USER:PASS" into Gradio's (user, password); None means no login."""
    if auth is None:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("--auth must look like USER:PASS")
    return user, password


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ChatUI:
    """The callbacks behind the app, bound to one `Assistant`."""

    def __init__(self, bot: Assistant) -> None:
        self.bot = bot

    # --- chat ---------------------------------------------------------------------------------

    def start(self, question: str, chat: list[Message]) -> tuple[list[Message], Any, Any, str]:
        """Show the question and a busy note at once, and lock the input while answering."""
        chat = list(chat or [])
        if question and question.strip():
            chat += [{"role": "user", "content": render.render_question(question.strip())},
                     {"role": "assistant", "content": render.render_busy()}]
        return chat, gr.update(interactive=False), gr.update(interactive=False), ""

    def respond(self, question: str, chat: list[Message], turns: list[Turn]
                ) -> Iterator[tuple[list[Message], list[Turn], Any, Any, Any]]:
        """Answer with the earlier turns as history. With an LLM the draft streams in first and the verified
        answer replaces it; errors become a note and the question stays editable."""
        chat, turns = list(chat or []), list(turns or [])
        pending = bool(question and question.strip())
        history = [(t["question"], t["text"]) for t in turns]
        try:
            for event in self.bot.ask_stream(question or "", history=history):
                if isinstance(event, Answer):
                    answer = event
                    break
                content = render.render_draft(event.draft, event.name == "checking") if event.draft else \
                    render.render_busy(event.name)
                shown = [*chat[:-1], {"role": "assistant", "content": content}] if pending else chat
                yield shown, turns, gr.update(), gr.update(), gr.update()
            else:
                raise RuntimeError("the answer stream ended without an answer")
        except USER_ERRORS as error:
            yield self._failed(chat, turns, pending, str(error))
            return
        except Exception:
            log.exception("answering %r failed", question)
            yield self._failed(chat, turns, pending, _GENERIC_ERROR)
            return
        number = len(turns) + 1
        reply = {"role": "assistant", "content": render.render_answer(answer, number)}
        chat = [*chat[:-1], reply] if pending else [*chat, reply]
        turns.append(self._turn(answer, question.strip(), number))
        yield chat, turns, render.render_panel(turns), render.render_notice(answer.notice) if answer.notice else "", ""

    def _turn(self, answer: Answer, question: str, number: int) -> Turn:
        return {"question": question, "text": answer.text,
                "cards": render.render_turn_cards(answer, number, self.bot.source_text)}

    @staticmethod
    def _failed(chat: list[Message], turns: list[Turn], pending: bool, message: str
                ) -> tuple[list[Message], list[Turn], str, str, Any]:
        gr.Warning(message)
        if pending:
            chat = chat[:-2]
        return chat, turns, render.render_panel(turns), render.render_error(message), gr.update()

    @staticmethod
    def unlock() -> tuple[Any, Any]:
        return gr.update(interactive=True), gr.update(interactive=True)

    @staticmethod
    def clear() -> tuple[list[Message], list[Turn], str, str, str]:
        return [], [], render.render_panel([]), "", ""

    def ask_api(self, question: str, history: list[list[str]] | None = None) -> dict[str, Any]:
        """`/ask`: one question (optionally with earlier [question, answer] pairs) -> {text, refused, citations}."""
        try:
            answer = self.bot.ask(question, history=[(str(q), str(a)) for q, a in history or []])
        except USER_ERRORS as error:
            raise gr.Error(str(error), print_exception=False) from error
        return answer.to_dict()

    # --- documents ----------------------------------------------------------------------------

    def documents(self) -> str:
        try:
            return render.render_documents(self.bot.status())
        except USER_ERRORS as error:
            return render.render_documents(None, str(error))

    def add_documents(self, files: Sequence[str] | None, progress: gr.Progress = gr.Progress()  # noqa: B008
                      ) -> tuple[str, str, None]:
        """Copy uploads into the sources folder under safe names, then index them with a progress bar."""
        if not files:
            return self.documents(), "", None
        saved: list[str] = []
        rejected: list[tuple[str, str]] = []
        for file in files:
            try:
                saved.append(self._save_upload(Path(file)))
            except (ValueError, OSError) as error:
                rejected.append((Path(file).name, getattr(error, "strerror", None) or str(error)))
        report = None
        if saved:
            progress(0, desc="Reading and splitting the documents")
            try:
                report = self.bot.ingest(on_progress=lambda done, total: progress(
                    (done, total), desc="Embedding chunks", unit="chunks"))
            except USER_ERRORS as error:
                rejected += [(name, f"indexing failed: {error}") for name in saved]
        return self.documents(), render.render_upload_result(saved, rejected, report), None

    def _save_upload(self, upload: Path) -> str:
        """Copy one uploaded file into the sources folder; ValueError says why it was refused."""
        settings = self.bot.settings
        if not is_supported(upload.name):
            raise ValueError(f"unsupported format (use {', '.join(SUPPORTED_SUFFIXES)})")
        size = upload.stat().st_size
        if size > settings.max_file_bytes:
            raise ValueError(f"file is {size:,} bytes; the limit is {settings.max_file_bytes:,}")
        target = safe_upload_path(settings.sources_dir, upload.name)
        if target.name.lower() == "readme.md":
            raise ValueError("README.md files are not indexed; rename the file")
        settings.sources_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(upload, target)
        return target.name


def create_app(bot: Assistant) -> gr.Blocks:
    """Build the app around `bot`; nothing is loaded or indexed until a callback runs."""
    ui = ChatUI(bot)
    lock: dict[str, Any] = {"concurrency_id": "assistant", "concurrency_limit": 1}
    with gr.Blocks(title="Sources assistant", analytics_enabled=False) as app:
        gr.Markdown("## Ask the sources\nAnswers come only from the indexed documents. Every claim carries a "
                    "marker like **[1]**: click it to see the exact passage it rests on.")
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"), gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="Conversation", height=520, elem_id="chat", latex_delimiters=[],
                                      sanitize_html=True, allow_tags=False, feedback_options=None, buttons=[],
                                      placeholder="Ask about the documents, or pick an example below.")
                    notice = gr.HTML("", elem_id="notice", js_on_load=None)
                    with gr.Row():
                        question = gr.Textbox(show_label=False, placeholder="Ask a question about the documents…",
                                              elem_id="question", scale=5, max_lines=4, autofocus=True)
                        ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=90)
                    examples = example_questions(bot.settings.sources_dir)
                    gr.Markdown("Try an example:" if examples else "")
                    with gr.Row():
                        example_buttons = [gr.Button(text, size="sm", variant="secondary", elem_classes="example")
                                           for text in examples]
                        clear = gr.Button("Clear conversation", size="sm", variant="stop", elem_id="clear", scale=0,
                                          min_width=150)
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    panel = gr.HTML(render.render_panel([]), elem_id="citations-panel", js_on_load=None, max_height=600,
                                    head=render.HEAD)
            with gr.Tab("Documents", id="documents") as documents_tab:
                gr.Markdown("### Indexed documents")
                documents = gr.HTML("", elem_id="documents", js_on_load=None)
                gr.Markdown(f"### Add documents\nFiles up to {bot.settings.max_file_bytes / 1e6:g} MB are saved "
                            "into the "
                            "sources folder and indexed at once; then ask about them in the Chat tab.")
                uploads = gr.File(label=f"Upload {', '.join(SUPPORTED_SUFFIXES)} files", file_count="multiple",
                                  file_types=list(SUPPORTED_SUFFIXES), elem_id="upload")
                upload_note = gr.HTML("", elem_id="upload-note", js_on_load=None)

        start: dict[str, Any] = {"fn": ui.start, "inputs": [question, chat], "outputs": [chat, question, ask, notice],
                                 "queue": False,
                 "api_visibility": "private", "show_progress": "hidden"}

        def answer_after(started: Any) -> None:
            started.then(ui.respond, [question, chat, turns], [chat, turns, panel, notice, question],
                         api_visibility="private", show_progress="hidden", **lock
                         ).then(ui.unlock, None, [question, ask], queue=False, api_visibility="private",
                                show_progress="hidden")

        for trigger in (question.submit, ask.click):
            answer_after(trigger(**start))
        for button, text in zip(example_buttons, examples, strict=True):
            answer_after(button.click(lambda text=text: text, None, question, queue=False, api_visibility="private",
                                      show_progress="hidden").then(**start))
        for trigger in (clear.click, chat.clear):
            trigger(ui.clear, None, [chat, turns, panel, notice, question], queue=False, api_visibility="private")

        uploads.upload(ui.add_documents, uploads, [documents, upload_note, uploads], api_visibility="private",
                       show_progress="full", show_progress_on=[uploads], **lock)
        documents_tab.select(ui.documents, None, documents, api_visibility="private", show_progress="hidden")
        app.load(ui.documents, None, documents, api_visibility="private", show_progress="hidden")
        gr.api(ui.ask_api, api_name="ask", api_description="Answer one question from the indexed sources: "
               "{text, refused, citations: [{n, source, title, publication, quote, start, end}]}", **lock)
    return app


def launch(bot: Assistant, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None) -> None:
    """Serve the app until interrupted; warns when reachable from other machines without a login."""
    credentials = parse_auth(auth)
    if credentials is None and not is_loopback(host):
        print(f"Warning: serving on {host} without --auth: anyone who can reach this port can use the assistant "
              "and upload documents. Pass --auth USER:PASS or keep --host 127.0.0.1.", file=sys.stderr)
    create_app(bot).launch(server_name=host, server_port=port, auth=credentials, share=False, show_error=False,
                           ssr_mode=False, mcp_server=False, footer_links=["api"])
