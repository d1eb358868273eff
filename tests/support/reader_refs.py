"""Reader-side judge of unnamed referents: a Story sentence with "that" + noun used as a
demonstrative ("Wal-Mart calls that evidence unrepresentative") or a pronoun inside it
("... at stake if it is allowed to go forward") that names nothing it could stand for.
Written apart from the writer's ``write/referents.py``: noun phrases are a determiner
and a word or a capitalised word after the first, not the writer's word lists."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .reader_words import NOT_NOUN as _NOT_NOUN
from .reader_words import QUOTE as _QUOTE
from .reader_words import STOP as _STOP
from .reader_words import TIMES as _TIMES
from .reader_words import content

# "that" + noun is a demonstrative after a preposition, or when nothing after the noun
# could be its clause's verb (end, punctuation, a preposition, an adjective: "calls that
# evidence unrepresentative"); never after a word that takes a clause ("said that",
# "so that", "the fact that").
_PREP = {
    "of", "in", "on", "at", "for", "with", "about", "from", "by", "to", "after", "before",
    "under", "over", "against", "into", "during", "despite", "without", "through", "and",
}  # fmt: skip
_CLAUSE_TAKERS = re.compile(
    r"(said|says|say|told|tell|tells|think|thinks|thought|believe[sd]?|know|knew|known|show"
    r"|shows|showed|shown|found|find|finds|claim(s|ed)?|argue[sd]?|note[sd]?|suggest(s|ed)?"
    r"|mean[st]?|so|now|such|fact|given|except|provided|clear|sure|aware|likely|hope[sd]?"
    r"|fear[sd]?|warn(s|ed)?|report(s|ed)?|insist(s|ed)?|ruled|decided|agreed|announced"
    r"|added|wrote|is|was|are|were|be|been|ensure[sd]?|evidence|sign|signs|idea|notion"
    r"|concern[sd]?|news|belief|view|allegations?|chance|possibility|way)$"
)
_ADJECTIVE = re.compile(r"^un\w+|(ous|able|ible|ful|ive|less)$")
_DETERMINERS = {
    "the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our",
    "one", "each", "every", "another", "whose", "which", "who", "whom",
}  # fmt: skip
_EXPLETIVE_NEAR = {
    "that", "whether", "clear", "unclear", "likely", "unlikely", "possible", "impossible",
    "difficult", "hard", "easy", "important", "necessary", "time", "true", "worth", "too",
    "enough", "seems", "seemed", "appears", "appeared", "remains", "takes", "took", "if",
}  # fmt: skip
_PEOPLE = re.compile(
    r"\b(man|woman|official|spokes(wo)?man|spokesperson|president|leader|judge|justice"
    r"|minister|senator|governor|mayor|officer|lawyer|attorney|father|mother|son|daughter"
    r"|wife|husband|chief|secretary|director|suspect|victim|commander|candidate|student"
    r"|teacher|girl|boy|player|member|child|nominee|speaker|host|doctor|driver|worker"
    r"|resident|voter|who)\b",
    re.I,
)
_PRONOUN_MID = re.compile(r"\b(he|him|his|she|her|it|its|they|them|their)\b")


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'-]*", text)


def _capitalised(words: list[str]) -> bool:
    """A capitalised word after the first that is no day or month: a name."""
    return any(w[0].isupper() and w.lower() not in _TIMES for w in words[1:])


def _noun_phrase(text: str) -> bool:
    """A determiner and a word, or a capitalised word after the first."""
    ws = _words(text)
    return _capitalised(ws) or any(a.lower() in _DETERMINERS for a in ws[:-1])


def _that_demonstrative(text: str) -> str:
    ws = text.split()
    for i in range(1, len(ws) - 1):
        if ws[i].lower() != "that" or ws[i - 1][-1] in ",;:":
            continue
        prev = re.sub(r"\W", "", ws[i - 1]).lower()
        noun = re.sub(r"[^\w-]", "", ws[i + 1])
        if not noun.islower() or noun in _STOP or noun in _TIMES or noun in _PAST:
            continue
        if _NOT_NOUN.search(noun) or noun.endswith("s") or _CLAUSE_TAKERS.match(prev):
            continue  # "that" + a plural or a verb: a relative or a conjunction
        follower = re.sub(r"\W", "", ws[i + 2]).lower() if i + 2 < len(ws) else ""
        loose = not ws[i + 1][-1].isalnum() or follower in _PREP or _ADJECTIVE.search(follower)
        verb = (
            prev.endswith(("ed", "s")) and not prev.endswith("ss") and bool(loose)
        )  # "calls that evidence unfair"
        if (prev in _PREP or verb) and not content(noun) & content(" ".join(ws[:i])):
            return f"{ws[i - 1]} that {noun}"
    return ""


_PAST = {
    "came", "left", "hit", "began", "went", "took", "made", "gave", "led", "won", "lost",
    "saw", "put", "set", "kept", "held", "brought", "sent", "told", "got", "ran", "fell",
    "rose", "drew", "grew", "broke", "spoke", "wrote", "flew", "knew", "meant", "let",
}  # fmt: skip


def _pronoun_alone(text: str) -> str:
    """A lower-case pronoun (one opening the sentence is the opener test's) with no
    noun phrase before it to stand for; he/she: no name or person in the sentence."""
    ws = _words(text)
    for m in _PRONOUN_MID.finditer(text):
        word, before = m.group(1), text[: m.start()]
        if word in ("he", "him", "his", "she", "her"):
            if _capitalised(ws) or _PEOPLE.search(text):
                continue
            if ws and ws[0].lower() not in _STOP:
                continue  # "Trump said he ..."
        elif word in ("it", "its"):
            near = {w.lower() for w in _words(text[m.end() :])[:3]}
            if word == "it" and (near & _EXPLETIVE_NEAR or _words(before)[-1:] in _MAKES):
                continue  # "it is unclear whether", "made it harder"
            head = _words(before)[:1]
            if _noun_phrase(before) or (head and _singular_name(head[0])):
                continue
        else:
            plural = [w.lower() for w in _words(before)]
            plural = [w for w in plural if w.endswith("s") or w in _PLURALS]
            counted = re.search(r"\d", before)  # "47% said they"
            if any(w not in _STOP for w in plural) or _noun_phrase(before) or counted:
                continue
        if word in ("its", "their") and _noun_phrase(" " + text[m.end() :]):
            continue  # "With its roots in ..., the holiday ..."
        return f"{before.strip()} [{word}]"
    return ""


_PLURALS = {"people", "police", "men", "women", "children", "staff", "public"}
_MAKES = [[w] for w in ("make", "makes", "made", "making", "keep", "kept", "find", "found")]


def _singular_name(word: str) -> bool:
    low = word.lower().removesuffix("'s")
    return low not in _STOP and (not low.endswith("s") or low.endswith("ss"))


def unnamed_referent(sentence: str) -> str:
    """A "that" + noun or a pronoun inside the sentence that names nothing it could
    stand for ("Wal-Mart calls that evidence unrepresentative", "Billions of dollars
    are at stake if it is allowed to go forward"), or ''. Quoted words are the
    speaker's; a referent may come later in the sentence for he/she ("In his speech,
    Biden said ...") and for "its"/"their" ("With its roots in ..., the holiday")."""
    text = _QUOTE.sub(" Quote ", sentence.replace("’", "'"))  # quoted words name something
    return _that_demonstrative(text) or _pronoun_alone(text)


def unnamed(body: Sequence[str], follows: dict[str, set[str]]) -> list[bool]:
    """Per Story sentence: an unnamed referent, and not right after its article's
    sentence before it."""
    return [
        bool(unnamed_referent(s)) and (i == 0 or body[i - 1] not in follows.get(s, set()))
        for i, s in enumerate(body)
    ]
