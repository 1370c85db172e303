"""The not-covered decision: does the FAQ answer this question? A logistic model over retrieval features
(how much of the question the FAQ knows, how well the best chunks match, how far they stand out), fitted on
a dev set by `kbqa calibrate` and stored in eval/calibration.json under the retrieval profile's key."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Decider:
    """Logistic model over retrieval features, fitted on eval/dev.jsonl by `kbqa calibrate`."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    source: str = "default"

    def probability(self, feats: dict[str, float]) -> float:
        z = self.bias + sum(w * feats.get(f, 0.0) for f, w in zip(self.features, self.weights))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def covered(self, feats: dict[str, float]) -> tuple[bool, float]:
        if feats.get("n_words", 0.0) == 0:
            return False, 0.0
        p = self.probability(feats)
        return p >= self.threshold, p

    @classmethod
    def load(cls, path: Path, profile: str) -> "Decider":
        """The fitted model for this profile, else the lexical-only one, else an uncalibrated rule."""
        try:
            models = json.loads(Path(path).read_text(encoding="utf-8"))["models"]
        except (OSError, ValueError, KeyError):
            models = {}
        for key in (profile, profile.split(":")[0] + ":*", "lexical:*"):
            m = models.get(key)
            if m:
                return cls(tuple(m["features"]), tuple(m["weights"]), float(m["bias"]),
                           float(m.get("threshold", 0.5)), f"{path}#{key}")
        # Uncalibrated fallback: most query words must occur in the FAQ.
        return cls(("cov_any",), (12.0,), -7.0, 0.5, "uncalibrated")
