"""Bad input through every door (Python API, CLI, the UI's `/ask`): a one-line message naming what is wrong,
or a sensible answer, never a traceback; and a normal question is still answered right after.

Hypothesis fuzzes the loaders and the question/history checks with bounded examples.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import Assistant
from assistant.cli import main
from assistant.documents import SUPPORTED_SUFFIXES, DocumentError, parse_bytes
from assistant.validation import latest_turns, valid_history, valid_question

from .conftest import REPO

NORMAL = "Why was Yitu listed?"
NORMAL_FACT = "facial recognition technology"

# (question, history, message the error must contain, or None for "answered or refused, no error")
CASES: list[tuple[str, object, object, str | None]] = [
    ("empty", "", None, "The question is empty"),
    ("blank", "  \n\t ", None, "The question is empty"),
    ("none question", None, None, "must be text; got nothing"),
    ("number question", 42, None, "must be text; got int"),
    ("bytes question", b"Why?", None, "must be text; got bytes"),
    ("list question", ["Why?"], None, "must be text; got list"),
    ("too long", "x" * 5000, None, "limit is 2,000"),
    ("lone surrogate", "Why was Yitu listed \udcff?", None, "character 21 is not UTF-8"),
    ("only a surrogate", "\ud800", None, "character 1 is not UTF-8"),
    ("history number", NORMAL, 7, "must be a list of [question, answer] pairs; got int"),
    ("history string", NORMAL, "Tell me about DJI", "got str"),
    ("history mapping", NORMAL, {"q": "a"}, "got dict"),
    ("history [None]", NORMAL, [None], "History turn 1 must be a [question, answer] pair of texts; got nothing"),
    ("history [(None, None)]", NORMAL, [(None, None)], "History turn 1 must be a [question, answer] pair of texts; "
                                                       "got [nothing, nothing]"),
    ("history one item", NORMAL, [("q",)], "got 1 items"),
    ("history three items", NORMAL, [("q", "a", "b")], "got 3 items"),
    ("history number answer", NORMAL, [("q", 5)], "got [str, int]"),
    ("history second turn bad", NORMAL, [("q", "a"), "qa"], "History turn 2"),
    ("history too many turns", NORMAL, [("q", "a")] * 51, "51 turns; the limit is 50"),
    ("history 5 MB answer", NORMAL, [("Tell me about DJI", "x" * 5_000_000)], "over the limit of 100,000 characters"),
    ("history surrogate", NORMAL, [("q", "bad \udcff")], "History turn 1 is not valid text"),
    ("NUL question", "\x00", None, None),
    ("punctuation only", "?!?", None, None),
    ("emoji only", "🙂🙂🙂", None, None),
    ("right-to-left override", "\u202eWhy was Yitu listed?", None, None),
    ("one long word", "y" * 1999, None, None),
    ("markup question", "<script>alert(1)</script> Why was Yitu listed?", None, None),
    ("list-of-lists history", "Has it tried to export its tech?", [["Why was Yitu listed?", "Yitu ..."]], None),
]


def _ids(cases: list) -> list[str]:
    return [case[0] for case in cases]


@pytest.mark.parametrize(("name", "question", "history", "message"), CASES, ids=_ids(CASES))
def test_api(corpus_assistant: Assistant, name: str, question: object, history: object, message: str | None) -> None:
    if message is None:
        answer = corpus_assistant.ask(question, history=history)  # type: ignore[arg-type]
        assert answer.refused or answer.citations
    else:
        with pytest.raises(ValueError, match=_escaped(message)):
            corpus_assistant.ask(question, history=history)  # type: ignore[arg-type]
    assert NORMAL_FACT in corpus_assistant.ask(NORMAL).text


# --- the UI's /ask, through gradio_client (which cannot send bytes or lone surrogates: those reach it as JSON) --

def _sendable(value: object) -> bool:
    if isinstance(value, str):
        return not any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, list | tuple):
        return all(_sendable(item) for item in value)
    return not isinstance(value, bytes)


UI_CASES = [case for case in CASES if _sendable(case[1]) and _sendable(case[2])]


@pytest.fixture(scope="module")
def client(served_app: tuple[str, Assistant]) -> Iterator[object]:
    from gradio_client import Client

    yield Client(served_app[0], verbose=False)


@pytest.mark.parametrize(("name", "question", "history", "message"), UI_CASES, ids=_ids(UI_CASES))
def test_ui_ask(client, name: str, question: object, history: object, message: str | None) -> None:
    from gradio_client.exceptions import AppError

    history = [list(turn) if isinstance(turn, tuple) else turn for turn in history] \
        if isinstance(history, list) else history
    if message is None:
        result = client.predict(question, history, api_name="/ask")
        assert result["refused"] or result["citations"]
    else:
        with pytest.raises(AppError, match=_escaped(message)):
            client.predict(question, history, api_name="/ask")
    assert NORMAL_FACT in client.predict(NORMAL, api_name="/ask")["text"]


# --- the CLI --------------------------------------------------------------------------------------------------

def _cli_args(bot: Assistant) -> list[str]:
    return ["--sources", str(bot.settings.sources_dir), "--index", str(bot.settings.index_dir)]


@pytest.mark.parametrize(("question", "message"), [
    ("", "The question is empty"), ("x" * 5000, "limit is 2,000"), ("Why \udcff?", "character 5 is not UTF-8"),
])
def test_cli_ask(corpus_assistant: Assistant, question: str, message: str) -> None:
    result = CliRunner().invoke(main, ["ask", question, *_cli_args(corpus_assistant)])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_cli_ask_with_undecodable_bytes_in_a_real_process(corpus_assistant: Assistant) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", os.fsdecode(b"Why \xff?"),
                             *_cli_args(corpus_assistant)], capture_output=True, env=env, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert b"character 5 is not UTF-8" in result.stderr and b"Traceback" not in result.stderr


def test_cli_chat_survives_bad_lines_and_answers_after(corpus_assistant: Assistant) -> None:
    lines = b"\xff\xfe bad bytes\n" + b"x" * 5000 + b"\n" + NORMAL.encode() + b"\n"
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "assistant", "chat", *_cli_args(corpus_assistant)], input=lines,
                            capture_output=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert b"is not valid text" in result.stderr and b"limit is 2,000" in result.stderr
    assert NORMAL_FACT.encode() in result.stdout and b"Traceback" not in result.stderr


def test_cli_missing_index_and_sources(tmp_path: Path) -> None:
    runner = CliRunner()
    no_index = runner.invoke(main, ["ask", NORMAL, "--sources", str(tmp_path), "--index", str(tmp_path / "none")])
    assert no_index.exit_code == 1 and "run `assistant ingest` first" in no_index.output
    no_sources = runner.invoke(main, ["ingest", "--sources", str(tmp_path / "nope"), "--index", str(tmp_path / "i")])
    assert no_sources.exit_code == 1 and "Sources folder not found" in no_sources.output


# --- fuzzing (bounded) ----------------------------------------------------------------------------------------

_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@_FUZZ
@given(suffix=st.sampled_from(SUPPORTED_SUFFIXES),
       raw=st.one_of(st.binary(max_size=3000),
                     st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
                     st.lists(st.sampled_from(["---\n", "title: x\n", "# H\n", "<p>", "</p>", "<main>", "- item\n",
                                               "| a | b |\n", "Word. ", "\n\n", "=====\n", ".. note::\n", "   code\n",
                                               "%PDF-1.4\n", "\r\n", "\ufeff", "é", "\x00"]),
                              max_size=60).map(lambda parts: "".join(parts).encode("utf-8"))))
def test_loaders_either_parse_or_say_why(suffix: str, raw: bytes) -> None:
    try:
        parsed = parse_bytes(f"fuzz{suffix}", raw)
    except DocumentError as error:
        assert str(error)
        return
    for block in parsed.blocks:
        assert 0 <= block.start < block.end <= len(parsed.text)
        assert parsed.text[block.start:block.end].strip()


_ANY = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.binary(max_size=20),
                 st.text(max_size=40), st.booleans())


@_FUZZ
@given(question=st.one_of(_ANY, st.text(max_size=3000)),
       history=st.one_of(_ANY, st.lists(st.one_of(_ANY, st.lists(_ANY, max_size=3),
                                                   st.tuples(st.text(max_size=50), st.text(max_size=50))),
                                         max_size=60)))
def test_question_and_history_checks_accept_or_say_what_is_wrong(question: object, history: object) -> None:
    try:
        checked = valid_question(question, 2000)
    except ValueError as error:
        assert str(error).endswith(".")
    else:
        assert checked == checked.strip() and 0 < len(checked) <= 2000
        checked.encode("utf-8")
    try:
        turns = valid_history(history, 50, 100_000)
    except ValueError as error:
        assert str(error).endswith(".") and "unpack" not in str(error)
    else:
        assert all(isinstance(q, str) and isinstance(a, str) for q, a in turns)
        assert latest_turns(turns, 50, 100_000) == list(turns)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(question=st.text(min_size=1, max_size=200))
def test_any_text_question_is_answered_refused_or_rejected(corpus_assistant: Assistant, question: str) -> None:
    try:
        answer = corpus_assistant.ask(question)
    except ValueError as error:
        assert str(error).endswith(".")
        return
    for citation in answer.citations:
        assert corpus_assistant.source_text(citation.source)[citation.start:citation.end] == citation.quote


@pytest.mark.parametrize(("algorithm", "password", "expected"), [
    ("AES-256", "", None), ("AES-128", "secret", "encrypted PDF (it needs a password)"),
    ("RC4-128", "secret", "encrypted PDF (it needs a password)"),
])
def test_encrypted_pdfs_are_read_or_called_encrypted_not_corrupt(algorithm: str, password: str,
                                                                 expected: str | None) -> None:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password=password, owner_password="owner", algorithm=algorithm)
    raw = io.BytesIO()
    writer.write(raw)
    if expected is None:
        assert parse_bytes("open.pdf", raw.getvalue()).text == ""  # decrypted: a blank page has no text
    else:
        with pytest.raises(DocumentError, match=_escaped(expected)):
            parse_bytes("locked.pdf", raw.getvalue())


def test_long_conversations_in_the_ui_send_only_the_latest_turns() -> None:
    turns = [(f"q{n}", "a" * 1000) for n in range(200)]
    kept = latest_turns(turns, 50, 10_500)
    assert kept == turns[-10:]
    assert latest_turns(turns, 3, 10**9) == turns[-3:] and latest_turns(turns, 0, 10**9) == []


def _escaped(message: str) -> str:
    import re

    return re.escape(message)
