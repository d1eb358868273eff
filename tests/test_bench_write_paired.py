"""bench/write_paired.py: its what-if switch really lets non-stand-alone sentences in and
is restored after, and the paired differences are computed story by story."""

import numpy as np
import pytest

pytest.importorskip("rouge_score")  # the `bench` extra

from storywire.write import ExtractiveWriter
from storywire.write.readable import stands_alone

from bench import write_paired
from tests.support.realstories import basil_stories


def test_rule_off_lets_sentences_in_that_do_not_stand_alone_and_is_restored(data_dir):
    writer = ExtractiveWriter(words=120)
    stories = [arts for arts, _ in basil_stories(data_dir, 40)]
    shipped = [writer.write(arts) for arts in stories]
    with write_paired.rule_off():
        off = [writer.write(arts) for arts in stories]
    assert all(stands_alone(s.text) for d in shipped for s in d.body)
    assert any(not stands_alone(s.text) for d in off for s in d.body)
    assert [writer.write(arts) for arts in stories] == shipped  # restored


def test_paired_differences_are_per_story():
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [2.0, 2.0, 2.0]])
    b = np.array([[0.0, 2.0, 3.0], [1.0, 2.0, 1.0], [2.0, 2.0, 2.0]])
    mean, se, differ = write_paired.paired(a, b)
    assert np.allclose(mean, [1.0, 0.0, 0.0]) and differ == 2
    assert np.isclose(se[0], np.std([1.0, 2.0, 0.0], ddof=1) / np.sqrt(3)) and se[1] == 0
