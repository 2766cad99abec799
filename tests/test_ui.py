"""The Gradio UI: safe rendering and uploads as plain functions, then the real app driven in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, Settings
from assistant import ui as ui_module
from assistant.api import Answer, Citation
from assistant.ui import ChatUI, is_loopback, parse_auth
from assistant.ui_render import passage_context, render_answer, render_card, render_question
from assistant.uploads import upload_name

from .conftest import REPO, running_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
ARTIFACTS = REPO / "test-artifacts"
ANSWER_TIMEOUT_MS = 60_000
XSS = '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>'

FICTIONAL = """---
title: "Quillfeather Dynamics opens a kelp-powered foundry"
publication: "Harbour Ledger"
---
Quillfeather Dynamics is a fictional shipbuilder founded in 2031 in the port town of Brindlemoor.
The company builds hydrofoil ferries whose hulls are cast from pressed kelp composite at its Brindlemoor foundry.
Its chief engineer, Odalys Verrane, said the kelp foundry cut the yard's energy use by forty percent.
"""

HOSTILE = f"""---
title: 'Zorblax Widgets {XSS}'
publication: "Injected Gazette"
---
Zorblax Widgets is a fictional maker of left-handed teapots based in Grommet Falls.
The Zorblax teapot factory label reads {XSS} in bold letters on every crate.
Zorblax Widgets ships its teapots to collectors of unusual kitchenware.
"""


# --- plain functions --------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.txt", "passwd.txt"), ("/etc/passwd.txt", "passwd.txt"), ("..\\..\\evil.txt", "evil.txt"),
    ("sub/dir/evil.txt", "evil.txt"), ("we ird$name;rm -rf.txt", "we_ird_name_rm_-rf.txt"),
    (".hidden.txt", "hidden.txt"), ("ünïcode näme.md", "ünïcode_näme.md"), ("日本.txt", "日本.txt"),
    ("中国.txt", "中国.txt"), ("ｆｕｌｌ／．．／ｗｉｄｔｈ.txt", "ｗｉｄｔｈ.txt".replace("ｗｉｄｔｈ", "width")),
    ("right\u202eto-left.txt", "right_to-left.txt"), ("नमस्ते.txt", "नमस्ते.txt"),
])
def test_upload_names_are_plain_names_that_keep_their_letters(name: str, expected: str) -> None:
    assert upload_name(name) == expected


@pytest.mark.parametrize("name", ["..", "...", "", "/", "a/..", "x..txt", "$$$.txt", "\u202e.txt"])
def test_unusable_upload_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="not a usable file name"):
        upload_name(name)


def test_long_upload_names_are_shortened_to_fit_the_file_system() -> None:
    name = upload_name("数" * 300 + ".txt")
    assert name.endswith(".txt") and len(name.encode("utf-8")) <= 200 and name.startswith("数")


def test_rendering_escapes_document_and_question_text() -> None:
    text = f"Intro line.\nBefore {XSS} the quote. After."
    start = text.index(XSS)
    citation = Citation(1, "evil.txt", f"Title {XSS}", XSS, start, start + len(XSS), publication=XSS)
    card = render_card(citation, 1, lambda _: text)
    answer = render_answer(Answer(f"{XSS} [1] and *not markdown* $5 [9]", (citation,), False), 1)
    for html in (card, answer, render_question(XSS)):
        assert "<img" not in html and "<script" not in html
        assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;" in html
    assert '<a class="cite-marker" href="#cite-1-1"' in answer and "[9]" in answer and "cite-1-9" not in answer
    assert 'id="cite-1-1"' in card and "<mark>" in card
    assert "\n" not in answer


def test_passage_context_stays_in_the_paragraph() -> None:
    text = "Other paragraph.\nA first sentence. The quoted sentence here. A last one.\nNext paragraph."
    start = text.index("The quoted")
    end = start + len("The quoted sentence here.")
    assert passage_context(text, start, end) == ("A first sentence. ", "The quoted sentence here.", " A last one.",
                                                 False, False)
    long = "Other.\n" + "word " * 200 + "The quoted sentence here. A last one.\nNext."
    start = long.index("The quoted")
    before, _, after, cut_before, cut_after = passage_context(long, start, start + 25, 50)
    assert cut_before and before.startswith("word") and len(before) <= 50
    assert after == " A last one." and not cut_after


def test_auth_and_host_checks(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert parse_auth("ann:s3:cret") == ("ann", "s3:cret")
    assert parse_auth(None) is None
    for bad in ("nopassword", ":x", "x:"):
        with pytest.raises(ValueError, match="USER:PASS"):
            parse_auth(bad)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")

    launched: list[dict[str, Any]] = []

    class FakeApp:
        def launch(self, **kwargs: Any) -> None:
            launched.append(kwargs)

    bot = Assistant(Settings(max_file_bytes=1234))
    monkeypatch.setattr(ui_module, "create_app", lambda bot: FakeApp())
    ui_module.launch(bot, host="0.0.0.0", port=1234)
    assert "without --auth" in capsys.readouterr().err
    ui_module.launch(bot, host="0.0.0.0", port=1234, auth="ann:pw")
    ui_module.launch(bot)
    ui_module.launch(bot, host="127.1")
    assert capsys.readouterr().err == ""
    assert launched[1]["auth"] == ("ann", "pw") and launched[2]["server_name"] == "127.0.0.1"
    assert launched[3]["server_name"] == "127.0.0.1"
    assert all(call["share"] is False and call["max_file_size"] == 1234 for call in launched)
    assert launched[1]["app_kwargs"]["middleware"] and not launched[2]["app_kwargs"]["middleware"]


def test_uploads_reject_unsupported_and_oversized_files(tmp_path: Path, make_assistant) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    bot = make_assistant(Settings(sources_dir=sources, index_dir=tmp_path / "index", max_file_bytes=2_000))
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "tool.exe").write_bytes(b"MZ")
    (incoming / "huge.txt").write_text("big " * 1_000)
    (incoming / "notes.txt").write_text("Brindlemoor harbour opened a kelp market in 2031. " * 3)
    (incoming / "README.md").write_text("# Read me")
    names = ("tool.exe", "huge.txt", "README.md", "notes.txt")
    documents, note, cleared = ChatUI(bot).add_documents([str(incoming / n) for n in names])
    assert sorted(p.name for p in sources.iterdir()) == ["notes.txt"]
    assert "tool.exe: unsupported format" in note and "huge.txt: file is 4,000 bytes; the limit is 2,000" in note
    assert "README.md: README.md files are not indexed" in note
    assert "Added: notes.txt" in note and "notes.txt" in documents and cleared is None


def test_uploads_take_every_text_format_ingest_reads(tmp_path: Path, make_assistant) -> None:
    import gradio as gr

    from assistant.documents import SUPPORTED_SUFFIXES
    from assistant.ui import create_app

    sources, incoming = tmp_path / "sources", tmp_path / "incoming"
    sources.mkdir()
    incoming.mkdir()
    bot = make_assistant(Settings(sources_dir=sources, index_dir=tmp_path / "index"))
    body = "The Orrin ferry crosses the Vell estuary twice a day. It carries forty bicycles."
    texts = {".txt": body, ".md": f"# Orrin\n\n{body}", ".markdown": f"# Orrin\n\n{body}",
             ".rst": f"Orrin\n=====\n\n{body}", ".html": f"<main><p>{body}</p></main>",
             ".htm": f"<main><p>{body}</p></main>"}
    assert set(texts) | {".pdf"} == set(SUPPORTED_SUFFIXES)  # PDFs are loaded in test_documents
    for suffix, text in texts.items():
        (incoming / f"ferry{suffix.replace('.', '_')}{suffix}").write_text(text)
    _, note, _ = ChatUI(bot).add_documents([str(p) for p in sorted(incoming.iterdir())])
    assert "Not indexed" not in note
    assert sorted(p.suffix for p in sources.iterdir()) == sorted(texts)
    picker = next(b for b in create_app(bot).blocks.values() if isinstance(b, gr.File))
    # No filter in the picker (rel, #12): every file reaches `add_documents`, which says why one is refused; the
    # picker's label still names exactly the formats of the one list.
    assert not picker.file_types
    assert all(suffix in picker.label for suffix in SUPPORTED_SUFFIXES)


def test_chat_errors_become_notes_and_keep_the_conversation(settings: Settings) -> None:
    ui = ChatUI(Assistant(settings))  # nothing ingested yet
    earlier = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    chat, *_ = ui.start("Why was Yitu listed?", earlier)
    assert len(chat) == 4 and "busy-note" in chat[-1]["content"]
    chat, turns, _, notice, question = list(ui.respond("Why was Yitu listed?", chat, []))[-1]
    assert chat == earlier and turns == []
    assert "Nothing has been indexed yet" in notice and 'role="alert"' in notice
    assert str(settings.index_dir) not in notice  # paths are the operator's, not the user's
    assert question == {"__type__": "update"}  # the question stays in the box to retry
    _, _, _, notice, _ = list(ui.respond("x" * 5000, earlier, []))[-1]
    assert "limit is 2,000" in notice


# --- the app in a real browser ---------------------------------------------------------------

@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[str, Assistant]]:
    """The app over its own copy of the bundled sources, so uploads touch nothing else."""
    with running_app(tmp_path_factory.mktemp("ui"), embedder) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run `make browser` to install Debian's Chromium for the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Browsing:
    """A page on the app plus what it did that it should not: dialogs, requests leaving 127.0.0.1."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    outbound: list[str] = field(default_factory=list)


@pytest.fixture
def browsing(browser: Any, ui_server: tuple[str, Assistant], request: pytest.FixtureRequest) -> Iterator[Browsing]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    session = Browsing(context.new_page())
    session.page.on("dialog", lambda dialog: (session.dialogs.append(dialog.message), dialog.dismiss()))
    session.page.on("request", lambda req: None if req.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                    else session.outbound.append(req.url))
    session.page.goto(ui_server[0])
    session.page.locator("#question textarea").wait_for()
    yield session
    ARTIFACTS.mkdir(exist_ok=True)
    session.page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browsing: Browsing) -> Any:
    return browsing.page


def ask(page: Any, question: str) -> Any:
    """Type a question, press Ask, and return the locator of the new answer bubble once it has arrived."""
    answers = page.locator('#chat [data-testid="bot"] .answer')
    before = answers.count()
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    answers.nth(before).wait_for(timeout=ANSWER_TIMEOUT_MS)
    return answers.nth(before)


def upload(page: Any, path: Path) -> str:
    page.get_by_role("tab", name="Documents").click()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    note = page.locator("#upload-note .upload-note")
    note.wait_for(timeout=ANSWER_TIMEOUT_MS)
    text = note.inner_text()
    page.get_by_role("tab", name="Chat").click()
    return text


@pytest.mark.browser
def test_answer_cites_passages_and_follow_up_uses_history(browsing: Browsing) -> None:
    from playwright.sync_api import expect

    page = browsing.page
    first = ask(page, "Why was Yitu listed?")
    expect(first).to_contain_text("facial recognition")
    card = page.locator("#citations-panel details[open] .cite-card").filter(
        has=page.locator("mark", has_text="facial recognition technology that looks exclusively for Uyghurs"))
    expect(card).to_have_count(1)
    expect(card.locator(".cite-title")).not_to_be_empty()
    expect(card.locator(".cite-meta")).to_contain_text("The Register")

    follow_up = ask(page, "Has it tried to export its tech?")
    expect(follow_up).to_contain_text("export")
    expect(page.locator("#citations-panel details.turn")).to_have_count(2)

    marker = first.locator("a.cite-marker").last  # its card sits in the first turn's group, now collapsed
    target = page.locator(f"#{marker.get_attribute('href').removeprefix('#')}")
    expect(target).to_be_hidden()
    marker.click()
    expect(target).to_be_in_viewport()
    assert browsing.outbound == [], f"the page tried to reach the internet: {browsing.outbound}"

    page.locator("#clear").click()
    expect(page.locator('#chat [data-testid="bot"]')).to_have_count(0)
    expect(page.locator("#citations-panel .cite-card")).to_have_count(0)


@pytest.mark.browser
def test_example_button_asks_and_refusal_looks_distinct(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("button.example", has_text="Why was Yitu listed?").click()
    expect(page.locator('#chat [data-testid="bot"] .answer').first).to_contain_text("Yitu", timeout=ANSWER_TIMEOUT_MS)
    refusal = ask(page, "What is the boiling point of mercury on Mars?")
    expect(refusal).to_have_class(re.compile(r"\brefusal-note\b"))
    expect(refusal).to_contain_text("Not in the sources")


@pytest.mark.browser
def test_uploaded_document_can_be_asked_about_at_once(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    document = tmp_path / "quillfeather.txt"
    document.write_text(FICTIONAL)
    assert "Added: quillfeather.txt" in upload(page, document)
    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#documents table")).to_contain_text("quillfeather.txt")
    page.get_by_role("tab", name="Chat").click()

    answer = ask(page, "What are the hulls of Quillfeather ferries cast from?")
    expect(answer).to_contain_text("kelp")
    expect(page.locator("#citations-panel details[open] .cite-card").first).to_contain_text("Harbour Ledger")


@pytest.mark.browser
def test_markup_in_documents_and_questions_never_runs(browsing: Browsing, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = browsing.page
    document = tmp_path / "zorblax.txt"
    document.write_text(HOSTILE)
    assert "zorblax.txt" in upload(page, document)
    answer = ask(page, 'What does the Zorblax teapot factory label read? <img src=x onerror="window.__xss=3">')
    expect(answer).to_contain_text("Zorblax")
    cards = page.locator("#citations-panel details[open] .cite-card")
    expect(cards.first).to_be_visible()
    expect(page.locator("#citations-panel")).to_contain_text('<img src=x onerror="window.__xss=1">')
    expect(page.locator("#citations-panel")).to_contain_text("<script>window.__xss=2</script>")
    expect(page.locator('#chat [data-testid="user"]').last).to_contain_text("<img src=x")

    page.wait_for_timeout(500)  # give any injected handler the chance to fire before checking it did not
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert browsing.dialogs == []
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("[...document.scripts].filter(s => s.textContent.includes('__xss')).length") == 0


@pytest.mark.browser
def test_empty_question_shows_a_message_not_a_traceback(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("#ask").click()
    note = page.locator("#notice .error-note")
    expect(note).to_contain_text("The question is empty", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#ask")).to_be_enabled()
    assert "Traceback" not in page.content()
    assert page.locator('#chat [data-testid="user"]').count() == 0


def test_example_questions_come_from_the_corpus_folder(tmp_path: Path) -> None:
    from assistant.ui import example_questions

    assert example_questions(tmp_path) == []
    (tmp_path / ".questions").write_text("# a comment\n\nWho runs the harbour?\n  What is moored there?  \n")
    assert example_questions(tmp_path) == ["Who runs the harbour?", "What is moored there?"]
