"""The one place where backends are built, and the one ``ask()`` every front end calls.

    question (+ history) -> validate -> retrieve (conversation-aware) -> decide -> compose -> script -> render

``Engine(settings)`` is cheap; the corpus, the model and the index load on first use (or ``load()``).
Front ends type against ``AskEngine``: the few methods they may call.
"""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

from kbqa.answer import search
from kbqa.answer.generate import condensed_retrieval, generate, rendered
from kbqa.answer.script import reply_traditional
from kbqa.conversation.catalog import Known
from kbqa.conversation.history import user_turns
from kbqa.conversation.moves import past_aside
from kbqa.errors import InvalidQuestion, KbqaError, one_line  # noqa: F401 - re-exported for front ends
from kbqa.settings import Settings
from kbqa.text.memo import clear_text_caches
from kbqa.text.normalise import clean
from kbqa.types import Answer

if TYPE_CHECKING:
    from kbqa.answer.decide import Decider
    from kbqa.conversation.catalog import Catalog
    from kbqa.corpus.loader import Faq
    from kbqa.index.store import IndexStore
    from kbqa.retrieval.retriever import Retrieval, Retriever
    from kbqa.types import HitTest


ANSWER_CACHE_SIZE = 1024  # extractive answers to history-less questions kept in memory (see Engine.ask)
# asked once at start (warm()), not recorded: each kind of question, so that no user's first one waits for a lazy load
WARM_QUESTIONS = ("容器云怎么做高可用", "容器網路怎麼選型？", "How do we handle high availability?", "你好",
                  "网络和存储分别怎么选")


@dataclass(frozen=True)
class Loaded:
    """Everything ``ask()`` needs, built once by ``Engine.load()``."""

    faq: Faq
    store: IndexStore
    retriever: Retriever
    deciders: dict[str, Decider]
    catalog: Catalog
    examples: tuple[str, ...]  # starter questions (corpus/examples.txt, else the question titles)


class AskEngine(Protocol):
    """What front ends (web, Slack, CLI, eval) may call on an engine."""

    settings: Settings

    @property
    def loaded(self) -> bool: ...
    @property
    def answer_mode(self) -> str: ...
    def faq(self) -> Faq: ...
    def load(self) -> Loaded: ...
    def ask(self, question, history=None, mode: str | None = None, deadline: float | None = None) -> Answer: ...
    def ask_stream(self, question, history=None, mode: str | None = None,
                   deadline: float | None = None) -> Iterator[str | Answer]: ...
    def clear_caches(self) -> None: ...
    def warm(self) -> None: ...


class Engine:
    def __init__(self, settings: Settings | None = None, *, embedder=None, progress: bool = True) -> None:
        self.settings = settings or Settings.from_env()
        self.progress = progress
        self._embedder = embedder
        self._cross = None
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[str, str], Answer] = OrderedDict()  # see ask()
        self._state: Loaded | None = None
        self._llm = None  # the LLMClient, built on first use when KBQA_LLM_BASE_URL is set
        self._topics: OrderedDict[tuple[str, str], int | None] = OrderedDict()  # see topic_of()
        self._live = None  # the LiveKB, built on first use

    # ---- loading -----------------------------------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            from kbqa.models.embedders import make_embedder

            self._embedder = make_embedder(self.settings, progress=self.progress)
        return self._embedder

    @property
    def crosslingual(self):
        """The second, cross-lingual dense embedder (None when KBQA_CROSSLINGUAL=none); cheap to construct."""
        if self._cross is None:
            from kbqa.models.embedders import make_crosslingual

            self._cross = make_crosslingual(self.settings) or False
        return self._cross or None

    def profile(self, mode: str) -> str:
        """The calibration key of a retrieval mode: its models (the decision features depend on them)."""
        if mode == "lexical":
            return "lexical:*"
        model = self.embedder.identity()["model"]
        cross = self.crosslingual
        return f"{mode}:{model}+{cross.name}" if mode == "hybrid" and cross is not None else f"{mode}:{model}"

    @property
    def loaded(self) -> bool:
        return self._state is not None

    def faq(self) -> Faq:
        return self.load().faq

    def load(self) -> Loaded:
        if self._state is None:
            with self._lock:
                if self._state is None:
                    self._state = self._load()
        return self._state

    def _load(self, force_build: bool = False) -> Loaded:
        from kbqa.kb.state import build_state
        from kbqa.retrieval.side import one_blas_thread

        one_blas_thread()
        return build_state(self, force_build)

    def prepare(self, overlay_text: str | None = None) -> Loaded:
        """A new state for the current files (or with ``overlay_text`` as the overlay), not yet served."""
        from kbqa.kb.state import build_state

        return build_state(self, overlay_text=overlay_text)

    def install(self, state: Loaded) -> None:
        """Serve ``state`` from now on (atomic: a question being answered finishes on the state it started on)."""
        with self._lock:
            self._state = state
            self._answers.clear()
            self._topics.clear()

    def with_state(self, state: Loaded) -> "Engine":
        """An engine answering from ``state`` (extractive, own caches), sharing this one's models: how a new
        KB version is tested before it is served."""
        other = Engine(self.settings.with_(llm_base_url="", kb_poll_s=0), embedder=self.embedder, progress=False)
        other._cross = self._cross if self._cross is not None else (self.crosslingual or False)
        other._state = state
        return other

    @property
    def live(self):
        """The live KB: versions, background rebuilds, self-test, swap and rollback (``kbqa.kb.live``)."""
        if self._live is None:
            from kbqa.kb.live import LiveKB

            with self._lock:
                if self._live is None:
                    self._live = LiveKB(self)
        return self._live

    @property
    def kb_version(self) -> str | None:
        """The version of the KB being served (None before it is loaded)."""
        state = self._state
        return state.faq.version if state is not None else None

    def warm(self) -> None:
        """Everything the first question would otherwise wait for: the index, the models, jieba, OpenCC, the
        chatter model and, in LLM mode, the LLM client (its import and set-up; no request is sent)."""
        self.load().retriever.warm()
        if self.settings.chatter:
            from kbqa.conversation import chatter

            chatter.load()
        for q in WARM_QUESTIONS:  # routing, retrieval, composing and rendering, once each way a question comes
            self._warm_ask(q)
        if self.llm is not None:
            self.llm.warm()

    def _warm_ask(self, question: str) -> None:
        for item in self._answer(question, None, None, stream=False):  # not cached: a user's first ask computes
            if isinstance(item, Answer):
                return

    def clear_caches(self) -> None:
        """Forget cached answers, query vectors and text caches (benchmarks and evals time a question never seen)."""
        with self._lock:
            self._answers.clear()
            self._topics.clear()
        for emb in (self._embedder, self._cross):
            if emb:
                emb.clear_cache()
        clear_text_caches()

    def build(self, force: bool = False) -> Path:
        """Set-up: build the models that serving loads (kbqa.models.embedders.prepare_models), then the index
        (``force``: rebuilt)."""
        if self._embedder is None:
            from kbqa.models.embedders import prepare_models

            prepare_models(self.settings, self.progress)
        with self._lock:
            self._state = self._load(force_build=force)
            self._answers.clear()  # answers of the old index must not outlive it
        return self._state.store.path

    def decider(self, mode: str) -> Decider:
        return self.load().deciders[mode]

    # ---- asking ------------------------------------------------------------------------------
    def validate(self, question) -> str:
        """The question cleaned of control characters, or InvalidQuestion with its reason."""
        if not isinstance(question, str):
            raise InvalidQuestion("not_text", "问题必须是文字 (question must be a string)")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise InvalidQuestion("too_long", f"问题太长：{len(question)} 字，上限 {limit} 字 (question is too long)",
                                  length=len(question), limit=limit)
        q = clean(question)
        if not q:
            raise InvalidQuestion("empty", "问题是空的，请输入问题 (question is empty)")
        return q

    def retrieve(self, question: str, history=None, mode: str | None = None,
                 state: Loaded | None = None, qvec=None, whole: bool = False,
                 on: Callable[[], int | None] | None = None) -> tuple[Retrieval, bool, float]:
        """Retrieval with follow-up handling (``kbqa.answer.search.retrieve``): (retrieval, covered, confidence), on
        ``state`` (default: served)."""
        mode, state = mode or self.settings.mode, state or self.load()
        return search.retrieve(state, self.settings, question, history, mode,
                               lambda turn: self.topic_of(turn, mode, state), qvec, whole, on)

    def _retrieve_whole(self, q: str, parts: tuple[str, ...], history, mode: str | None,
                        state: Loaded, on: Callable[[], int | None] | None = None) -> tuple[Retrieval, bool, float]:
        """``retrieve`` for a question that was split into parts in vain (``kbqa.answer.search.retrieve_whole``)."""
        return search.retrieve_whole(lambda qvec: self.retrieve(q, history, mode, state, qvec, whole=True, on=on), state,
                                     parts, state.deciders[mode or self.settings.mode].threshold)

    def explain(self, question, mode: str | None = None, top: int = 5) -> HitTest:
        """Hit testing for the admin page (``kbqa.kb.hittest``): what ask() would do with ``question``, and why."""
        from kbqa.kb.hittest import explain

        return explain(self, question, mode, top)

    @property
    def answer_mode(self) -> str:
        """'llm' when answers are written by the KBQA_LLM_BASE_URL model (citation-checked), else 'extractive'."""
        return "llm" if self.settings.llm_base_url else "extractive"

    @property
    def llm(self):
        """The LLMClient of KBQA_LLM_BASE_URL, or None in extractive mode."""
        if not self.settings.llm_base_url:
            return None
        if self._llm is None:
            from kbqa.answer.llm import from_settings

            self._llm = from_settings(self.settings)
        return self._llm

    def ask(self, question, history=None, mode: str | None = None, deadline: float | None = None) -> Answer:
        """Answer one question from the FAQ, or say it is not covered. Raises InvalidQuestion, KbqaError;
        an LLM failure is never raised: the answer is then the extractive one with a notice.

        Extractive answers to questions asked without history are cached (an FAQ bot hears the same
        questions again and again); the cached Answer is the same value, with this call's timing."""
        t0, key = time.perf_counter(), None
        if self.llm is None and not user_turns(history, self.settings.max_history_turns):
            key = (self.validate(question), mode or self.settings.mode, self.load().faq.version)
            with self._lock:
                hit = self._answers.get(key)
                if hit is not None:
                    self._answers.move_to_end(key)
                    # same timing fields as a computed answer: the stages took no time
                    return replace(hit, timings={**{k: 0.0 for k in hit.timings},
                                                 "total_ms": (time.perf_counter() - t0) * 1e3})
        for item in self._answer(question, history, mode, stream=False, deadline=deadline):
            if isinstance(item, Answer):
                if key is not None:
                    with self._lock:
                        self._answers[key] = item
                        while len(self._answers) > ANSWER_CACHE_SIZE:
                            self._answers.popitem(last=False)
                return item
        raise KbqaError("no answer was produced")  # unreachable

    def ask_stream(self, question, history=None, mode: str | None = None,
                   deadline: float | None = None) -> Iterator[str | Answer]:
        """Text deltas as the answer is written, then the final Answer. In LLM mode the deltas are the
        model's raw words, as ``Generated`` strings (untrusted: show them inert); the final Answer holds the
        citation-checked text and replaces them. Other deltas are pieces of the Answer's markdown."""
        yield from self._answer(question, history, mode, stream=True, deadline=deadline)

    def topic_of(self, question: str, mode: str | None = None, state: Loaded | None = None) -> int | None:
        """The FAQ question a question is about, when retrieval finds it covered (cached): what "下一个" or
        "xiaoping378 怎么说" refer to after a topical question."""
        state = state or self.load()
        key = (question, state.faq.version)
        with self._lock:
            if key in self._topics:
                return self._topics[key]
        r, covered, _ = self.retrieve(question, None, mode, state)
        topic = r.hits[0].unit.topic if covered and r.hits else None
        with self._lock:
            self._topics[key] = topic
            while len(self._topics) > ANSWER_CACHE_SIZE:
                self._topics.popitem(last=False)
        return topic

    def _answer(self, question, history, mode: str | None, stream: bool,
                deadline: float | None = None) -> Iterator[str | Answer]:
        from kbqa.answer.respond import Responder
        from kbqa.conversation.history import moves_on
        from kbqa.conversation.recall import last_topic
        from kbqa.conversation.followup import refined
        from kbqa.conversation.routing import Context, understand

        t0 = time.perf_counter()
        q = self.validate(question)
        self.live.poll()  # another KB version in the files: built, tested and swapped in, in the background
        state = self.load()  # this question is answered from this state to the end, whatever is swapped in
        llm = self.llm
        q, turns = past_aside(q, user_turns(history, self.settings.max_history_turns))  # "网络先放放，…", "换个题：…"
        history, t1 = history if turns else None, time.perf_counter()
        context = Context(turns, lambda turn: self.topic_of(turn, mode, state), state.retriever.aliases)
        intent = refined(understand(q, state.catalog, context), q, state.catalog, state.retriever.aliases)
        t_route = time.perf_counter()
        standalone = q
        respond = Responder(state, self.settings, mode,
                            lambda q_, h, m, whole=False: self.retrieve(q_, h, m, state, whole=whole),
                            lambda q_, m=None: self.topic_of(q_, m, state))
        known = state.catalog.known_question(q)
        if known is not None:
            answer = respond.known(intent, q, known)
        elif intent.kind != "topical":
            answer = respond.structured(intent)
        elif llm is not None and turns:
            r, covered, p, standalone = condensed_retrieval(self, llm, q, history, mode, deadline, state)
            answer = respond.topical(intent, r, covered, p)
        else:
            answer = respond.multi(intent, q, turns) if intent.parts else None
            if intent.from_context and intent.topics:  # "回溯那块展开说说": that part of the question it is on
                answer = respond.known(intent, intent.rephrase or q, Known(intent.topics[0]))
            if answer is None and intent.rephrase:  # "接着说": the previous question again
                answer = respond.topical(intent, *self.retrieve(intent.rephrase, None, mode, state))
            if answer is None:  # a follow-up stays on the question it is on unless the message says it moves on (read before
                on = None if not turns or moves_on(question) else lambda: last_topic(context, state.catalog)  # past_aside)
                answer = respond.topical(intent, *self._retrieve_whole(q, intent.parts, history, mode, state, on))
                if answer.status == "not_covered" and respond.partial:  # "A？另外B": A answered, B not covered
                    answer = respond.partly(intent)
            answer = respond.second_opinion(intent, q, answer, first=not turns)
        t3 = time.perf_counter()
        traditional = reply_traditional(q)
        answer = rendered(answer, traditional)
        t4 = time.perf_counter()
        # retrieve_ms: retrieval and composing (they interleave for two-part questions and expert subjects)
        answer = replace(answer, timings={"load_ms": (t1 - t0) * 1e3, "route_ms": (t_route - t1) * 1e3,
                                          "retrieve_ms": (t3 - t_route) * 1e3, "script_ms": (t4 - t3) * 1e3,
                                          "total_ms": (t4 - t0) * 1e3})
        if llm is None or answer.status != "answered" or answer.kind != "answer":  # only retrieval answers
            if stream:
                yield from _paragraphs(answer.answer)
            yield answer
            return
        yield from generate(llm, self.settings.llm_citation_mode, standalone, answer, traditional, stream, t0,
                            deadline)


def _paragraphs(text: str) -> list[str]:
    """The extractive answer as a few deltas (one per paragraph) for ask_stream."""
    return [p for p in re.split(r"(?<=\n\n)", text) if p] or [text]


__all__ = ["AskEngine", "Engine", "InvalidQuestion", "KbqaError", "Loaded", "one_line", "user_turns"]
