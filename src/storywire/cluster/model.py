"""The "same story" pair model: logistic regression over per-candidate features.

Features of (article, candidate story) pairs are computed for all candidates at once,
and several are normalised per article against the other candidates (z-score, ratio
to the best, gap to the best other), because similarity scales of headline-only and
full-text articles differ a lot. The weights ship in ``pair_model.json`` and are
reproduced by ``tools/train_cluster_model.py`` from the shared labelled data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

FEATURES = (
    "c_all",
    "c_title",
    "c_ent",
    "z_all",
    "rel_all",
    "gap_all",
    "rel_title",
    "dt_days",
    "same_outlet",
    "log_size",
    "headline_only",
    "headline_x_c_all",
    "headline_x_c_title",
)

PSEUDO = 3
REL_FLOOR = 0.3


def pair_features(
    c_all: np.ndarray,
    c_title: np.ndarray,
    c_ent: np.ndarray,
    dt_days: np.ndarray,
    same_outlet: np.ndarray,
    size: np.ndarray,
    headline_only: bool,
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate story."""
    n = c_all.size
    # Per-document normalisation against the other candidates, with PSEUDO background
    # candidates at similarity 0 (and a floor under the best) so that a lone weak
    # candidate does not look like a clear winner.
    ref = np.concatenate([c_all, np.zeros(PSEUDO)])
    dev = ref - ref.sum() / ref.size
    z = (c_all - ref.sum() / ref.size) / (np.sqrt((dev * dev).sum() / ref.size) + 0.05)
    best = int(np.argmax(c_all))
    h = float(headline_only)
    x = np.empty((n, len(FEATURES)))
    x[:, 0], x[:, 1], x[:, 2], x[:, 3] = c_all, c_title, c_ent, z
    x[:, 4] = c_all / max(float(c_all[best]), REL_FLOOR)
    x[:, 6] = c_title / max(float(c_title.max()), REL_FLOOR)
    if n > 1:
        order = np.argsort(c_all)
        best_other = np.full(n, c_all[order[-1]])
        best_other[order[-1]] = c_all[order[-2]]
        x[:, 5] = c_all - best_other
    else:
        x[:, 5] = c_all
    x[:, 7] = np.minimum(dt_days, 7.0)
    x[:, 8], x[:, 9], x[:, 10] = same_outlet, np.log1p(size), h
    x[:, 11], x[:, 12] = h * c_all, h * c_title
    return x


@cache
def _columns(features: tuple[str, ...]) -> list[int]:
    """The columns of :func:`pair_features` a model uses (looked up once, not per call)."""
    return [FEATURES.index(f) for f in features]


@dataclass(frozen=True)
class PairModel:
    version: str
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float  # join the best open story when its probability reaches this
    late_threshold: float  # ... and a closed story only when it reaches this
    features: tuple[str, ...] = FEATURES  # the columns of :func:`pair_features` it uses

    def prob(self, x: np.ndarray) -> np.ndarray:
        """P(same story) of each row of :func:`pair_features`."""
        z = ((x[:, _columns(self.features)] - self.mean) / self.scale) @ self.coef + self.intercept
        p: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        return p

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "late_threshold": self.late_threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PairModel:
        if not set(data["features"]) <= set(FEATURES):
            raise ValueError("pair model was trained on other features")
        return cls(
            str(data["version"]),
            np.array(data["mean"]),
            np.array(data["scale"]),
            np.array(data["coef"]),
            float(data["intercept"]),
            float(data["threshold"]),
            float(data["late_threshold"]),
            tuple(data["features"]),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> PairModel:
        """The shipped model, or the one at ``path``."""
        if path is not None:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        raw = resources.files("storywire.cluster").joinpath("pair_model.json").read_text()
        return cls.from_json(json.loads(raw))


def untrained() -> PairModel:
    """A hand-set fallback (cosine-like), used before the first training run."""
    coef = np.zeros(len(FEATURES))
    coef[0] = 1.0
    return PairModel(
        "untrained", np.zeros(len(FEATURES)), np.full(len(FEATURES), 0.1), coef, -1.8, 0.5, 0.9
    )
