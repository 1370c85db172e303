"""``EngineProxy``: the part of an ``kbqa.engine.AskEngine`` that a wrapper passes to the engine it wraps
unchanged (loading and what the engine is). A wrapper sets ``self.engine`` and ``self.settings`` and
implements asking itself: ``kbqa.store.recorded.RecordedEngine``, and the tests' spy of the Slack bot."""
from __future__ import annotations


class EngineProxy:
    engine: object

    @property
    def loaded(self) -> bool:
        return self.engine.loaded

    @property
    def answer_mode(self) -> str:
        return self.engine.answer_mode

    def faq(self):
        return self.engine.faq()

    def load(self):
        return self.engine.load()
