"""/metrics' kbqa_kb_info follows the KB version being served: after a hot swap the new version replaces the old."""
from __future__ import annotations

from types import SimpleNamespace

from kbqa.ops import metrics


def _engine(version: str):
    state = SimpleNamespace(faq=SimpleNamespace(sha256=version * 4, units=(1, 2)),
                            store=SimpleNamespace(path=SimpleNamespace(name="idx-" + version)))
    return SimpleNamespace(loaded=True, load=lambda: state, settings=None, answer_mode="extractive")


def test_kb_info_follows_a_swap():
    engine = _engine("aaaa1111")
    describe = metrics.Describe(engine)
    describe()
    text = metrics.render()[0].decode()
    assert 'corpus="aaaa1111aaaa1111"' in text
    new = _engine("bbbb2222")
    engine.load = new.load  # the swap
    describe()
    text = metrics.render()[0].decode()
    assert 'corpus="bbbb2222bbbb2222"' in text and 'corpus="aaaa1111aaaa1111"' not in text
