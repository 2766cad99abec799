"""The chat UI with an LLM (the scripted loopback model): the draft streams in, then the verified answer replaces it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from assistant import Assistant, Settings
from assistant.ui import ChatUI, create_app
from bench.common import free_port
from tests.conftest import BUNDLED_SOURCES
from tests.scripted_llm import Script, ScriptedLLM, passage_number, start_scripted_llm
from tests.test_ui import ANSWER_TIMEOUT_MS, CHROMIUM, CHROMIUM_ARGS

DRAFT = ("Yitu developed facial recognition technology that looks exclusively for Uyghurs [{n}]. "
         "Its founder is Zhu Long [{n}].")


def scripted_answer(messages: list[dict[str, Any]]) -> str:
    return DRAFT.format(n=passage_number(messages, "facial recognition"))


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[str, ScriptedLLM, Assistant]]:
    model, stop_model = start_scripted_llm()
    root = tmp_path_factory.mktemp("ui-llm")
    shutil.copytree(BUNDLED_SOURCES, root / "sources")
    bot = Assistant(Settings(sources_dir=root / "sources", index_dir=root / "index", llm="openai",
                             llm_base_url=model.base_url, llm_timeout=10.0), embedder=embedder)
    bot.ingest()
    app = create_app(bot)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/", model, bot
    finally:
        app.close()
        stop_model()


@pytest.mark.browser
def test_chat_shows_the_draft_while_checking_then_the_verified_answer(llm_app) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, model, _ = llm_app
    model.script = Script(answer=scripted_answer, word_delay=0.15)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: run `make browser`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.locator("#question textarea").fill("Why was Yitu listed?")
        page.locator("#ask").click()
        draft = page.locator("#chat .draft-answer")
        expect(draft).to_contain_text("facial recognition", timeout=ANSWER_TIMEOUT_MS)
        expect(draft).to_contain_text("checked against its source")
        final = page.locator('#chat [data-testid="bot"] .answer:not(.draft-answer)')
        expect(final).to_contain_text("facial recognition", timeout=ANSWER_TIMEOUT_MS)
        expect(draft).to_have_count(0)  # the verified answer replaced the draft
        expect(final).not_to_contain_text("Zhu Long")
        expect(final.locator("a.cite-marker")).to_have_count(1)
        browser.close()


def test_the_ui_callback_yields_drafts_before_the_answer(llm_app) -> None:
    _, model, bot = llm_app
    model.script = Script(answer=scripted_answer)
    ui = ChatUI(bot)
    chat, *_ = ui.start("Why was Yitu listed?", [])
    updates = list(ui.respond("Why was Yitu listed?", chat, []))
    drafts = [u[0][-1]["content"] for u in updates[:-1] if "draft-answer" in u[0][-1]["content"]]
    assert drafts and "Zhu Long" in drafts[-1]  # the unverified draft was on screen while it was checked
    final_chat, turns, panel, notice, _ = updates[-1]
    assert "draft-answer" not in final_chat[-1]["content"] and "Zhu Long" not in final_chat[-1]["content"]
    assert len(turns) == 1 and "cite-card" in panel and notice == ""
