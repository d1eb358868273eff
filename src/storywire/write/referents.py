"""Does a sentence name what its "that" + noun and its pronouns refer to?

Taken out of its article, "Wal-Mart calls that evidence unrepresentative" and
"Billions of dollars are at stake if it is allowed to go forward" point at things
only the article's earlier sentences named. No tagger is used, so only the readings
that word order makes near certain count:

- "that" + noun is a demonstrative after a preposition ("in that region") or a verb
  that takes an object and no clause ("calls that evidence", "rejected that
  argument"); after other words "that" is mostly a conjunction ("said that police
  ...") or a relative pronoun ("the bill that lawmakers passed"), left alone;
- a third-person pronoun inside the sentence (one opening it is ``readable.opener``'s)
  with nothing before it it could stand for: "he"/"his"/"she"/"her" with no name
  and no person before it, "they"/"their"/"them" with no name, plural or group,
  "it"/"its" with no name and no singular-looking noun (a noun in a fixed phrase,
  "at stake", "in fact", is none). Not counted: expletive "it" ("it is unclear
  whether", "it was reported that", "made it harder"), quoted words (the speaker's),
  and a pronoun in an opening phrase whose referent follows ("In his speech, Biden
  said ...").
"""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_THAT = re.compile(r"\b([A-Za-z]+) that ([a-z][a-z-]+)(?P<end>[.!?]?)")
_PREPOSITIONS = {
    "of", "in", "on", "at", "for", "with", "about", "from", "by", "to", "after", "before",
    "under", "over", "against", "into", "during", "despite", "like", "without", "through",
    "behind", "toward", "towards", "upon", "within", "beyond", "across", "amid", "among",
}  # fmt: skip
# Verbs whose object is a noun phrase, never a "that" clause.
_OBJECT_VERBS = {
    "calls", "called", "calling", "rejects", "rejected", "dismissed", "dismisses",
    "challenged", "challenges", "reversed", "overturned", "upheld", "signed", "vetoed",
    "approved", "passed", "made", "makes", "took", "takes", "won", "lost", "backed",
    "supported", "opposed", "defended", "criticized", "praised", "welcomed", "condemned",
    "ended", "blocked", "reached", "ignored", "questioned", "appealed", "scrapped",
    "dropped", "withdrew", "cited",
}  # fmt: skip
# A time ("at that time", "that day") is left to the judge of "the same day": a count
# of the writer's losses would tell whether it is worth it.
_NOT_REFERENT_NOUNS = {
    "day", "days", "week", "weeks", "weekend", "month", "months", "year", "years",
    "morning", "afternoon", "evening", "night", "season", "time", "times", "moment",
    "point", "hour", "hours", "far", "much", "many", "way", "kind", "sort", "end",
}  # fmt: skip
_PLACES = {"state", "city", "country", "region", "town", "area", "county", "province", "nation"}
_AMOUNTS = {"sum", "amount", "total", "figure", "number", "rate", "level", "price", "share"}
_NOT_NOUN = re.compile(r"(ly|ing|ed|est)$")


def _unquoted(sentence: str) -> str:
    """The sentence without its quoted words (the speaker's), straight apostrophes."""
    text = sentence.replace("’", "'")
    return _QUOTED.sub(" ", text) if '"' in text or "“" in text else text


def that_noun(sentence: str) -> str:
    """The words "that" + noun by which the sentence points at a thing it does not
    name, or '' (see the module doc)."""
    text = _unquoted(sentence)
    for m in _THAT.finditer(text):
        before, noun = m.group(1).lower(), m.group(2)
        closed = bool(m.group("end")) and before.endswith("ed")  # "ridiculed that story."
        if before not in _PREPOSITIONS and before not in _OBJECT_VERBS and not closed:
            continue
        if noun in ENGLISH_STOP_WORDS or noun in _NOT_REFERENT_NOUNS or _NOT_NOUN.search(noun):
            continue
        earlier = text[: m.start()]
        if noun[:5] in earlier.lower():
            continue  # named before: "two regions ... in that region"
        if noun in _PLACES and _names(earlier):
            continue  # "officials in Georgia ... in that state"
        if noun in _AMOUNTS and re.search(r"\d", earlier):
            continue  # "lost $321.6 billion ... of that sum"
        return f"{m.group(1)} that {noun}"
    return ""


_PRONOUN = re.compile(r"\b(it|its|they|their|them|he|his|him|she|her)\b")
_POSSESSIVES = {"his", "her", "its", "their"}
_KIND = {"he": "he", "him": "he", "his": "he", "she": "he", "her": "he", "it": "it", "its": "it"}
_KIND |= {"they": "they", "them": "they", "their": "they"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'.-]*")
_PERSON = re.compile(
    r"\b(man|woman|boy|girl|men|women|father|mother|son|daughter|wife|husband|brother"
    r"|sister|child|teen(ager)?|person|official|spokes\w*|president|governor|senator"
    r"|minister|leader|secretary|chief|director|judge|justice|mayor|suspect|victim|driver"
    r"|officer|lawyer|attorney|candidate|member|player|coach|executive|founder|author"
    r"|actor|actress|singer|star|king|queen|prince|princess|pope|host|reporter|doctor"
    r"|teacher|student|worker|employee|owner|chair(man|woman)?|lawmaker|congress(wo)?man"
    r"|representative|nominee|advis[eo]r|aide|friend|resident|citizen|soldier|veteran"
    r"|pilot|patient|voter|defendant|plaintiff|witness|gunman|shooter|ceo|speaker"
    r"|commissioner|ambassador|envoy|prosecutor|sheriff|chancellor|premier|dictator"
    r"|challenger|incumbent|rival|opponent|critic|supporter|ally|partner|boss|manager"
    r"|investor|billionaire|activist|protester|detective|agent|deputy|analyst|economist"
    r"|scientist|researcher|professor|expert|journalist|anchor|editor|commander|general"
    r"|captain|colonel|lieutenant|sergeant|admiral|head|who|whom|whose)\b",
    re.I,
)
# Words for a group that "they" may stand for, and pronouns that give one.
_GROUPS = {
    "people", "police", "children", "men", "women", "staff", "public", "military",
    "government", "administration", "company", "court", "congress", "team", "party",
    "family", "committee", "group", "agency", "department", "board", "panel", "council",
    "firm", "union", "crowd", "jury", "senate", "house", "campaign", "organization",
    "majority", "minority", "couple", "pair", "network", "bank", "country", "state",
    "city", "county", "nation", "coalition", "community", "industry", "media",
    "leadership", "who", "we", "us", "our", "those", "everyone", "anyone", "someone",
}  # fmt: skip
# Not "most of them", "some of them": a quantifier points at a group, it names none.
# A noun in a fixed phrase is nobody's referent: "at stake if it is allowed".
_FIXED = re.compile(
    r"\b(?:at (?:stake|risk|least|issue|large|odds|times|home|once|first)|in (?:place|time"
    r"|fact|part|charge|favou?r|power|effect|turn|line|office|order|case|doubt|addition"
    r"|response|court)|on (?:track|hold|board|top|record)|by far)\b",
    re.I,
)
_SINGULAR = re.compile(r"(ss|us|is|ics|news|series)$")  # "-s" that is no plural
# Expletive "it": "it is unclear whether", "it was reported that", "it takes time";
# a participle without "that" after it is referential ("it is allowed to go forward").
_IT_BE = re.compile(
    r"it(?:'s| is| was| will be| would be| has been| had been| may be| might be| could be"
    r"| should be| is not| was not| isn't| wasn't| won't be| remains| remained| seems"
    r"| seemed| appears| appeared| looks| looked| becomes| became| takes| took| will take"
    r"| would take| feels| felt| turns out| turned out)\b"
    r"(?: (?:not|also|still|now|already|no longer))? ?(\S*)( that\b)?"
)
_CALENDAR = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
}  # fmt: skip
OPENING_WORDS = 14
_MAKE_IT = {"make", "makes", "made", "making", "find", "finds", "found", "keep", "kept"}


def lone_pronoun(sentence: str) -> str:
    """The words before a pronoun inside the sentence that name nothing it could stand
    for, with the pronoun in brackets, or '' (see the module doc)."""
    text = _unquoted(sentence)
    comma = _opening_end(text)
    resolved: set[str] = set()  # a referent before one pronoun is before the next too
    for m in _PRONOUN.finditer(text):
        pronoun, before = m.group(1), text[: m.start()]
        if m.start() == 0 or (pronoun == "it" and _expletive(text, m.start())):
            continue
        kind = _KIND[pronoun]
        if kind in resolved or _referent(pronoun, before):
            resolved.add(kind)
            continue
        if m.start() < comma and _referent(pronoun, text[comma:], initial=False):
            continue  # "In his speech, Biden said ...": the referent follows
        if pronoun in _POSSESSIVES and _named_after(pronoun, text[m.end() :]):
            continue  # "The notion that payments to his lawyer ... implicate Trump"
        return f"{before.strip()} [{pronoun}]"
    return ""


def _opening_end(text: str) -> int:
    """Where an opening phrase of a few words ends at a comma ("As they held a call,"
    "A day after he signed the bill,"), or -1: its referent may follow the comma."""
    comma = text.find(",")
    head = text[: max(comma, 0)]
    if comma < 0 or len(head.split()) > OPENING_WORDS or any(c in head for c in ":;—–"):
        return -1
    return comma


def _named_after(pronoun: str, text: str) -> bool:
    person = pronoun in ("his", "her") and bool(_PERSON.search(text))
    return person or bool(_names(text, initial=False))


def _expletive(text: str, at: int) -> bool:
    words = text[:at].split()
    if words and words[-1].lower() in _MAKE_IT:
        return True  # "made it harder for workers"
    m = _IT_BE.match(text, at)
    if not m:
        return False
    participle = m.group(1).endswith(("ed", "en"))
    return not participle or bool(m.group(2))


def _names(text: str, initial: bool = True) -> list[str]:
    """Capitalised words (after the first of a sentence, capitalised anyway): names."""
    found = _WORD.findall(text)
    return [
        w
        for w in found[initial:]
        if w[0].isupper()
        and (w.lower() not in ENGLISH_STOP_WORDS or w[1:2].isupper())  # "US" is a name
        and w not in _CALENDAR  # "On Tuesday evening, he ..." names nobody
    ]


def _referent(pronoun: str, text: str, initial: bool = True) -> bool:
    """Could ``text`` (the sentence's start when ``initial``) hold what the pronoun
    stands for (number and person, roughly)?"""
    found = _WORD.findall(_FIXED.sub(" ", text))
    if not found:
        return False
    if _names(text, initial):
        return True
    lower = [w.lower() for w in found]
    if pronoun in ("he", "his", "him", "she", "her"):
        named = initial and lower[0] not in ENGLISH_STOP_WORDS  # "Trump said he"
        return named or bool(_PERSON.search(text))
    content = [w for w in lower if w not in ENGLISH_STOP_WORDS or w in _GROUPS]
    if pronoun in ("they", "their", "them"):
        return any(w in _GROUPS or _plural(w) for w in content)
    return any(not _plural(w) and not w.endswith("ly") for w in content)


def _plural(word: str) -> bool:
    return word.endswith("s") and not _SINGULAR.search(word)
