"""The llama-index adapter returns the same ranked units as the engine, with provenance."""
from kbqa.frontends.llamaindex import KbqaRetriever, units_as_nodes


def test_retriever_matches_engine_ranking(fake_engine):
    q = "容器里怎么执行定时任务？"
    nodes = KbqaRetriever(fake_engine, mode="lexical").retrieve(q)
    hits = fake_engine.ask(q, mode="lexical").hits
    assert [n.node.node_id for n in nodes] == [h.unit.id for h in hits]
    top = nodes[0].node
    assert top.metadata["topic"] == 1 and top.metadata["expert"] in {"某银行", "gavin_zhang"}
    assert nodes[0].score >= nodes[-1].score


def test_units_as_nodes_cover_the_faq(fake_engine):
    nodes = units_as_nodes(fake_engine)
    assert len(nodes) == 32 and len({n.node_id for n in nodes}) == 32
    assert "expert" not in nodes[0].get_content(metadata_mode="embed")  # provenance is not embedded
