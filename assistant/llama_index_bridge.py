"""The assistant inside a llama-index app: its retrieval as a `BaseRetriever`, its cited answers as a query engine.

    from assistant.llama_index_bridge import SourcesRetriever, CitedQueryEngine
    nodes = SourcesRetriever(bot).retrieve("What does the warranty cover?")  # chunks with source offsets
    engine = RetrieverQueryEngine.from_args(SourcesRetriever(bot), llm=my_llm)  # your synthesis on our retrieval
    response = CitedQueryEngine(bot).query("What does the warranty cover?")  # our verified, cited answer

Every node carries `source`, `title`, `publication`, `section`, `page`, `start` and `end` in its
metadata, so `bot.source_text(source)[start:end]` is the node's text. Nothing here touches
llama-index's global `Settings`.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from .api import Answer, Assistant, Citation
from .store import StoredChunk


def _metadata(source: str, title: str, publication: str, section: str, page: int | None, start: int,
              end: int) -> dict:
    meta = {"source": source, "title": title, "publication": publication, "section": section, "start": start,
            "end": end}
    if page is not None:
        meta["page"] = page
    return meta


def chunk_node(chunk: StoredChunk) -> TextNode:
    """A retrieved chunk as a llama-index node (its id is the chunk's content-hash id)."""
    return TextNode(id_=chunk.id, text=chunk.text, metadata=_metadata(
        chunk.source, chunk.title, chunk.publication, chunk.section, chunk.page, chunk.start, chunk.end))


def citation_node(citation: Citation) -> TextNode:
    """A citation's verbatim quote as a node, numbered as its marker in the answer."""
    meta = _metadata(citation.source, citation.title, citation.publication, citation.section, citation.page,
                     citation.start, citation.end)
    return TextNode(id_=f"{citation.source}:{citation.start}-{citation.end}", text=citation.quote,
                    metadata={"n": citation.n, **meta})


class SourcesRetriever(BaseRetriever):
    """The assistant's hybrid retrieval (dense + BM25, fused) over its index, as a llama-index retriever."""

    def __init__(self, bot: Assistant, callback_manager: CallbackManager | None = None) -> None:
        self.bot = bot
        super().__init__(callback_manager=callback_manager)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [NodeWithScore(node=chunk_node(hit.chunk), score=hit.score)
                for hit in self.bot.retrieve(query_bundle.query_str).hits]


class CitedQueryEngine(BaseQueryEngine):
    """The assistant's answer (verified, with citations, or a refusal) as a llama-index query engine.

    `response.source_nodes` are the citations in marker order; `response.metadata` holds `refused`,
    `citations` (dicts) and `notice`.
    """

    def __init__(self, bot: Assistant, callback_manager: CallbackManager | None = None) -> None:
        self.bot = bot
        super().__init__(callback_manager=callback_manager)

    def _get_prompt_modules(self) -> dict:
        return {}

    def _query(self, query_bundle: QueryBundle) -> Response:
        return to_response(self.bot.ask(query_bundle.query_str))

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return await asyncio.to_thread(self._query, query_bundle)


def to_response(answer: Answer) -> Response:
    return Response(response=answer.text,
                    source_nodes=[NodeWithScore(node=citation_node(c), score=None) for c in answer.citations],
                    metadata={"refused": answer.refused, "citations": [asdict(c) for c in answer.citations],
                              "notice": answer.notice})
