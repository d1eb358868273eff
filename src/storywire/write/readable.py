"""Can a sentence stand on a story page by itself, and where does it go?

A sentence taken out of its article must not lean on the sentence before it: one
that opens on a pronoun or a connective ("He added", "But", "However") lost its
referent, and one with unbalanced quote marks or a lower-case start is a fragment
(`It sounds horrible to me," Trump added.`). Nor may it point back, anywhere in it,
at something it does not name: "The Wal-Mart case dwarfs those rulings in importance."
("those rulings", "the latter", "the same day", "the two men"). A quote stays only
inside a sentence that names its speaker. The Story is put in news order: what
happened, details, reactions (quotes and statements), then background (earlier events,
context).
"""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .referents import lone_pronoun, that_noun

PRONOUNS = (
    "he", "she", "it", "they", "this", "these", "that", "those", "his", "her", "their",
    "its", "him", "them", "there", "such", "both", "the latter", "the former", "we", "i", "our",
    "you", "one of them", "another", "others", "some of them", "neither", "either",
)  # fmt: skip
CONNECTIVES = (
    "but", "however", "and", "also", "meanwhile", "still", "yet", "so", "thus",
    "therefore", "instead", "moreover", "furthermore", "additionally", "nevertheless",
    "nonetheless", "in addition", "as a result", "even so", "then", "besides", "otherwise",
    "in response", "at the same time", "that's", "it's", "he's", "she's", "they're",
    "likewise", "similarly", "by contrast", "in contrast", "on the other hand", "again",
    "or", "nor", "plus", "later", "afterward", "afterwards", "in turn", "as well",
    "except", "unlike", "for his part", "for her part", "for their part", "in fact",
    "indeed", "after that",
    "the move", "the same",
)  # fmt: skip
_OPENERS = sorted(PRONOUNS + CONNECTIVES, key=len, reverse=True)
_SPEECH = re.compile(
    r"\b(said|says|say|saying|told|tells|telling|added|adds|adding|wrote|writes|tweeted"
    r"|tweeting|stated|asked|declared|declaring|announced|according to|testified|argued"
    r"|warned|warning|insisted|explained|noted|claimed|claiming|claims|vowed|vowing|vows"
    r"|promised|promising|admitted|admits|conceded|acknowledged|acknowledging|called"
    r"|calling|described|describing|disclosed|demanded|demanding|urged|urging|accused"
    r"|accusing|alleged|alleging|denied|denying|replied|responded|continued|wondered)\b",
    re.I,
)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_TERM = re.compile(r"^[\"“]\S+(\s\S+){0,3}[\"”]$")  # a quoted term, not a quote: "AUKUS"
_SPEAKER = re.compile(
    r"\b([A-Z][a-z]+|[A-Z]{2,}|spokes(wo)?man|spokesperson|officials?|police|lawyers?"
    r"|attorneys?|aides?|officers?|authorities|prosecutors?|witness(es)?|residents?"
    r"|president|governor|senator|minister|leader|secretary|chief|director|judge|mayor"
    r"|lawmakers?|company|agency|department|ministry|campaign|report|statement)\b"
)
_NOT_NAMES = {"The", "A", "An", "In", "On", "At", "As", "After", "But", "And", "When", "If"}
_BACKGROUND = re.compile(
    r"\b(last (year|month|week|spring|summer|fall|winter)|in (19|20)\d\d|earlier this"
    r"|previously|had been|years? ago|months ago|since (19|20)\d\d|former|first (took|came"
    r"|was)|has long|for years|history|in the past)\b",
    re.I,
)
_REACTION = re.compile(
    r"\b(criticized|criticised|praised|condemned|welcomed|responded|reacted|slammed|blasted"
    r"|denounced|applauded|called (it|the|on)|in a statement)\b",
    re.I,
)
BACKGROUND_POSITION = 6  # sentences this deep in every reporting article are context

# Pointing back: "this", "these", "those" before a lower-case word that is no function
# word, no time of writing ("this week", "these days") and not named earlier in the
# sentence ("two rulings ... those rulings"); "the same day" ending a clause (not "the
# same day the council voted"); "the latter", "the former", "the two", "both" with a
# group noun, unless two names come before them ("Trump and Kim ... the two leaders").
# Not "such a": its referent is most often earlier in the same sentence, in other words
# ("a bill ... such a measure"); NeuS train R-2 -0.007 with it, +0.006 without.
_DEMONSTRATIVE = re.compile(r"\b(?:this|these|those) ([a-z][a-z-]+)")
_NOW = {
    "day", "days", "week", "weeks", "weekend", "month", "months", "year", "years",
    "morning", "afternoon", "evening", "night", "season", "spring", "summer", "fall",
    "autumn", "winter", "time", "times", "decade", "century", "moment", "hour", "hours",
    "holiday", "country", "nation", "administration", "world", "far", "past", "fiscal",
    "coming", "current",
}  # fmt: skip
_NOT_NOUN = re.compile(r"(ly|ing|ed|est)$")
_GROUP = (
    r"men|women|leaders|countries|nations|companies|candidates|governments|firms|teams"
    r"|players|senators|presidents|cases|rulings|incidents|attacks|bills|deals|reports"
)
_END = r"(?=\s*[,.;:]|$)"
_POINTS_BACK = re.compile(
    rf"\b(?:the same (?:day|week|month|year|night|morning|afternoon|evening){_END}"
    rf"|the others?{_END}|(?P<named>the latter|the former(?=\s*[,.;:]|\s+(?:is|was|has|had"
    rf"|would|will|said)\b)|(?:the two|both)(?= (?:{_GROUP})\b| (?:are|were|have|had)\b"
    rf"|\s*[,.;:])))",
    re.I,
)
_CAPITAL = re.compile(r"\b[A-Z]\w+")


def points_back(sentence: str) -> str:
    """The words by which the sentence points back at something it does not name, or ''
    (see the comment above; a demonstrative inside quoted words is the speaker's)."""
    text = sentence.replace("’", "'")
    for m in _POINTS_BACK.finditer(text):
        names = set(_CAPITAL.findall(text[: m.start()])) - _NOT_NAMES
        if not (m.group("named") and len(names) >= 2):
            return m.group(0)
    outside = _QUOTED.sub(" ", text)
    for m in _DEMONSTRATIVE.finditer(outside):
        noun = m.group(1)
        if noun in ENGLISH_STOP_WORDS or noun in _NOW or _NOT_NOUN.search(noun):
            continue
        if noun[:5] not in outside[: m.start()].lower():
            return m.group(0)
    return ""


_STRIPPABLE = re.compile(
    r"^(but|however|and|also|meanwhile|still|yet|so|moreover|furthermore|additionally"
    r"|in addition|nevertheless|nonetheless|indeed|in fact|at the same time|plus)\b,?\s+"
    r"(?=[A-Za-z\"“])",
    re.I,
)


def strip_connective(sentence: str) -> str:
    """The sentence without a leading connective ("But", "However,"): a deletion
    that keeps every fact, and a capital letter."""
    m = _STRIPPABLE.match(sentence)
    if not m:
        return sentence
    rest = sentence[m.end() :]
    return rest[:1].upper() + rest[1:]


def opener(sentence: str) -> str:
    """The pronoun or connective the sentence opens on, or ''."""
    head = sentence.lstrip("\"'“‘(").lower().replace("’", "'")
    for word in _OPENERS:
        if head.startswith(word) and not head[len(word) : len(word) + 1].isalnum():
            return word
    return ""


def broken_quote(sentence: str) -> bool:
    """Unbalanced quote marks, or a fragment starting in lower case."""
    s = sentence.strip()
    return s.count('"') % 2 == 1 or s.count("“") != s.count("”") or s[:1].islower()


def quoted_share(sentence: str) -> float:
    """The share of the sentence's words inside quote marks."""
    quoted = sum(len(m.group(0).split()) for m in _QUOTED.finditer(sentence))
    return quoted / max(1, len(sentence.split()))


def has_quote(sentence: str) -> bool:
    """Quoted words beyond a quoted term of a few words."""
    return any(not _TERM.match(m.group(0)) for m in _QUOTED.finditer(sentence))


def names_speaker(sentence: str) -> bool:
    """A speech verb and a named speaker (a name or a role) outside the quoted words."""
    outside = _QUOTED.sub(" ", sentence)
    speakers = [m.group(0) for m in _SPEAKER.finditer(outside)]
    return bool(_SPEECH.search(outside)) and any(w not in _NOT_NAMES for w in speakers)


def stands_alone(sentence: str) -> bool:
    """Readable without the sentence before it; a quote only with its speaker named."""
    if opener(sentence) or broken_quote(sentence) or points_back(sentence):
        return False
    if that_noun(sentence) or lone_pronoun(sentence):
        return False
    return not has_quote(sentence) or names_speaker(sentence)


def section(sentence: str, position: int) -> int:
    """News order: 1 details, 2 reactions (quotes, statements), 3 background."""
    if position >= BACKGROUND_POSITION or (position >= 3 and _BACKGROUND.search(sentence)):
        return 3
    if has_quote(sentence) or _REACTION.search(sentence):
        return 2
    return 1
