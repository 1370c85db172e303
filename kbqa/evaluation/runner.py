"""Ask every eval question through ``engine.ask()`` (exactly the call users' front ends make) and time it.

A row with ``history`` (earlier user questions) is asked with it, as ``check_conv.py`` sends it to
``/api/ask``; a conversation row is scored at once against the FAQ (``conversation.score``)."""
from __future__ import annotations

import sys
import time

from kbqa.evaluation.metrics import Row

WARMUP_QUESTION = "容器云"


def not_covered_answer():
    """What an empty or invalid question counts as: a refusal with nothing retrieved."""
    from kbqa.types import Answer

    return Answer(status="not_covered", answer="", topic=None, confidence=0.0, kind="not_covered")


def ask_one(engine, item: dict, mode: str | None, set_name: str = "", facts=None) -> Row:
    """One question: the Answer and the wall time of ask(); InvalidQuestion becomes a not_covered row.
    ``facts`` (``conversation.FaqFacts``) scores a conversation row; without them it is not scored."""
    from kbqa.engine import InvalidQuestion, KbqaError
    from kbqa.evaluation.conversation import score as conv_score
    from kbqa.evaluation.dataset import is_conversation_row

    t0 = time.perf_counter()
    try:
        answer = engine.ask(item["question"], history=item.get("history") or None, mode=mode)
        error = None
    except InvalidQuestion as e:
        answer, error = not_covered_answer(), str(e) or "invalid question"
    except KbqaError:
        raise
    except Exception as e:  # a bug in the engine: stop, naming the question that triggered it
        raise KbqaError(f"{set_name}:{item['id']}: ask() failed: {type(e).__name__}: "
                        f"{str(e).strip().splitlines()[0] if str(e).strip() else ''}") from e
    latency = (time.perf_counter() - t0) * 1e3
    conv = conv_score(item, answer, facts) if facts is not None and is_conversation_row(item) else None
    return Row(item=item, answer=answer, latency_ms=latency, error=error, set=set_name, mode=mode or "", conv=conv)


def warm_up(engine, mode: str | None) -> None:
    """Load the corpus, index and model before timing, so the first question's latency is not a cold start."""
    engine.load()
    try:
        engine.ask(WARMUP_QUESTION, mode=mode)
    except Exception:  # noqa: BLE001 - a real failure shows up again, attributed, on the first eval question
        pass
    engine.clear_caches()  # latencies are of the full work, not of answers cached by an earlier mode


def run_sets(engine, sets: dict[str, list[dict]], modes: list[str], progress: bool = True,
             warmup: bool = True) -> dict[str, dict[str, list[Row]]]:
    """{mode: {set name: rows}} for every mode and eval set, with one tqdm bar on stderr."""
    from kbqa.evaluation.conversation import FaqFacts
    from kbqa.evaluation.dataset import is_conversation_row

    facts = None
    if any(is_conversation_row(it) for items in sets.values() for it in items):
        facts = FaqFacts.of(engine.faq())
    if warmup:
        for mode in modes:
            warm_up(engine, mode)
    total = sum(len(items) for items in sets.values()) * len(modes)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="q", file=sys.stderr, desc="kbqa eval", dynamic_ncols=True)
    runs: dict[str, dict[str, list[Row]]] = {}
    try:
        for mode in modes:
            runs[mode] = {}
            engine.clear_caches()
            for name, items in sets.items():
                if bar is not None:
                    bar.set_description(f"kbqa eval {mode} {name}")
                rows = []
                for item in items:
                    rows.append(ask_one(engine, item, mode, name, facts))
                    if bar is not None:
                        bar.update(1)
                runs[mode][name] = rows
    finally:
        if bar is not None:
            bar.close()
    return runs
