"""Sentence splitting, boilerplate, titles and version decisions on hand-made cases."""

from datetime import UTC, datetime

import pytest

from storywire.models import Kind, StoredArticle
from storywire.write import change
from storywire.write.sentences import is_boilerplate, split_sentences
from storywire.write.titles import clean_title


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Mr. Smith went to Washington. He met Sen. Jones at 3 p.m. Friday.",
            ["Mr. Smith went to Washington.", "He met Sen. Jones at 3 p.m. Friday."],
        ),
        (
            "The U.S. economy grew 2.1 percent. Analysts expected more.",
            ["The U.S. economy grew 2.1 percent.", "Analysts expected more."],
        ),
        (
            '"We will win," she said. "No doubt." The crowd cheered.',
            ['"We will win," she said.', '"No doubt."', "The crowd cheered."],
        ),
        (
            "LONDON (Reuters) - Britain voted to leave. Markets fell.",
            ["Britain voted to leave.", "Markets fell."],
        ),
        (
            "WASHINGTON — The Senate passed the bill. J. Doe objected.",
            ["The Senate passed the bill.", "J. Doe objected."],
        ),
        (
            "WASHINGTON ―House Majority Whip was still in critical condition.",
            ["House Majority Whip was still in critical condition."],
        ),
        (
            "WASHINGTON—Joining a chorus of bishops, 90 faculty signed.",
            ["Joining a chorus of bishops, 90 faculty signed."],
        ),
        ("U.S.-CHINA TALKS - not a dateline here.", ["U.S.-CHINA TALKS - not a dateline here."]),
        (
            "First paragraph ends here.\nSecond one starts here.",
            ["First paragraph ends here.", "Second one starts here."],
        ),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Sign up for our newsletter.",
        "Photo: Getty Images",
        "By John Smith",
        "Copyright 2020 Reuters.",
        "Reporting by Jane Doe; Editing by Bob Roe",
        "By JANE DOE and JOHN ROE, Associated Press",
        "Advertisement",
    ],
)
def test_boilerplate(sentence):
    assert is_boilerplate(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The Senate voted 52-48 to confirm the nominee on Friday.",
        # real NeuS leads the boilerplate rules used to drop
        "By early July, the death toll had declined to a low of about 400.",
        "The toll was revised to correct misreporting by hospitals, Wuhan officials said.",
        "Biden took steps to expand coverage, including a new chance to sign up for care.",
        "At least seven companies said on Thursday they were dropping advertisements"
        " from the show.",
    ],
)
def test_news_sentence_is_not_boilerplate(sentence):
    assert not is_boilerplate(sentence)


@pytest.mark.parametrize(
    "title, outlets, expected",
    [
        ("LIVE: Senate passes budget bill - BBC News", ("BBC News",), "Senate passes budget bill"),
        ("Opinion: Why the budget matters", (), "Why the budget matters"),
        ("Senate passes budget bill | Reuters", ("Reuters",), "Senate passes budget bill"),
        ("Storm hits coast (VIDEO)", (), "Storm hits coast"),
        ("Storm hits coast: here's what we know", (), "Storm hits coast"),
        ("Senate passes bill - Fox News", ("Fox News",), "Senate passes bill"),
    ],
)
def test_clean_title(title, outlets, expected):
    assert clean_title(title, outlets) == expected


def _a(id, outlet, text, kind=Kind.NEWS, title="Storm"):
    return StoredArticle(
        url=f"https://x/{id}",
        title=title,
        text=text,
        outlet=outlet,
        kind=kind,
        published=datetime(2024, 1, 1, tzinfo=UTC),
        id=id,
    )


def test_version_change_rules():
    old = [_a(1, "A", "Hurricane Ida hit Louisiana on Sunday, killing 4 people in New Orleans.")]
    same = _a(2, "A", "Hurricane Ida hit Louisiana, killing 4 people in New Orleans.")
    assert not change(old, [same]).meaningful  # same outlet, nothing new
    assert change(old, [_a(3, "B", same.text)]).new_outlets == ("B",)
    facts = _a(4, "A", "FEMA sent 3,000 workers to Baton Rouge as Entergy restored power.")
    delta = change(old, [facts])
    assert delta.meaningful and {"FEMA", "3,000", "Baton", "Entergy"} <= set(delta.new_facts)
    assert change(old, [_a(5, "A", "It is bad.", kind=Kind.OPINION)]).meaningful


def test_supported_by_needs_the_words_and_every_number():
    from storywire.write.grounding import supported_by

    art = _a(9, "A", "The Senate voted 52-48 on Friday to confirm Jane Roe as interior secretary.")
    assert supported_by("Jane Roe was confirmed as interior secretary by the Senate.", art)
    assert not supported_by("The Senate voted 61-39 to confirm Jane Roe.", art)  # wrong count
    assert not supported_by("Aliens landed in Ohio and ate the zoo's penguins.", art)
