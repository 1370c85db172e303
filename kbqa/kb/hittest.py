"""Hit testing for the FAQ's owners (the admin page): what ``Engine.ask()`` would do with a question and why -
the route, each channel's top units, the fused ranking and the not-covered decision - on the served KB version,
without answering or recording it."""
from __future__ import annotations

from kbqa.types import HitTest


def explain(engine, question, mode: str | None = None, top: int = 5) -> HitTest:
    """Hit testing: the route, each channel's top units and the not-covered decision for ``question`` on the
    served KB version, without answering or recording it (InvalidQuestion for what ask() refuses)."""
    from dataclasses import asdict as _asdict

    import numpy as np

    from kbqa.conversation.routing import Context, understand
    from kbqa.answer.decide import outside_scope, well_inside

    q = engine.validate(question)
    mode = mode or engine.settings.mode
    state = engine.load()
    intent = understand(q, state.catalog, Context([], None))
    known = state.catalog.known_question(q)
    if known is not None:
        route, detail = "known", {"topic": known.topic, "refused": known.topic is None}
    else:
        route = intent.kind
        detail = {k: v for k, v in _asdict(intent).items() if k not in ("kind", "lang") and v not in ("", (), False)}
        detail = {k: list(v) if isinstance(v, tuple) else v for k, v in detail.items()}
    r = state.retriever.search(q, mode, engine.settings.top_k)
    decider = state.deciders[mode]
    covered, p = decider.covered(r.features)
    covered = (covered or well_inside(r.features, p)) and not outside_scope(r.features, p)  # as ask() decides a first
    units = state.faq.units

    def unit(i: int, score: float) -> dict:
        u = units[int(i)]
        return {"unit": u.id, "topic": u.topic, "expert": u.expert, "score": round(float(score), 4)}

    channels = {}
    for name, (ids, scores, weight) in r.channels.items():
        order = np.argsort(-scores, kind="stable")[:top]
        channels[name] = [{**unit(ids[j], scores[j]), "weight": round(float(weight), 4)} for j in order]
    fused = [{"rank": h.rank, **unit(state.retriever.position(h.unit), h.score)} for h in r.hits[:top]]
    weights = {f: round(float(w), 4) for f, w in zip(decider.features, decider.weights)}
    return HitTest(question=q, kb_version=state.faq.version, mode=mode, route=route, route_detail=detail,
                   covered=bool(covered), confidence=round(float(p), 4), threshold=float(decider.threshold),
                   decider=str(decider.source), features={k: round(float(v), 4) for k, v in r.features.items()},
                   weights={**weights, "bias": round(float(decider.bias), 4)}, channels=channels, fused=fused)
