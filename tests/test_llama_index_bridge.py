"""The assistant dropped into plain llama-index code: its retriever under llama-index's own query engine, and its
cited answers as a query engine (the synthesising LLM is the scripted loopback model)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import QueryBundle

from assistant import Assistant
from assistant.llama_index_bridge import CitedQueryEngine, SourcesRetriever
from tests.scripted_llm import ScriptedLLM, start_scripted_llm, user_text


@pytest.fixture
def model() -> Iterator[ScriptedLLM]:
    state, stop = start_scripted_llm()
    yield state
    stop()


def test_retriever_returns_nodes_whose_offsets_slice_back(corpus_assistant: Assistant) -> None:
    nodes = SourcesRetriever(corpus_assistant).retrieve("Why was Yitu listed?")
    assert nodes and any("facial recognition" in n.node.get_content() for n in nodes[:3])
    scores = [n.score for n in nodes]
    assert scores == sorted(scores, reverse=True)
    for n in nodes:
        meta = n.node.metadata
        assert corpus_assistant.source_text(meta["source"])[meta["start"]:meta["end"]] == n.node.get_content()


def test_retriever_under_llama_index_own_query_engine(corpus_assistant: Assistant, model: ScriptedLLM) -> None:
    from llama_index.llms.openai_like import OpenAILike

    model.script.answer = lambda messages: "Facial recognition." if "facial recognition" in user_text(messages) \
        else "No context."
    llm = OpenAILike(model="scripted", api_base=model.base_url, api_key="none", is_chat_model=True, max_retries=0)
    engine = RetrieverQueryEngine.from_args(SourcesRetriever(corpus_assistant), llm=llm, response_mode="compact")
    response = engine.query("Why was Yitu listed?")
    assert str(response) == "Facial recognition."  # llama-index put our chunks into its own prompt
    assert response.source_nodes and "source" in response.source_nodes[0].node.metadata
    assert len(model.requests) >= 1


def test_cited_query_engine_answers_with_citations_and_refuses(corpus_assistant: Assistant) -> None:
    engine = CitedQueryEngine(corpus_assistant)
    response = engine.query("Why was Yitu listed?")
    assert "facial recognition" in str(response) and response.metadata["refused"] is False
    assert [n.node.metadata["n"] for n in response.source_nodes] == list(range(1, len(response.source_nodes) + 1))
    for n in response.source_nodes:
        meta = n.node.metadata
        assert corpus_assistant.source_text(meta["source"])[meta["start"]:meta["end"]] == n.node.get_content()
    refusal = engine.query(QueryBundle("What is the boiling point of mercury on Mars?"))
    assert refusal.metadata["refused"] is True


async def _aquery(engine: CitedQueryEngine, question: str):
    return await engine.aquery(question)


def test_cited_query_engine_async(corpus_assistant: Assistant) -> None:
    import asyncio

    response = asyncio.run(_aquery(CitedQueryEngine(corpus_assistant), "Why was Yitu listed?"))
    assert "facial recognition" in str(response)
