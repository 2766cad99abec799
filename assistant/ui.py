"""The Gradio app: a thin adapter around an injected `Assistant`.

`create_app(bot)` builds the Blocks (chat with citations panel, documents tab, and the
`/ask` API endpoint); `launch(bot, ...)` serves it. Callbacks only call `bot.ask`,
`bot.ingest`, `bot.status` and `bot.source_text`; all HTML comes from `ui_render`.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from . import phrases
from . import ui_render as render
from .api import USER_ERRORS, Answer, Assistant, IndexNotFoundError
from .documents import SUPPORTED_SUFFIXES
from .index_lock import IndexBusyError
from .login_throttle import LoginLimiter, LoginThrottle
from .store import StoreFullError, StoreUnavailableError
from .uploads import SavedUpload, save_upload
from .validation import latest_turns

log = logging.getLogger(__name__)

EXAMPLES_FILE = ".questions"  # hidden, so ingest skips it: one example question per line
MAX_EXAMPLES = 4
_GENERIC_ERROR = "Something went wrong while answering; the server log has the details."

Message = dict[str, Any]
Turn = dict[str, str]


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
    """Whether binding `host` keeps the app on this machine: `localhost` names, and every loopback address in any
    spelling (`127.0.0.1`, `127.1`, `::1`, `[::1]`, `::ffff:127.0.0.1`)."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = _ip_address(name)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address is not None and address.is_loopback


def server_name(host: str) -> str:
    """`host` as the web server binds it: IPv6 literals in brackets (so `::` and `::1` work), IPv4 spelled out."""
    name = host.strip().strip("[]")
    address = _ip_address(name)
    if isinstance(address, ipaddress.IPv6Address):
        return f"[{address.compressed}]"
    return str(address) if address is not None else name


def _ip_address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP literal in any form the system resolver takes (including `127.1`, `0x7f.1`), or None for a name."""
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        return None


def for_users(error: Exception) -> str:
    """What a user of the web app is told about an error: what happened, in their terms, with no file path or
    server address (those go to the log, for the operator)."""
    if isinstance(error, ValueError):
        return str(error)  # the question and history checks: they name only what the user sent
    log.warning("%s: %s", type(error).__name__, error)
    if isinstance(error, IndexNotFoundError):
        return phrases.FOR_USERS_NO_INDEX
    if isinstance(error, StoreFullError):
        return phrases.FOR_USERS_DISK_FULL
    if isinstance(error, StoreUnavailableError):
        return phrases.FOR_USERS_STORE_DOWN
    if isinstance(error, IndexBusyError):
        return phrases.FOR_USERS_BUSY
    return phrases.FOR_USERS_NO_SOURCES


class ChatUI:
    """The callbacks behind the app, bound to one `Assistant`.

    `upload_dir` is where the web server keeps uploaded files until a callback has them: each
    is deleted from there once it is saved into the sources folder or refused.
    """

    def __init__(self, bot: Assistant, upload_dir: Path | None = None) -> None:
        self.bot = bot
        self.upload_dir = (upload_dir or Path(gr.utils.get_upload_folder())).resolve()

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
        settings = self.bot.settings
        history = latest_turns([(t["question"], t["text"]) for t in turns], settings.max_history_turns,
                               settings.max_history_chars)
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
            yield self._failed(chat, turns, pending, for_users(error))
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
            # Whatever JSON the client sent goes to `ask` as it is: `valid_history` names what is wrong with it.
            answer = self.bot.ask(question, history=history)  # type: ignore[arg-type]
        except USER_ERRORS as error:
            raise gr.Error(for_users(error), print_exception=False) from error
        return answer.to_dict()

    # --- documents ----------------------------------------------------------------------------

    def documents(self) -> str:
        try:
            return render.render_documents(self.bot.status())
        except USER_ERRORS as error:
            return render.render_documents(None, for_users(error))

    def add_documents(self, files: Sequence[str] | None, progress: gr.Progress = gr.Progress()  # noqa: B008
                      ) -> tuple[str, str, None]:
        """Save uploads into the sources folder under safe, free names, then index them with a progress bar."""
        if not files:
            return self.documents(), "", None
        settings = self.bot.settings
        saved: list[SavedUpload] = []
        rejected: list[tuple[str, str]] = []
        for file in files:
            upload = Path(file)
            try:
                saved.append(save_upload(upload, settings.sources_dir, settings.max_file_bytes))
            except (ValueError, OSError) as error:
                rejected.append((upload.name, getattr(error, "strerror", None) or str(error)))
            finally:
                self._discard(upload)
        report = None
        if saved:
            progress(0, desc="Reading and splitting the documents")
            try:
                report = self.bot.ingest(on_progress=lambda done, total: progress(
                    (done, total), desc="Embedding chunks", unit="chunks"),
                    on_wait=lambda _: progress(0, desc="Waiting for another indexing run to finish"))
            except USER_ERRORS as error:
                rejected += [(upload.name, f"not indexed yet: {for_users(error)}") for upload in saved]
        return self.documents(), render.render_upload_result(saved, rejected, report), None

    def _discard(self, upload: Path) -> None:
        """Delete the web server's temporary copy of an upload (only files inside its upload folder)."""
        try:
            if upload.resolve().is_relative_to(self.upload_dir):
                upload.unlink(missing_ok=True)
                upload.parent.rmdir()  # gradio keeps each upload in a folder of its own
        except OSError:
            pass


def create_app(bot: Assistant) -> gr.Blocks:
    """Build the app around `bot`; nothing is loaded or indexed until a callback runs."""
    ui = ChatUI(bot)
    # Questions and uploads queue apart: a question is answered from the last complete index while an upload
    # is indexed, instead of waiting for it.
    answering: dict[str, Any] = {"concurrency_id": "answer", "concurrency_limit": 1}
    indexing: dict[str, Any] = {"concurrency_id": "ingest", "concurrency_limit": 1}
    # delete_cache: uploads that never reach a callback (a bare POST to the upload route) go after an hour.
    with gr.Blocks(title="Sources assistant", analytics_enabled=False, delete_cache=(3600, 3600)) as app:
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
                # No `file_types`: the callback says why a file is refused, where Gradio would drop it silently.
                uploads = gr.File(label=f"Upload {', '.join(SUPPORTED_SUFFIXES)} files", file_count="multiple",
                                  elem_id="upload")
                upload_note = gr.HTML("", elem_id="upload-note", js_on_load=None)

        start: dict[str, Any] = {"fn": ui.start, "inputs": [question, chat], "outputs": [chat, question, ask, notice],
                                 "queue": False,
                 "api_visibility": "private", "show_progress": "hidden"}

        def answer_after(started: Any) -> None:
            started.then(ui.respond, [question, chat, turns], [chat, turns, panel, notice, question],
                         api_visibility="private", show_progress="hidden", **answering
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
                       show_progress="full", show_progress_on=[uploads], **indexing)
        documents_tab.select(ui.documents, None, documents, api_visibility="private", show_progress="hidden")
        app.load(ui.documents, None, documents, api_visibility="private", show_progress="hidden")
        gr.api(ui.ask_api, api_name="ask", api_description="Answer one question from the indexed sources: "
               "{text, refused, citations: [{n, source, title, publication, quote, start, end}]}", **answering)
    return app


def launch(bot: Assistant, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None, block: bool = True,
           limiter: LoginLimiter | None = None) -> gr.Blocks:
    """Serve the app (until interrupted when `block`); warns when reachable from other machines without a login.

    Uploads over `max_file_bytes` are refused by the web server itself (413), and with `auth` each client's
    failed logins are throttled (`login_throttle`).
    """
    credentials = parse_auth(auth)
    if credentials is None and not is_loopback(host):
        print(f"Warning: serving on {host} without --auth: anyone who can reach this port can use the assistant "
              "and upload documents. Pass --auth USER:PASS or keep --host 127.0.0.1.", file=sys.stderr)
    middleware = [Middleware(LoginThrottle, limiter=limiter or LoginLimiter())] if credentials else []
    app = create_app(bot)
    app.launch(server_name=server_name(host), server_port=port, auth=credentials, share=False, show_error=False,
               ssr_mode=False, mcp_server=False, footer_links=["api"], max_file_size=bot.settings.max_file_bytes,
               app_kwargs={"middleware": middleware}, prevent_thread_lock=not block, quiet=not block)
    return app
