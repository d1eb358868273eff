"""bench/semeval_encoder.py's operating-point arithmetic (the encoder itself is optional
and not needed here)."""

import numpy as np

from bench.semeval_encoder import false_joins_at, recall_at


def test_recall_at_five_percent_false_joins():
    # 20 different pairs scored 0..19: at 5% one may pass, so the threshold is the
    # second highest (18); same pairs strictly above it count.
    diff = np.arange(20.0)
    same = np.array([17.0, 18.0, 18.5, 30.0])
    s = np.r_[same, diff]
    lab = np.r_[np.ones(4, int), np.zeros(20, int)]
    everything = np.ones(len(s), bool)
    assert recall_at(s, lab, everything) == 0.5


def test_false_joins_where_recall_is_085():
    # 20 same pairs 10..29: recall 0.85 keeps those >= 13; different pairs 0..19 at or
    # above 13: 7 of 20.
    s = np.r_[np.arange(10.0, 30.0), np.arange(20.0)]
    lab = np.r_[np.ones(20, int), np.zeros(20, int)]
    everything = np.ones(len(s), bool)
    assert false_joins_at(s, lab, everything, everything) == 0.35
    # the threshold comes from the reference group's same pairs (20..29: recall 0.85
    # keeps those >= 21), which no different pair reaches.
    ref = np.r_[np.zeros(10, bool), np.ones(30, bool)]
    assert false_joins_at(s, lab, everything, ref) == 0.0
