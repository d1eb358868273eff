"""bench/write_cv.py: its features reproduce the writer's hand score, and its listwise
fit finds the feature that picks the best sentence."""

import numpy as np
import pytest

pytest.importorskip("rouge_score")  # the `bench` extra

from storywire.models import Kind
from storywire.write import ExtractiveWriter
from storywire.write.scoring import candidates, score

from bench import write_cv
from tests.support.realstories import basil_stories


def test_hand_weights_over_the_features_are_the_writers_score(data_dir):
    writer, learned = ExtractiveWriter(words=56), write_cv.LearnedWriter(write_cv.HAND)
    for arts, _ in basil_stories(data_dir, 20):
        news = [a for a in arts if a.kind == Kind.NEWS and a.duplicate_of is None]
        cands = candidates(news)
        X = write_cv.features(cands, news)
        assert np.allclose(X @ write_cv.HAND, score(cands, len(news))[0])
        assert learned.write(arts) == writer.write(arts)


def test_listwise_fit_finds_the_deciding_feature():
    rng = np.random.default_rng(0)
    prepared = []
    for _ in range(200):
        X = rng.normal(size=(12, len(write_cv.FEATURES)))
        y = np.clip(0.2 + 0.05 * X[:, 4] + 0.01 * rng.normal(size=12), 0, 1)
        prepared.append({"X": X, "r2f": y, "ok": np.ones(12, dtype=bool)})
    coef = write_cv.fit_lead(prepared, list(range(200)), "r2f", 1.0, 30.0)
    assert int(np.argmax(np.abs(coef))) == 4 and coef[4] > 0
