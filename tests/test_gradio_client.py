"""The app's `/ask` endpoint, called the way other programs would: through `gradio_client`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError


@pytest.fixture(scope="module")
def client(served_app: tuple[str, object]) -> Iterator[Client]:
    yield Client(served_app[0], verbose=False)


def test_ask_returns_the_answer_with_citations(client: Client) -> None:
    result = client.predict("Why was Yitu listed?", api_name="/ask")
    assert set(result) == {"text", "refused", "citations"}
    assert result["refused"] is False and "[1]" in result["text"]
    quotes = " ".join(c["quote"] for c in result["citations"])
    assert "facial recognition technology that looks exclusively for Uyghurs" in quotes
    first = result["citations"][0]
    assert set(first) == {"n", "source", "title", "publication", "quote", "start", "end", "section", "page"}
    assert first["n"] == 1 and first["title"]


def test_ask_takes_history_for_follow_ups(client: Client) -> None:
    first = client.predict("Why was Yitu listed?", api_name="/ask")
    follow_up = client.predict("Has it tried to export its tech?", [["Why was Yitu listed?", first["text"]]],
                               api_name="/ask")
    assert "export" in follow_up["text"] and follow_up["citations"]


def test_ask_reports_bad_questions_as_errors(client: Client) -> None:
    with pytest.raises(AppError, match="The question is empty"):
        client.predict("   ", api_name="/ask")


def test_only_ask_is_public(client: Client) -> None:
    assert list(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == ["/ask"]
