"""storywire.text: each cut, stem and name rule does what its one-line reason says."""

from pathlib import Path

import pytest

from storywire import text
from storywire.text import capitalised, names, plural, stem, topic_words, words


@pytest.mark.parametrize(
    "cut, sample, expected",
    [
        ("plain", "Łódź's 2nd_round, U.S.", ["Łódź", "s", "2nd_round", "U", "S"]),
        ("topic", "a US ban, 5 ok", ["US", "ban", "ok"]),
        (
            "english",
            "Don't cut 1,000 well-known jobs",
            ["Don't", "cut", "1,000", "well-known", "jobs"],
        ),
        ("fact", "anti-semitism's rise", ["anti", "semitism", "s", "rise"]),
        ("headline", "2024 vote: Müller’s win", ["vote", "Müller’s", "win"]),
        ("prose", "said O'Brien on Mon_day", ["said", "O'Brien", "on", "Mon_day"]),
    ],
)
def test_each_cut(cut, sample, expected):
    assert words(sample, cut) == expected


def test_topic_words_pair_unspaced_scripts():
    assert topic_words("东京 Tokyo a") == ["东京", "tokyo"]
    assert topic_words("新系列") == ["新系", "系列"]


@pytest.mark.parametrize(
    "how, pairs",
    [
        ("crude", {"tapering": "taper", "taper": "taper", "votes": "vot", "#uk": "#uk"}),
        ("topic", {"tapering": "taper", "warszawie": "warszaw", "الحكومة": "حكومة"}),
        ("topic", {"investigation": "investi", "investment": "investm", "#uk": "#uk"}),
        ("light", {"Votes": "vot", "voted": "vot", "voting": "vot", "Biden's": "biden"}),
        ("porter", {"electors": "elector", "electoral": "elector", "running": "run"}),
        ("plural", {"cities": "city", "Votes": "vote", "elected": "elected", "press": "press"}),
    ],
)
def test_each_stem(how, pairs):
    assert {word: stem(word, how) for word in pairs} == pairs


def test_names_in_any_script_or_ascii_only():
    sample = "Łódź and Москва met McDonald's CEO on 3 May, 1,200 said."
    assert names(sample) == ["Łódź", "Москва", "McDonald's", "CEO", "3", "May", "1,200"]
    assert names(sample, any_script=False) == ["McDonald", "CEO", "3", "May", "1,200"]
    assert capitalised("Obama") and not capitalised("obama") and not capitalised("")


def test_plural():
    assert plural(1, "outlet") == "1 outlet"
    assert plural(0, "outlet") == "0 outlets"
    assert plural(2, "story", "stories") == "2 stories"
    assert plural(1, "story", "stories", width=3) == "  1 story"


def test_every_cut_and_stem_is_documented_with_a_reason():
    source = Path(text.__file__).read_text(encoding="utf-8")
    for name in (*text.CUTS, *text.STEMS):
        line = source.index(f'"{name}": ')
        assert source[:line].rstrip().splitlines()[-1].lstrip().startswith("#"), name


def test_clustering_stop_words_keep_scikit_learns_english_list() -> None:
    """The English list is a copy (clustering no longer imports scikit-learn)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from storywire.cluster.stopwords import ENGLISH, STOP_WORDS

    assert frozenset(ENGLISH.split()) == ENGLISH_STOP_WORDS
    assert ENGLISH_STOP_WORDS <= STOP_WORDS
