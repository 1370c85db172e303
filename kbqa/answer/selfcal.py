"""The not-covered decision of a new FAQ, before anyone writes a dev set for it.

The decision's weights say how retrieval features trade against each other; they were fitted on this project's
dev sets and carry over (the features are shares, similarities and z-scores, not counts of an FAQ's words). Where
the line sits does not carry over as a number: a smaller FAQ, with fewer words and chunks, scores everything a bit
differently. So the line is placed again, relative to two things any FAQ has:

* its own questions (titles, similar questions, each title with a third of its words left out, the first
  sentence of each answer): their 10th percentile score;
* a bank of questions about nothing in particular (``data/negatives.txt``: everyday life and other trades, in
  Chinese and English, written for this): their 90th percentile score.

``kbqa calibrate`` records where its fitted line sits between those two on the FAQ it was fitted on, as a ratio
(the ``line`` of each entry in eval/calibration.json); a new FAQ gets its line at the same ratio between its own
two. Without that record (an older file) the weights and line are carried over unchanged. ``kbqa calibrate --dev
DIR/dev.jsonl`` replaces all of this with a fit on real questions (DIR/calibration.json, then used as is).
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
from dataclasses import asdict, replace
from importlib import resources
from pathlib import Path

from kbqa.answer.decide import Decider

log = logging.getLogger("kbqa.decide")

NEG_QUANTILE = 0.9
POS_QUANTILE = 0.1
MAX_ANSWER_SENTENCES = 60
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


def negatives() -> list[str]:
    text = resources.files("kbqa.answer").joinpath("data/negatives.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def positives(faq) -> list[str]:
    """Questions the FAQ must answer, made from the FAQ alone."""
    from kbqa.text.normalise import has_cjk, words

    out: list[str] = []
    for t in faq.topics:
        out.append(t.title)
        out += list(t.similar)
        ws = [w for w in words(t.title) if w.strip()]
        if len(ws) >= 4:
            cut = max(1, len(ws) // 3)
            sep = "" if has_cjk(t.title) else " "
            out += [sep.join(ws[cut:]), sep.join(ws[:-cut])]
    answers = [u for u in faq.units if u.kind == "answer"]
    for u in answers[:MAX_ANSWER_SENTENCES]:
        first = next((s.strip() for s in _SENTENCE_END.split(u.text) if len(s.strip()) >= 6), "")
        if first:
            out.append(first[:40])
    return list(dict.fromkeys(q for q in out if q.strip()))


def _z(decider: Decider, feats: dict) -> float:
    return sum(w * feats.get(f, 0.0) for f, w in zip(decider.features, decider.weights))


def _quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return 0.0
    pos = q * (len(xs) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def line_of(z0: float, pos: list[float], neg: list[float]) -> dict:
    """Where the line ``z0`` sits between the negatives' and the positives' scores."""
    lo, hi = _quantile(neg, NEG_QUANTILE), _quantile(pos, POS_QUANTILE)
    return {"ratio": (z0 - lo) / (hi - lo) if hi > lo else None, "neg": lo, "pos": hi, "z": z0}


def scores(decider: Decider, retriever, mode: str, faq, top_k: int) -> tuple[list[float], list[float]]:
    """The decision's raw scores (before the bias) of the FAQ's own questions and of the negatives."""
    pos = [_z(decider, f) for f in _features(retriever, positives(faq), mode, top_k)]
    neg = [_z(decider, f) for f in _features(retriever, negatives(), mode, top_k)]
    return pos, neg


def adapt(decider: Decider, reference: dict | None, retriever, mode: str, faq, top_k: int) -> tuple[Decider, dict]:
    """The carried-over ``decider`` with its line placed on this FAQ at the ``reference`` ratio (the calibration
    entry's ``line``); unchanged without one. Returns it and what was measured."""
    ratio = (reference or {}).get("ratio")
    if ratio is None:
        return replace(decider, source=f"{decider.source} (carried over unchanged: no reference line)"), {}
    pos, neg = scores(decider, retriever, mode, faq, top_k)
    if not pos or not neg:
        return decider, {}
    here = line_of(0.0, pos, neg)
    if here["pos"] <= here["neg"]:  # the FAQ's own questions do not stand out from small talk: keep the old line
        return replace(decider, source=f"{decider.source} (carried over unchanged: no gap on this FAQ)"), here
    z = here["neg"] + ratio * (here["pos"] - here["neg"])
    info = {**here, "z": z, "ratio": ratio, "n_pos": len(pos), "n_neg": len(neg),
            "pos_answered": sum(p >= z for p in pos) / len(pos), "neg_refused": sum(n < z for n in neg) / len(neg)}
    source = (f"{decider.source} carried over; line placed on this FAQ ({len(pos)} of its own questions, "
              f"{len(neg)} generic negatives; no dev set)")
    z0 = math.log(decider.threshold / (1 - decider.threshold)) - decider.bias  # the carried-over line
    return replace(decider, bias=decider.bias + (z0 - z), source=source), info  # same threshold, line moved to z


def _features(retriever, questions: list[str], mode: str, top_k: int) -> list[dict]:
    from kbqa.index.chunks import dense_text

    if mode != "lexical":  # one batch per model fills their query caches: search then calls no model
        texts = [dense_text(q) for q in questions]
        for model in (retriever.embedder, retriever.cross):
            if model is not None and hasattr(model, "embed_queries"):
                model.embed_queries(texts)
    out = []
    for q in questions:
        f = retriever.search(q, mode, top_k).features
        if f.get("n_words", 0.0) > 0:
            out.append(f)
    return out


def reference(decider: Decider) -> dict | None:
    """The ``line`` recorded with the calibration entry ``decider`` was loaded from (its source is PATH#KEY)."""
    path, _, key = decider.source.rpartition("#")
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))["models"][key].get("line")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


class CarriedDeciders(dict):
    """The deciders of a new FAQ: each mode's carried-over decider gets its line placed on this FAQ when first
    used (kept in ``cache_dir`` beside the index, keyed by what it depends on)."""

    def __init__(self, carried: dict, retriever, faq, top_k: int, cache_dir: Path | None) -> None:
        super().__init__()
        self.carried, self.retriever, self.faq, self.top_k, self.cache_dir = carried, retriever, faq, top_k, cache_dir
        self._lock = threading.Lock()

    def __missing__(self, mode: str) -> Decider:
        with self._lock:
            if mode in self:
                return dict.__getitem__(self, mode)
            d = self._adapted(mode)
            self[mode] = d
            return d

    def _adapted(self, mode: str) -> Decider:
        base = self.carried[mode]
        ref = reference(base)
        key = hashlib.sha256(json.dumps([asdict(base), ref, self.faq.sha256, mode, negatives()], ensure_ascii=False,
                                        default=str).encode("utf-8")).hexdigest()[:16]
        path = self.cache_dir / f"selfcal-{mode}-{key}.json" if self.cache_dir else None
        if path is not None:
            try:
                return from_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, KeyError):
                pass
        d, info = adapt(base, ref, self.retriever, mode, self.faq, self.top_k)
        if info.get("z") is not None:
            log.info("kbqa: %s decision of %s: line at %.3f between its own questions (%.3f) and small talk (%.3f)",
                     mode, self.faq.title[:40], info["z"], info["pos"], info["neg"])
        if path is not None:
            try:
                path.write_text(to_json(d, info), encoding="utf-8")
            except OSError:
                pass  # a read-only index folder: worked out again next time
        return d


def to_json(d: Decider, info: dict) -> str:
    return json.dumps({"features": list(d.features), "weights": list(d.weights), "bias": d.bias,
                       "threshold": d.threshold, "source": d.source, "info": info}, ensure_ascii=False)


def from_json(text: str) -> Decider:
    m = json.loads(text)
    return Decider(tuple(m["features"]), tuple(m["weights"]), float(m["bias"]), float(m["threshold"]), m["source"])
