"""Small text helpers shared by retrieval and answering: terms, sentences, anaphora."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

from .documents.model import LIST_MARKER, continues_line

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these they "
    "this to was will with what which who whom whose why how when where does did do done has have had been being "
    "were its it's he she his her him them we you your our i me my can could would should may might must shall "
    "about from than so any all some more most other also just very up out over after before under again there's "
    "tell say said says give explain describe according sources source article articles".split()
)
ANAPHORA = frozenset("it its they them their theirs he him his she her this that these those former latter".split())
_DEMONSTRATIVE = r"(?:it|its|they|their|them|he|his|she|her|this|that|these|those|such)"
# A sentence that opens with a pronoun, a linking adverb, or a definite description followed by its verb
# ("The company said…", "This tool has…") leans on the sentence before it. No nouns are listed: any will do.
_REFERRING = (rf"{_DEMONSTRATIVE}\b|"
              r"(?:the|this|that|these|those)\s+[a-z][a-z-]*\s+(?:has|have|had|is|are|was|were|will|would|can|could|"
              r"may|might|must|should|also|then|now|still|said|says|added|denied|declined|did|does|do)\b")
_LINKING = r"(?:afterwards|however|also|and|but|moreover|furthermore|instead)\b"
_ANAPHORIC_OPENING = re.compile(rf"^(?:{_REFERRING}|{_LINKING})", re.IGNORECASE)
_REFERRING_OPENING = re.compile(rf"^(?:{_REFERRING})", re.IGNORECASE)
_DEFINITE_DESCRIPTION = re.compile(r"\b(?:the|this|that|these|those)\s+[a-z][a-z-]+\b")
_NAME_OR_CODE = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w-]*|[\w]+[._(][\w.()]*|\b\w*\d\w*\b")


@cache
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def terms(text: str) -> list[str]:
    """Content words, lower-cased and stemmed, stopwords removed: the units of lexical matching."""
    content = [w.removesuffix("'s") for w in words(text)]
    return _stemmer().stemWords([w for w in content if w and w not in STOPWORDS])


def is_anaphoric_question(question: str) -> bool:
    """True when the question leans on an earlier turn: a pronoun ("Has it tried to export that?"), or a
    definite description with no name of its own ("Where is the shipbuilder based?")."""
    if set(words(question)) & ANAPHORA:
        return True
    return bool(_DEFINITE_DESCRIPTION.search(question)) and not _NAME_OR_CODE.search(question.strip())


# (A hyphenated lower-case tail is not part of the name: "URL-building" names URLs, "OpenSSL-backed" OpenSSL.)
_CAPITALISED_RUN = re.compile(r"\b[A-Z]\w*(?:-[A-Z0-9]\w*)*(?:\s+(?:of\s+)?[A-Z0-9]\w*(?:-[A-Z0-9]\w*)*)*")
# Code identifiers name a subject as surely as capitalised names do: dotted, snake_case, or called.
# (It starts a word: a long token is not searched from each of its letters.)
# ("section.<name>.key": a placeholder may stand for one part.)
_IDENTIFIER = re.compile(r"(?<![\w.])(?:[A-Za-z_]\w*(?:\.(?:[A-Za-z_]\w*|<\w+>))*\.[A-Za-z_]\w*|[A-Za-z]\w*_\w+|"
                         r"[A-Za-z_]\w*(?=\(\)))")
_ABBREVIATION = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?")  # "e.g", "U.S": dotted letters are no identifier
# A long command-line option ("--dry-run") names a setting as surely; a one-letter one ("-x") is too short to
# find anything by.
_OPTION = re.compile(r"(?<![\w-])--[A-Za-z][\w-]*[A-Za-z0-9]")


_CODE_SPAN = r"[A-Za-z_][\w.\-]{1,39}"


def is_identifier(name: str) -> bool:
    """Whether a name is written as code (dotted, snake_case or called) rather than as words."""
    return _IDENTIFIER.fullmatch(name) is not None or _OPTION.fullmatch(name) is not None or \
        (name.endswith("()") and _IDENTIFIER.match(name) is not None)


def names_in(text: str) -> list[str]:
    """What a text names, in reading order: code (a `code span`, an identifier written as code: "harbour.Crane",
    "lift_cargo()", or a command-line option: "--dry-run") and capitalised word runs ("Ada Lovelace", "MAXLEN"),
    except a sentence's first word, which is capitalised whatever it is."""
    found: list[tuple[int, str]] = []
    for match in re.finditer(rf"`({_CODE_SPAN})`|({_IDENTIFIER.pattern})|({_OPTION.pattern})", text):
        name = match.group(1) or match.group(2) or match.group(3)
        if not _ABBREVIATION.fullmatch(name):
            found.append((match.start(), name))
    code = [name for _, name in found]
    for match in _CAPITALISED_RUN.finditer(text):
        name = match.group(0)
        if match.start() == 0 or re.search(r"[.?!:]\s*$", text[:match.start()]):
            name = name.split(maxsplit=1)[1] if " " in name else ""
        if len(name) > 1 and name.lower() not in STOPWORDS and words(name) and not any(name in c for c in code):
            found.append((match.start(), name))
    return list(dict.fromkeys(_singular(name) for _, name in sorted(found)))


def _singular(name: str) -> str:
    """An acronym's plural is the acronym ("VPNs" names a VPN, "APIs" an API)."""
    return name[:-1] if re.fullmatch(r"[A-Z]{2,}s", name) else name


def opens_with_anaphor(sentence: str) -> bool:
    """True when a sentence needs the one before it to make sense ("The tech has been integrated...", or an aside
    in parentheses)."""
    return sentence.lstrip().startswith("(") or bool(_ANAPHORIC_OPENING.match(sentence.strip(" “\"'")))


def opens_with_reference(sentence: str) -> bool:
    """True when a sentence opens by referring to something named before it ("Its founder…", "The tool has…"),
    not merely linking to what came before ("Also note…")."""
    return bool(_REFERRING_OPENING.match(sentence.strip(" “\"'")))


def introduces_what_follows(text: str) -> bool:
    """Whether a text ends by introducing what comes after it ("…the following keys:", "…add this line:")."""
    return text.rstrip().endswith(":")


_POINTER = re.compile(
    r"^\(?(?:(?:please )?(?:see(?: also)?|refer to)|please read|"
    r"for (?:more |further )?(?:details|information)(?: on [^,]+)?, see)\b", re.I)


def is_pointer(sentence: str) -> bool:
    """True when a sentence only sends the reader elsewhere ("See description of show command in git-stash(1).",
    "For details, see the rigging manual."): it names where an answer is, it does not give one."""
    return bool(_POINTER.match(sentence.strip(" “\"'")))


# Abbreviations of general English (Latin, titles, months, units of reference) that untrained punkt would end a
# sentence at. None belongs to a corpus; "etc." is left out since it ends sentences as often as not.
ABBREVIATIONS = frozenset(
    "e.g i.e eg ie viz vs cf al approx dept est fig figs no nos vol vols pp ed eds rev ch sec art para cir "
    "mr mrs ms dr prof st jr sr gen col lt sgt capt gov sen rep inc ltd co corp bros "
    "jan feb mar apr jun jul aug sep sept oct nov dec a.m p.m u.s u.k u.n e.u ph.d b.sc m.sc".split())


@cache
def punkt() -> PunktSentenceTokenizer:
    """The sentence splitter: NLTK's punkt with its default parameters (the ones llama-index bundles), told the
    common abbreviations; built here directly so a process does not import llama-index for it. Compared with
    pysbd and syntok in `bench/segmenters.py`: it keeps the most gold quotes whole and is the fastest."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    parameters = PunktParameters()
    parameters.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(parameters)


# A stop inside quotes or brackets ("then '.' is returned", "the ‘!’ has no special meaning", "(size, time,
# etc.) for entries") ends no sentence when the text carries on in lower case.
_QUOTED_STOP = re.compile(r"[.!?]['\"`’”)\]]+$")


def sentences_of(text: str) -> list[tuple[int, int]]:
    """punkt's sentence spans of one block of prose, with breaks undone after a quoted or bracketed stop followed by
    lower case ("then '.' is returned", "etc.) for entries") and where no space follows the stop ("extensions.*
    were"): a sentence starts after a space."""
    spans: list[tuple[int, int]] = []
    for start, end in punkt().span_tokenize(text):
        if spans and (start == spans[-1][1] or (_QUOTED_STOP.search(text[spans[-1][0]:spans[-1][1]])
                                               and text[start:start + 1].islower())):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of a passage as (start, end) offsets: lines first (a line that carries on the one
    before in lower case belongs to it: hard-wrapped text), then punkt within each.

    Leading bullets and surrounding whitespace are excluded from the spans.
    """
    spans: list[tuple[int, int]] = []
    for block_start, block in _blocks(text):
        stripped = block.lstrip()
        lead = len(block) - len(stripped)
        bullet = LIST_MARKER.match(stripped)
        if bullet:
            lead += bullet.end()
        body = block[lead:].rstrip()
        if body:
            spans.extend((block_start + lead + s, block_start + lead + e) for s, e in sentences_of(body))
    return spans


def _blocks(text: str) -> list[tuple[int, str]]:
    """(offset, text) of each line, with lower-case continuation lines joined to the line before."""
    blocks: list[tuple[int, str]] = []
    position = 0
    for line in text.split("\n"):
        if blocks and blocks[-1][1].strip() and continues_line(line):
            blocks[-1] = (blocks[-1][0], f"{blocks[-1][1]}\n{line}")
        else:
            blocks.append((position, line))
        position += len(line) + 1
    return blocks
