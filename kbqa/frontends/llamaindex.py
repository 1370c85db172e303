"""kbqa's hybrid retrieval as a llama-index retriever, for people who build pipelines with llama-index.

``KbqaRetriever(engine)`` is a ``BaseRetriever``: ``retrieve("问题")`` returns ``NodeWithScore`` items whose
``TextNode`` carries the unit's text and its provenance (topic, title, expert, org/title) as metadata.
It runs the same retrieval as ``Engine.ask`` (BM25 over jieba tokens + e5 in FAISS, fused); the engine's own
request path calls bm25s and FAISS directly, which keeps llama-index's import cost (about 1 s) out of the
CLI and the lean profile. ``units_as_nodes`` gives the FAQ as llama-index nodes for other indexes.
"""
from __future__ import annotations

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from kbqa.types import Unit


def unit_node(unit: Unit) -> TextNode:
    meta = {"topic": unit.topic, "topic_title": unit.topic_title, "kind": unit.kind, "expert": unit.expert,
            "expert_title": unit.expert_title}
    return TextNode(id_=unit.id, text=unit.text, metadata=meta,
                    excluded_embed_metadata_keys=list(meta), excluded_llm_metadata_keys=["kind"])


def units_as_nodes(engine) -> list[TextNode]:
    return [unit_node(u) for u in engine.faq().units]


class KbqaRetriever(BaseRetriever):
    def __init__(self, engine, mode: str | None = None, top_k: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._engine = engine
        self._mode = mode or engine.settings.mode
        self._top_k = top_k or engine.settings.top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        retriever = self._engine.load().retriever
        result = retriever.search(self._engine.validate(query_bundle.query_str), self._mode, self._top_k)
        return [NodeWithScore(node=unit_node(h.unit), score=h.score) for h in result.hits]
