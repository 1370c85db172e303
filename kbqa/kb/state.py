"""Building what ``Engine.ask()`` serves: the FAQ (with the owners' overlay), its index, the retriever, the
not-covered deciders and the catalog, as one immutable ``Loaded``. The engine installs one at a time; the live
KB (``kbqa.kb.live``) builds the next one beside it while the current one keeps serving."""
from __future__ import annotations

import sys
from pathlib import Path

from kbqa.errors import KbqaError
from kbqa.settings import MODES


def build_state(engine, force_build: bool = False, overlay_text: str | None = None):
    """A new ``Loaded`` for the engine's settings (``overlay_text``: the overlay to use instead of the file's).
    Loads the index when one exists for this exact FAQ and model, else builds it (into a temp folder renamed
    into place). Raises KbqaError (one line)."""
    from kbqa.answer.decide import Decider, feature_names
    from kbqa.answer.scope import ScopeModel
    from kbqa.conversation.catalog import Catalog
    from kbqa.corpus.loader import load_examples, load_faq
    from kbqa.engine import Loaded
    from kbqa.index.store import IndexStateError, IndexStore
    from kbqa.models.embedders import EmbedderError
    from kbqa.retrieval.glossary import Glossary
    from kbqa.retrieval.retriever import Retriever

    settings = engine.settings
    try:
        faq = load_faq(Path(settings.corpus), overlay=settings.overlay_path, overlay_text=overlay_text)
    except FileNotFoundError:
        raise KbqaError(f"corpus not found: {settings.corpus} (set KBQA_CORPUS)") from None
    except ValueError as e:
        raise KbqaError(f"corpus {settings.corpus} is invalid: {str(e).splitlines()[0]}") from None
    try:
        root = settings.index_root
        cross = engine.crosslingual
        path = IndexStore.path_for(root, faq.sha256, engine.embedder, cross)
        store = None
        if not force_build:
            try:
                store = IndexStore.load(path, faq.sha256, engine.embedder.identity(),
                                        cross.identity() if cross is not None else None)
            except IndexStateError as e:
                if path.exists():
                    _say(engine, f"kbqa: {e}; rebuilding")
        if store is None:
            _say(engine, f"kbqa: building the index for {len(faq.units)} units ({engine.embedder.name})")
            store = IndexStore.build(root, faq.units, faq.sha256, engine.embedder, cross=cross,
                                     progress=engine.progress)
    except EmbedderError as e:
        raise KbqaError(str(e)) from None
    except OSError as e:
        raise KbqaError(f"cannot write the index under {settings.home}: {e.strerror or e}") from None
    deciders = {m: Decider.load(settings.calibration_path, engine.profile(m), feature_names(m, cross is not None))
                for m in MODES}
    glossary = Glossary.load(settings.glossary_path)
    scope = None
    if cross is not None and not settings.calibration_carried:  # fitted on this FAQ's own dev questions only
        scope = ScopeModel.load(settings.calibration_path, engine.profile("hybrid"),
                                (engine.embedder.dim, cross.dim))
    retriever = Retriever(faq.units, store, engine.embedder, cross=cross, glossary=glossary, scope=scope)
    if settings.calibration_carried:  # a new FAQ without a dev set: the line is placed on the FAQ itself
        from kbqa.answer.selfcal import CarriedDeciders

        deciders = CarriedDeciders(deciders, retriever, faq, settings.top_k, getattr(store, "path", None))
        deciders[settings.mode]  # now, not on the first question
    return Loaded(faq=faq, store=store, retriever=retriever, deciders=deciders, catalog=Catalog(faq, glossary.spellings),
                  examples=load_examples(settings.corpus, faq))


def _say(engine, msg: str) -> None:
    if engine.progress:
        print(msg, file=sys.stderr)
