"""What kind of answer a question asks for, and whether a sentence could contain one.

"How many…" wants a quantity and "When…/In which year…" a time; a sentence with no
quantity (or no time expression) cannot answer such a question however close its topic is.
This is a classic check in extractive question answering, and it is what lets the
assistant refuse "In which year did X happen?" when the sources never give the year.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

# Money is asked for with money words; "how much" alone asks for any amount ("how much memory", "how much must
# the lines be indented"), and verbs like "raise" or "fine" only mean money next to "how much" ("how much did
# it raise" vs "which exception does it raise").
_MONEY_QUESTION = re.compile(
    r"\bhow much money\b|\b(?:price|prices|priced|cost|costs|revenue|revenues|valuation|worth|salary|fee|fees)\b|"
    r"\bhow much\b.*\b(?:raise[ds]?|raising|fined?|pay|paid|charge[sd]?|earn(?:s|ed)?|spen[dt]|sell|sold)\b",
    re.I)
_QUANTITY_QUESTION = re.compile(r"\bhow (?:many|much|big|large|small|heavy|wide|deep|tall|far|fast)\b|"
                                r"\bwhat (?:number|share|amount)\b", re.I)
# "What <measure>…" / "At what <measure>…" asks for a value that is a number: a size, a limit, a rate. The nouns are
# the general vocabulary of measurement, in any field.
_MEASURE_QUESTION = re.compile(
    r"\b(?:what|which)\s+(?:[\w-]+\s+){0,3}?(size|length|limit|level|rate|speed|voltage|current|temperature|"
    r"pressure|frequency|duration|timeout|interval|capacity|depth|width|height|weight|distance|threshold|"
    r"resolution|bandwidth|throughput|latency|port)s?\b(?=\s*\?|\s+(?:is|are|was|were|does|do|did|can|will|would|should|"
    r"must|has|have|of|for|in|on|at|to|with|before|after|when|if)\b)",  # the head noun ("size estimates": no)
    re.I)
# A measure is given in its own words or units: a size in bytes, a length in characters, a rate per second. A
# number next to none of them ("one of the formats") is not the level or the rate asked about.
_TIME_UNITS = r"duration|seconds?|minutes?|hours?|days?|milliseconds?|microseconds?"
_DATA_UNITS = r"bytes?|bits?|kilobytes?|megabytes?|gigabytes?"
_LENGTH_UNITS = r"long|short|inch(?:es)?|feet|foot|miles?|meters?|metres?|millimet(?:er|re)s?|centimet(?:er|re)s?"
_PER = r"per|every|hertz|baud"
_EXTENT = rf"length|width|wide|columns?|characters?|chars?|digits?|words?|lines?|{_DATA_UNITS}|{_LENGTH_UNITS}"
_MEASURE_WORDS: dict[str, str] = {
    "size": rf"size|large|big|small|{_DATA_UNITS}",
    "length": _EXTENT,
    "width": _EXTENT,
    "limit": r"limit|limited|maximum|max|minimum|min|at most|up to|at least|no more than|capped|caps?",
    "level": r"levels?",
    "rate": rf"rate|{_PER}",
    "speed": rf"speed|fast|slow|{_PER}",
    "voltage": r"volts?|voltage",
    "current": r"current|amps?|amperes?",
    "temperature": r"temperature|degrees?",
    "pressure": r"pressure|bar|psi",
    "frequency": rf"frequency|times|{_PER}",
    "duration": _TIME_UNITS,
    "timeout": rf"time(?:s|d)? ?out|{_TIME_UNITS}",
    "interval": rf"interval|{_PER}|{_TIME_UNITS}",
    "latency": rf"latency|{_TIME_UNITS}",
    "capacity": rf"capacity|holds?|stores?|{_DATA_UNITS}",
    "depth": rf"depth|deep|{_LENGTH_UNITS}",
    "height": rf"height|high|tall|rows?|lines?|{_LENGTH_UNITS}",
    "distance": rf"distance|far|{_LENGTH_UNITS}",
    "weight": r"weight|heavy|weighs?|pounds?|tons?|tonnes?|kilograms?|grams?",
    "threshold": r"threshold|limit|above|below|exceeds?|more than|less than",
    "port": r"ports?|listens?|listening",
    "resolution": r"resolution|dpi|pixels?",
    "bandwidth": rf"bandwidth|{_PER}",
    "throughput": rf"throughput|{_PER}",
}
# A number with a unit symbol ("12 V", "3.5 GHz", "64KiB", "200 ms") is a measure of its own kind, whatever was asked.
_UNIT_SYMBOL = re.compile(r"\d\s?(?:(?:[kMGT]?(?:Hz|B|iB|bps|b/s)|[mµnk]?(?:s|m|g|V|A|W|Pa)|°[CF]|px|dpi|psi|K)\b"
                          r"(?![ \t]+[A-Za-z])|%)")  # "Step 3 A user…" gives no current
# "What is the largest / maximum…" asks for a bound, and a number said to be one: "at least one space" does not
# give the maximum length of anything.
_UPPER_BOUND_QUESTION = re.compile(r"\bthe (?:largest|maximum|highest|biggest|longest|greatest)\b|\bmaximum \w+", re.I)
_UPPER_BOUND = re.compile(r"\b(?:maximum|max|at most|up to|no more than|not more than|largest|highest|biggest|"
                          r"longest|greatest|upper|limit(?:s|ed)?|cap(?:s|ped)?|exceed\w*|more than|greater than|"
                          r"larger than|longer than|infinite|unlimited|unbounded)\b", re.I)
_LOWER_BOUND_QUESTION = re.compile(r"\bthe (?:smallest|minimum|lowest|shortest|least)\b|\bminimum \w+", re.I)
_LOWER_BOUND = re.compile(r"\b(?:minimum|min|at least|no less than|not less than|no fewer than|smallest|lowest|"
                          r"shortest|lower|limit(?:s|ed)?|less than|fewer than|smaller than|shorter than)\b", re.I)
# "How many … per second" asks for a rate: an amount per unit of time ("512 KiB per read" is none). ("Onto a
# second line" asks for none.)
_PER_TIME = (r"\b(?:per|each|every) (?:second|minute|hour|day|week|month|year)\b|"
             r"\ba (?:second|minute|hour|day|week|month|year)\b(?!\s+[a-z])")
_RATE_QUESTION = re.compile(rf"{_PER_TIME}|/s\b", re.I)
_RATE = re.compile(rf"{_PER_TIME}|/\s?(?:s|sec|min|h)\b|\d\s?(?:[kMG]?(?:bps|B/s|Hz)|rpm|fps)\b|"
                   r"\b(?:hourly|daily|weekly|monthly|yearly|annually)\b", re.I)
# "How many bytes / seconds…" asks for an amount in that dimension: a number of items ("one of the workers")
# does not answer it.
_DATA_SIZE_QUESTION = re.compile(r"\bhow (?:many|much) (?:\w+ )?(?:bits|bytes|kilobytes|megabytes|gigabytes|terabytes|"
                                 r"[KMGT]i?B)\b|\bhow much (?:memory|disk|storage)\b", re.I)
_DATA_SIZE = re.compile(rf"\d\s*(?:[KMGT]i?B|[kmg]b|{_DATA_UNITS}|terabytes?)\b|\b(?:{_DATA_UNITS})\b", re.I)
# ("How long may the label be?" asks for a length: a duration is asked with a verb of time.)
_DURATION_QUESTION = re.compile(r"\bhow (?:many|much) (?:\w+ )?(?:milliseconds|seconds|minutes|hours|days|weeks|"
                                r"months|years)\b|\bhow long\b.*\b(?:take|takes|took|last|lasts|lasted|wait|waits|"
                                r"stay|stays|remain|remains|keep|keeps|kept)\b", re.I)
_DURATION = re.compile(r"\b(?:milli|micro|nano)?seconds?\b|\b(?:minutes?|hours?|days?|weeks?|months?|years?)\b|"
                       r"\d\s*(?-i:ms|s|h|min|µs|us|ns)\b|\b(?:forever|indefinitely)\b", re.I)
# An exit status is a number said to be one ("exits with status 2", "returns 1", "exit code 0").
_EXIT_STATUS_QUESTION = re.compile(r"\b(?:what|which) (?:exit|return|status) (?:status|code|value)\b", re.I)
_EXIT_STATUS = re.compile(r"\b(?:exit(?:s|ed|ing)?|status|code|returns?|returned)(?:\s+(?:with|of|code|status|"
                          r"value|is|was|=|:))*\s+-?\d+|\b\d+\s+(?:exit\s+)?(?:status|code)\b", re.I)
_FREQUENCY_QUESTION = re.compile(r"\bhow (?:often|frequently)\b", re.I)
_FREQUENCY = re.compile(r"\b(?:every|each|per|daily|hourly|weekly|monthly|yearly|annually|always|never|times|"
                        r"once|twice|continuously|periodically|seconds?|minutes?|hours?|days?|Hz|hertz)\b", re.I)
_PROPORTION_QUESTION = re.compile(r"\bwhat (?:percentage|proportion|fraction|factor|ratio)\b|"
                                  r"\bhow (?:many times|much) (?:more|less|faster|slower|larger|smaller|bigger)\b",
                                  re.I)
_PROPORTION = re.compile(r"%|\bper ?cent\b|\d(?:\.\d+)?\s*(?:x|×|times)\b|\b(?:twice|double|triple|half|"
                         r"quarter|third|times|fold)\b|\d+\s*(?:/|out of|in)\s*\d+", re.I)
_COMPLEXITY_QUESTION = re.compile(r"\b(?:time|space|memory|computational|algorithmic) complexity\b", re.I)
# A bound is "O(n log n)" or an order of growth said of time or space ("in linear time"): "a linear ordering" is none.
_COMPLEXITY = re.compile(r"\bO\(|\b(?:linear|logarithmic|log-linear|linearithmic|quadratic|cubic|polynomial|"
                         r"exponential|constant)(?:[ -](?:time|space|memory)\b|\s+in\s+(?:the\s+)?"
                         r"(?:n\b|number|size|length))|\btime\s+(?:linear|logarithmic|quadratic|proportional)\b",
                         re.I)
# "What is the default…" asks for the value a thing has when nobody sets it: the sentence names the default and
# gives a literal (a number, a quoted or code value, a boolean-like word).
_DEFAULT_QUESTION = re.compile(r"\bwhat(?:'s| is| are| was| were)? (?:the )?(?:\S+'s? )?default\b|"
                               r"\bdefault (?:value|setting)\b|^\s*(?:what|which)\b[^?]*\bthe default \w+", re.I)
_DEFAULT = re.compile(r"\bdefault", re.I)
# "the default timeout": what the default is of, unless a word for any setting ("the default value").
_DEFAULT_OF = re.compile(r"\bdefault ((?!(?:value|setting|option|behaviou?r|mode|choice|configuration|action|one|for|"
                         r"when|with|and|that|this|the|used|does|will|can|should|if|in|on|of|to|is|are|was|were)s?\b)"
                         r"[a-z]{3,})\b", re.I)
# "[default: summary]", "Default: all", "defaults to full", "the default is to wait": the value is what follows.
_DEFAULT_LABEL = re.compile(r"\bdefault(?::|s to| is| was)\s*[\w<\-]", re.I)
# ("on", "off", "yes", "no" are left out: as ordinary words they are everywhere.)
_LITERAL = re.compile(r"\d|[`'\"“”‘’]|\b(?:true|false|none|null|nil|enabled|disabled|empty|unset|"
                      r"unlimited|infinite|zero)\b", re.I)
# "Who wrote / founded / created…" and "Who is the author / founder…" ask for a person: the answer names one, as
# a personal name is written in English (two or more capitalised words, initials allowed).
_PERSON_QUESTION = re.compile(
    r"^\s*who\b.*\b(?:wrote|written|authored|founded|co-founded|created|invented|designed|maintains|maintained)\b|"
    r"^\s*who (?:is|are|was|were) the (?:authors?|founders?|co-founders?|creators?|inventors?|designers?|"
    r"maintainers?)\b", re.I)
# The person must be named in the role asked about: the founder where founding is said, the author where writing
# is. A verb and its agent noun are one role ("who founded" is answered by "its founder, Ann Lee").
_ROLES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked, re.I), re.compile(said, re.I)) for asked, said in (
        (r"\b(?:wrote|written|authored|authors?)\b", r"\b(?:wr(?:ote|itten|ites|iters?)|authou?r(?:s|ed)?)\b"),
        (r"\b(?:co-)?found(?:ed|ers?)\b", r"\b(?:co-?)?found(?:ed|ers?|ing)\b"),
        (r"\bcreat(?:ed|ors?)\b", r"\bcreat(?:ed|ors?|es|ing)\b"),
        (r"\binvent(?:ed|ors?)\b", r"\binvent(?:ed|ors?|ion)\b"),
        (r"\bdesign(?:ed|ers?)\b", r"\bdesign(?:ed|ers?)\b"),
        (r"\bmaintain(?:s|ed|ers?)\b", r"\bmaintain(?:s|ed|ers?|ing)\b")))
# A title-case label ("Source Code:", "Release Notes:") is not a name.
_PERSON = re.compile(r"(?-i:\b[A-Z][a-z]+(?:[ \t]+[A-Z]\.)*[ \t]+(?:(?:van|von|de|der|da|di|le)[ \t]+)?[A-Z][a-z]+\b)"
                     r"(?![ \t]*:)")
# "Which exception / error…" is answered by a sentence that names one (an exception class or the word itself).
_EXCEPTION_QUESTION = re.compile(r"\b(?:which|what) (?:[\w-]+ )?(?:exceptions?|errors?|warnings?)\b", re.I)
_EXCEPTION = re.compile(r"\b\w*(?:Error|Exception|Warning|Exit|Interrupt)\b|\b(?:exceptions?|errors?|warnings?)\b")
_TIME_QUESTION = re.compile(
    r"^\s*when (?:did|was|were|will)\b|\bsince when\b|\bwhat (?:year|date|day|month|time)\b|"
    r"\bwhich (?:year|date|day|month)\b|\bhow long ago\b|"
    r"\bin (?:what|which) year\b|\bon (?:what|which) (?:date|day)\b", re.I)
_NUMBER_WORDS = (r"once|twice|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                 r"hundreds?|thousands?|millions?|billions?|dozens?|several|half")
# "one" as a pronoun ("allows one to", "one of the formats") and "once" as a conjunction ("once this size is
# reached") count nothing.
_NOT_A_NUMBER = r"(?!(?<=\bone)\s+(?:of|to|can|could|may|might|must|should|would|will|needs?|has|is|that|which|" \
                r"who)\b)(?!(?<=\bonce)\s+(?:the|this|that|these|those|a|an|it|its|they|you|we|he|she|all|each|every)\b)"
# A digit inside a name ("ASN1_MAX", "utf8", "sha256") counts nothing either, nor does a year (1800-2049) unless a
# unit follows it ("2048 bytes", "2000 ms").
_NO_UNIT = (r"(?!\s?(?:[KMGT]i?B|bytes?|bits?|ms|s|sec|seconds?|minutes?|px|pixels?|characters?|chars?|lines?|rows?|"
            r"items?|entries|words?|[kMG]?Hz|rpm|mm|cm|km|kg|m|g|%)\b)")
# ("name(1)" refers to a manual section and "HTTP/1.1" names a protocol: they count nothing either.)
_QUANTITY = re.compile(rf"(?<![\w,./])(?<!\w\()(?!(?:1[89]\d|20[0-4])\d\b{_NO_UNIT})\d[\d,.]*|"
                       rf"\b(?:{_NUMBER_WORDS})\b{_NOT_A_NUMBER}", re.I)
# An amount of money by its shape: a currency sign, an ISO 4217-style code next to a number ("USD 40",
# "12 EUR"), a large round amount ("3.5bn"), or a generic unit word. No currency of any corpus is listed.
_MONEY = re.compile(r"[$€£¥₹₩₽₺₪₫฿¢]|(?-i:\b[A-Z]{3}\s?\d|\d\s?[A-Z]{3}\b)|"
                    r"\b\d+(?:\.\d+)?\s*(?:m|bn|million|billion)\b|"
                    r"\b(?:dollars?|euros?|pounds? sterling|cents?|pence)\b", re.I)
_TIME = re.compile(
    r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tomorrow)\b|"
    r"\b(?:last|next|this|previous) (?:week|month|year|decade)\b|\b(?:days?|weeks?|months?|years?) "
    r"(?:before|after|ago|earlier|later)\b|\b(?:shortly|soon|immediately) (?:before|after)\b", re.I)


_REASON_QUESTION = re.compile(r"^\s*why\b|\bwhat (?:was|is|were|are) the reasons?\b|\bfor what reason\b", re.I)
# English ways of giving a cause or a purpose: connectives, "for" + gerund ("fined for dumping"), and the
# words "reason" / "cause" themselves. Nothing here names a subject: any corpus's reasons read this way.
_REASON = re.compile(
    r"\b(?:because|since|as a result|as a consequence|due to|owing to|thanks to|on account of|in order to|so that|"
    r"so as to|therefore|hence|thus|reasons?|caus(?:e|es|ed|ing)|for \w+ing)\b", re.I)


_VERSION_QUESTION = re.compile(r"\b(?:which|what) (?:[\w.-]+ ){0,2}?(?:versions?|releases?)\b|\bsince (?:which|what)\b",
                               re.I)
# A version is a number: "3.11", "v2", "version 4", "release 7" (the word alone names none).
_VERSION = re.compile(r"\b\d+\.\d+(?:\.\d+)*\b|\bv\d|\b(?:version|release)\s+\d", re.I)
_YEAR_QUESTION = re.compile(r"\b(?:what|which) year\b", re.I)
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:last|next|this|previous) year\b|\byears? (?:ago|earlier|later|"
                   r"before|after)\b", re.I)


# A question opening with an auxiliary verb is answered yes or no, whatever it mentions ("Does X tell me how many
# records were read?" is answered by what X counts, not by a number).
_YES_NO_QUESTION = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|may|might|must|has|have|had)(?:n't)?\b",
    re.I)


# What answers yes or no: a sentence that says what can, may, must or has to be, or what is not, never or only so. A
# yes/no question prefers such sentences; it does not require them ("It supports decryption." answers too).
_STATES_WHETHER = re.compile(r"\b(?:not|no|never|cannot|can|may|must|always|only|none|neither|nor|without|"
                             r"(?:has|have|had|needs?) to|required|rather than|instead of)\b|n't\b", re.I)


# "Is there a maximum size…?" asks whether a bound exists: only a sentence that speaks of one (or of none:
# "unlimited") answers it.
_LIMIT_QUESTION = re.compile(r"^\s*(?:is|are) there (?:a|an|any) (?:[\w-]+ ){0,2}?(?:maximum|minimum|limit|limits|cap|"
                             r"upper bound|lower bound)\b", re.I)
_LIMIT = re.compile(r"\b(?:maximum|minimum|max|min|limits?|limited|unlimited|capped|bounded)\b|"
                    r"\b(?:at most|at least|up to|no more than|no less than) \d", re.I)


# "…when the delimiters argument is left as None?", "…if the timeout is omitted?": the question asks about the case
# where a value is not given, and only a sentence that speaks of that case answers it.
_UNSET_QUESTION = re.compile(r"\b(?:is|are|left as|set to|be|as|equals?)\s+None\b|\bomit(?:ted|s)?\b|"
                             r"\bnot (?:given|specified|set|passed|provided|supplied)\b|\bleft (?:out|unset|empty)\b",
                             re.I)
_UNSET = re.compile(r"\bNone\b|\bnull\b|\bomit|\bnot (?:given|specified|set|passed|provided|supplied)\b|\bdefault|"
                    r"\botherwise\b|\bunless\b|\bif no\b|\babsent\b|\bmissing\b|\bunset\b|\bempty\b|\bwithout\b",
                    re.I)


def asks_about_an_unset_value(question: str) -> bool:
    """Whether the question asks what happens when a value is not given (None, omitted, left out)."""
    return _UNSET_QUESTION.search(question) is not None


def speaks_of_an_unset_value(sentence: str) -> bool:
    """Whether a sentence says what happens when a value is not given ("If omitted, …", "Defaults to …")."""
    return _UNSET.search(sentence) is not None


def is_yes_no_question(question: str) -> bool:
    """A question that opens with an auxiliary verb ("Can I…", "Is the…", "Does it…")."""
    return _YES_NO_QUESTION.match(question) is not None


def states_whether(sentence: str) -> bool:
    """Whether a sentence says what can, may or must be, or what is not, never or only so."""
    return _STATES_WHETHER.search(sentence) is not None


# The first kind whose question pattern matches is the one asked for: the specific before the general.
_QUESTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("version", _VERSION_QUESTION), ("year", _YEAR_QUESTION), ("time", _TIME_QUESTION),
    ("reason", _REASON_QUESTION), ("money", _MONEY_QUESTION), ("proportion", _PROPORTION_QUESTION),
    ("complexity", _COMPLEXITY_QUESTION), ("exception", _EXCEPTION_QUESTION), ("default", _DEFAULT_QUESTION),
    ("person", _PERSON_QUESTION), ("frequency", _FREQUENCY_QUESTION), ("rate", _RATE_QUESTION),
    ("data size", _DATA_SIZE_QUESTION), ("duration", _DURATION_QUESTION), ("exit status", _EXIT_STATUS_QUESTION),
    ("upper bound", _UPPER_BOUND_QUESTION), ("lower bound", _LOWER_BOUND_QUESTION), ("measure", _MEASURE_QUESTION),
    ("quantity", _QUANTITY_QUESTION),
)


def _holds_default(sentence: str, question: str, context: str) -> bool:
    """A default with its value, of the thing asked about when the question names one ("the default timeout" is
    not given by "the default port is 80" unless a timeout is spoken of there)."""
    if not (_DEFAULT.search(sentence) and _LITERAL.search(sentence)) and _DEFAULT_LABEL.search(sentence) is None:
        return False
    asked = _DEFAULT_OF.search(question)
    return asked is None or re.search(rf"\b{asked.group(1).rstrip('sS')}", f"{context}\n{sentence}", re.I) is not None


def _names_the_person(sentence: str, question: str, context: str) -> bool:
    """A personal name, in the role the question asks about when it asks about one."""
    if not _PERSON.search(sentence):
        return False
    return all(said.search(sentence) for asked, said in _ROLES if asked.search(question))


def _measured(sentence: str, question: str, context: str) -> bool:
    """A number in the words or units of the measure asked about (see `_MEASURE_WORDS`); the words may be in the
    sentence's context ("Width of a hull plate." above "Default: 12 mm.")."""
    asked = _MEASURE_QUESTION.search(question)
    if asked is None or not _QUANTITY.search(sentence):
        return False
    words = rf"(?<![\w-])(?:{_MEASURE_WORDS[asked.group(1).lower()]})\b"  # "high-level", "fixed-size" measure nothing
    return re.search(words, f"{context}\n{sentence}", re.I) is not None or _UNIT_SYMBOL.search(sentence) is not None


def _amount_in(unit: re.Pattern[str]) -> Callable[[str, str, str], bool]:
    return lambda sentence, question, context: bool(_QUANTITY.search(sentence) and unit.search(sentence))


def _finds(pattern: re.Pattern[str]) -> Callable[[str, str, str], bool]:
    return lambda sentence, question, context: pattern.search(sentence) is not None


# What a sentence must hold to answer each kind of question (given the question, for the kinds that need it).
_ANSWERS: dict[str, Callable[[str, str, str], bool]] = {
    "version": _finds(_VERSION), "year": _finds(_YEAR), "time": _finds(_TIME), "reason": _finds(_REASON),
    "money": _finds(_MONEY), "proportion": _finds(_PROPORTION), "complexity": _finds(_COMPLEXITY),
    "exception": _finds(_EXCEPTION), "default": _holds_default, "person": _names_the_person,
    "frequency": _finds(_FREQUENCY), "rate": _amount_in(_RATE), "data size": _amount_in(_DATA_SIZE),
    "duration": _amount_in(_DURATION),
    "exit status": _amount_in(_EXIT_STATUS), "upper bound": _amount_in(_UPPER_BOUND),
    "lower bound": _amount_in(_LOWER_BOUND), "measure": _measured,
    "quantity": _finds(_QUANTITY), "limit": _finds(_LIMIT),
}


def expected_answer_type(question: str) -> str | None:
    """The kind of value asked for ('version', 'year', 'time', 'reason', 'money', 'proportion', 'complexity',
    'exception', 'default', 'person', 'frequency', 'rate', 'data size', 'duration', 'exit status', 'upper bound',
    'lower bound', 'measure', 'quantity', 'limit'), or None when the question asks for no specific kind of value (or
    is a yes/no question other than whether a bound exists)."""
    if _LIMIT_QUESTION.match(question):
        return "limit"
    if is_yes_no_question(question):
        return None
    for answer_type, pattern in _QUESTIONS:
        if pattern.search(question):
            return answer_type
    return None


_NUMERAL = re.compile(r"\d[\w.,/-]*")


@lru_cache(maxsize=256)
def _given_numerals(question: str) -> frozenset[str]:
    """The numbers a question gives (asked once per question, not once per candidate sentence)."""
    return frozenset(n.rstrip(".,") for n in _NUMERAL.findall(question))


def can_answer_type(sentence: str, answer_type: str | None, question: str = "", context: str = "") -> bool:
    """Whether the sentence holds a value of the kind asked for (always true when no kind is asked for). A number
    the question itself gives ("the 940-0095B cable", "version 3.7") is not an answer to it. `context` is the text
    around the sentence (its block, the block before, its section), where a measure may be named."""
    holds = _ANSWERS.get(answer_type) if answer_type else None
    if holds is None:
        return True
    given = _given_numerals(question)
    if given:  # whole numerals only: "2" given by the question leaves "2.26" alone
        sentence = _NUMERAL.sub(lambda m: " " if m.group(0).rstrip(".,") in given else m.group(0), sentence)
    return holds(sentence, question, context)
