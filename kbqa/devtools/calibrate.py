"""`kbqa calibrate`: fit the answer / not-covered decision on the project's dev eval set.

For each retrieval mode, a logistic regression over retrieval features (how much of the question the FAQ's
vocabulary covers, the best dense similarity, the best BM25 score per token) separates in-scope questions
(topic set) from out-of-scope ones (topic null). The decision threshold is the one that meets the quality
bar with the widest margin on dev (see ``fit``). Only dev data is used; test is for reporting.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from kbqa.evaluation.metrics import QUALITY_BAR
from kbqa.answer.decide import feature_names
from kbqa.settings import REPO_ROOT

# The two figures of the quality bar that the decision threshold trades against each other.
OOD_FLOOR = QUALITY_BAR["ood_accuracy"][1]
FR_CEILING = QUALITY_BAR["false_refusal_rate"][1]

def features_of(engine, mode: str) -> tuple[str, ...]:
    return feature_names(mode, mode == "hybrid" and engine.crosslingual is not None)


def usable(item: dict) -> bool:
    """Topical rows, and conversation rows that must be refused without context (near-domain questions): the
    rows whose answer is retrieval's decision alone."""
    if "expect" not in item:
        return True
    return item.get("expect_kind") == "not_covered" and not item.get("history")


def features_for(engine, items: list[dict], mode: str) -> tuple[list[list[float]], list[int]]:
    from kbqa.engine import InvalidQuestion

    X, y = [], []
    retriever = engine.load().retriever
    for it in filter(usable, items):
        try:
            q = engine.validate(it["question"])
        except InvalidQuestion:
            continue
        r = retriever.search(q, mode, engine.settings.top_k)
        if r.features["n_words"] == 0:
            continue  # decided without the model
        X.append([r.features[f] for f in features_of(engine, mode)])
        y.append(0 if it.get("topic") is None else 1)
    return X, y


def fit(X, y, names) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    scaler = StandardScaler().fit(X)
    lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(scaler.transform(X), y)
    w = lr.coef_[0] / scaler.scale_
    b = float(lr.intercept_[0] - np.sum(lr.coef_[0] * scaler.mean_ / scaler.scale_))
    p = 1 / (1 + np.exp(-(X @ w + b)))
    # The threshold that best meets the quality bar on dev: maximise the smaller of the two margins
    # (ood_accuracy - its floor, false-refusal ceiling - false_refusal_rate); ties go to fewer refusals.
    best = None
    for t in np.unique(np.round(p, 4)):
        answered = p >= t
        fr = float((~answered[y == 1]).mean()) if (y == 1).any() else 0.0
        ood = float((~answered[y == 0]).mean()) if (y == 0).any() else 1.0
        key = (round(min(ood - OOD_FLOOR, FR_CEILING - fr), 6), -fr)
        if best is None or key > best[0]:
            best = (key, float(t), fr, ood)
    (_, _), t_best, fr, ood = best
    # halfway to the next lower probability generalises better than the exact training value
    lower = p[p < t_best]
    threshold = float((t_best + lower.max()) / 2) if len(lower) else t_best
    return {"features": list(names), "weights": [float(x) for x in w], "bias": b, "threshold": threshold,
            "dev_false_refusal_rate": fr, "dev_ood_accuracy": ood, "n": int(len(y)),
            "n_in_scope": int(y.sum())}


DEV_SETS = ("eval/dev.jsonl", "eval/dev_oldtest.jsonl", "eval/dev_conv.jsonl")


def default_dev_sets(settings) -> list[Path]:
    """The repo's dev sets for its own FAQ; DIR/dev.jsonl beside another FAQ; else a one-line error."""
    from kbqa.errors import KbqaError

    if settings.own_faq:
        return [REPO_ROOT / f for f in DEV_SETS]
    beside = Path(settings.corpus).parent / "dev.jsonl"
    if beside.is_file():
        return [beside]
    raise KbqaError(f"no dev set for {settings.corpus}: pass --dev FILE (or put dev.jsonl beside it); without one "
                    "the decision is carried over and its line set on the FAQ's own questions")


def default_out(settings) -> Path:
    """KBQA_CALIBRATION; else eval/calibration.json for the repo's FAQ, DIR/calibration.json beside another."""
    if settings.calibration is not None:
        return Path(settings.calibration)
    if settings.own_faq:
        return REPO_ROOT / "eval" / "calibration.json"
    return Path(settings.corpus).parent / "calibration.json"


def reference_line(engine, mode: str, m: dict) -> dict:
    """Where the fitted line sits between this FAQ's own questions and the generic negatives (kbqa.answer.selfcal),
    as a ratio: carried over to a new FAQ, it puts the line at the same place between that FAQ's own."""
    import math

    from kbqa.answer import selfcal
    from kbqa.answer.decide import Decider

    d = Decider(tuple(m["features"]), tuple(m["weights"]), float(m["bias"]), float(m["threshold"]))
    state = engine.load()
    pos, neg = selfcal.scores(d, state.retriever, mode, state.faq, engine.settings.top_k)
    z0 = math.log(d.threshold / (1 - d.threshold)) - d.bias
    return selfcal.line_of(z0, pos, neg)


def scope_sets(files: list[Path]) -> list[Path]:
    """The scope model's questions: every dev*.jsonl beside the dev sets (the repo's eval/ holds many samples)."""
    folders = dict.fromkeys(f.parent for f in files)
    return sorted({g for d in folders for g in d.glob("dev*.jsonl")} | set(files))


def scope_rows(engine, files: list[Path], decider) -> dict:
    """The usable rows of ``files`` (grouped 64 at a time) as the scope model and the memory learn them: their e5 and
    cross-lingual vectors, labels, groups, and the hybrid decision ``decider``'s log-odds and verdict on each."""
    import numpy as np

    from kbqa.answer.scope import log_odds
    from kbqa.engine import InvalidQuestion
    from kbqa.evaluation.dataset import load as load_set
    from kbqa.index.chunks import dense_text

    retriever = engine.load().retriever
    texts, y, groups, odds, answered = [], [], [], [], []
    for f in files:
        for i, it in enumerate(filter(usable, load_set(f))):
            try:
                q = engine.validate(it["question"])
            except InvalidQuestion:
                continue
            if not q.strip():
                continue
            covered, p = decider.covered(retriever.search(q, "hybrid", engine.settings.top_k).features)
            texts.append(dense_text(q))
            y.append(0 if it.get("topic") is None else 1)
            groups.append(f"{f.name}#{i // 64}")
            odds.append(log_odds(p))
            answered.append(covered)
    return {"e5": np.asarray(engine.embedder.embed_queries(texts), dtype=np.float64),
            "cross": np.asarray(engine.crosslingual.embed_queries(texts), dtype=np.float64), "y": np.asarray(y),
            "groups": groups, "odds": np.asarray(odds), "answered": np.asarray(answered, dtype=bool)}


def fit_scope(rows: dict) -> dict | None:
    """kbqa.answer.scope's model over ``scope_rows`` (the scope line is set beside the decision's verdicts)."""
    import numpy as np

    from kbqa.answer.scope import fit as fit_scope_model

    e5, cross = rows["e5"], rows["cross"]
    return fit_scope_model(np.hstack([e5, cross]), rows["y"], rows["groups"], (e5.shape[1], cross.shape[1]),
                           rows["odds"], rows["answered"])


def fit_memory(rows: dict, s: dict, path: Path) -> dict | None:
    """kbqa.answer.memory over ``scope_rows``, written to ``path``: its line among the rows the decision answers and
    the scope model ``s`` (a calibration.json entry) does not veto; held out a whole eval file at a time."""
    import numpy as np

    from kbqa.answer import memory
    from kbqa.answer.scope import P_WEIGHT, ScopeModel

    model = ScopeModel.of(s)
    vetoed = np.array([model.margin(e, c) + P_WEIGHT * o < 0 for e, c, o in zip(rows["e5"], rows["cross"], rows["odds"])],
                      dtype=bool)
    files = [g.split("#")[0] for g in rows["groups"]]
    return memory.fit(rows["e5"], rows["y"], files, rows["answered"] & ~vetoed, path)


def run(args) -> int:
    import tempfile

    from kbqa.answer.decide import Decider
    from kbqa.answer.scope import MIN_ROWS
    from kbqa.engine import Engine
    from kbqa.errors import KbqaError
    from kbqa.settings import Settings

    settings = Settings.from_env()
    # Retrieval only: the deciders of the file being refitted are not loaded (they may be stale).
    engine = Engine(settings.with_(calibration=Path(tempfile.mkdtemp()) / "none.json"))
    files = [Path(f) for f in (args.dev or default_dev_sets(settings))]
    from kbqa.evaluation.dataset import load as load_set

    items = [it for f in files for it in load_set(f)]
    out = Path(args.out or default_out(settings))
    try:
        doc = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = {}
    doc.setdefault("models", {})
    decision = args.only is None  # --only scope / memory keeps the stored decision (memory: the scope model too)
    if decision:
        doc["note"] = "Fitted by `kbqa calibrate` on " + ", ".join(str(f) for f in files) + "; do not edit by hand."
    for mode in ("lexical", "dense", "hybrid") if decision else ():
        X, y = features_for(engine, items, mode)
        key = engine.profile(mode)
        doc["models"][key] = fit(X, y, features_of(engine, mode))
        m = doc["models"][key]
        m["line"] = reference_line(engine, mode, m)
        print(f"{key}: dev ood_accuracy {m['dev_ood_accuracy']:.3f}, false_refusal_rate "
              f"{m['dev_false_refusal_rate']:.3f}, threshold {m['threshold']:.3f} (n={m['n']})", file=sys.stderr)
    if engine.crosslingual is not None:
        scope_files = [Path(f) for f in args.scope_dev] if args.scope_dev else scope_sets(files)
        key = engine.profile("hybrid")
        if key not in doc["models"]:
            raise KbqaError(f"{out} has no decision for {key}: run `kbqa calibrate` without --only first")
        m = doc["models"][key]
        decider = Decider(tuple(m["features"]), tuple(m["weights"]), float(m["bias"]), float(m["threshold"]))
        rows = scope_rows(engine, scope_files, decider)
        if args.only != "memory":
            s = fit_scope(rows)
            doc.setdefault("scope", {}).pop(key, None)
            if s is None:
                print(f"scope: not fitted: {len(scope_files)} files hold fewer than {MIN_ROWS} in-scope or out-of-scope "
                      "questions", file=sys.stderr)
            else:
                doc["scope"][key] = s
                s["files"] = len(scope_files)
                print(f"scope: {s['n']} questions ({s['n_in_scope']} in scope) from {len(scope_files)} files; on held-out "
                      f"folds it refuses {s['held_out_vetoed_in_scope']} of the {s['answered_in_scope']} in-scope ones "
                      f"the decision answers and {s['held_out_vetoed_out_of_scope']} of the {s['answered_out_of_scope']} "
                      "others", file=sys.stderr)
        s = doc.get("scope", {}).get(key)
        if s is None and args.only == "memory":
            raise KbqaError(f"{out} has no scope model for {key}: run `kbqa calibrate --only scope` first")
        if s is not None:  # (a dev set too small for a scope model: the decision is still written)
            s.pop("memory", None)
            mem = fit_memory(rows, s, out.with_name(out.stem + ".memory.npz"))
            if mem is not None:
                s["memory"] = mem
                print(f"memory: {mem['n']} questions ({mem['n_in_scope']} in scope); each file left out, it refuses "
                      f"{mem['held_out_vetoed_in_scope']} of the {mem['answered_in_scope']} in-scope ones the decision "
                      f"and the scope model answer and {mem['held_out_vetoed_out_of_scope']} of the "
                      f"{mem['answered_out_of_scope']} others", file=sys.stderr)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0
