"""What kind of answer a question asks for, and whether a sentence could contain one.

"How many…" wants a quantity and "When…/In which year…" a time; a sentence with no
quantity (or no time expression) cannot answer such a question however close its topic is.
This is a classic check in extractive question answering, and it is what lets the
assistant refuse "In which year did X happen?" when the sources never give the year.
"""

from __future__ import annotations

import re

# Money is asked for with money words; "how much" alone asks for any amount ("how much memory", "how much must
# the lines be indented"), and verbs like "raise" or "fine" only mean money next to "how much" ("how much did
# it raise" vs "which exception does it raise").
_MONEY_QUESTION = re.compile(
    r"\bhow much money\b|\b(?:price|prices|priced|cost|costs|revenue|revenues|valuation|worth|salary|fee|fees)\b|"
    r"\bhow much\b.*\b(?:raise[ds]?|raising|fined?|pay|paid|charge[sd]?|earn(?:s|ed)?|spen[dt]|sell|sold)\b",
    re.I)
_QUANTITY_QUESTION = re.compile(r"\bhow (?:many|much)\b|\bwhat (?:number|percentage|share|amount)\b", re.I)
_TIME_QUESTION = re.compile(
    r"^\s*when (?:did|was|were|will)\b|\bsince when\b|\bwhat (?:year|date|day|month|time)\b|"
    r"\bwhich (?:year|date|day|month)\b|\bhow long ago\b|"
    r"\bin (?:what|which) year\b|\bon (?:what|which) (?:date|day)\b", re.I)
_NUMBER_WORDS = (r"once|twice|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                 r"hundreds?|thousands?|millions?|billions?|dozens?|several|half")
_QUANTITY = re.compile(rf"(?<![\d,.])(?!(?:1[89]|20)\d\d\b)\d[\d,.]*|\b(?:{_NUMBER_WORDS})\b", re.I)
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


_VERSION_QUESTION = re.compile(r"\b(?:which|what) (?:\w+ )?(?:version|release)\b|\bsince (?:which|what)\b", re.I)
_VERSION = re.compile(r"\b\d+\.\d+(?:\.\d+)*\b|\bversions?\b|\breleases?\b", re.I)


# A question opening with an auxiliary verb is answered yes or no, whatever it mentions ("Does X tell me how many
# records were read?" is answered by what X counts, not by a number).
_YES_NO_QUESTION = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|may|might|must|has|have|had)(?:n't)?\b",
    re.I)


def expected_answer_type(question: str) -> str | None:
    """'version', 'time', 'reason', 'money', 'quantity', or None when the question does not ask for a specific
    kind of value (or is a yes/no question)."""
    if _YES_NO_QUESTION.match(question):
        return None
    if _VERSION_QUESTION.search(question):
        return "version"
    if _TIME_QUESTION.search(question):
        return "time"
    if _REASON_QUESTION.search(question):
        return "reason"
    if _MONEY_QUESTION.search(question):
        return "money"
    if _QUANTITY_QUESTION.search(question):
        return "quantity"
    return None


def can_answer_type(sentence: str, answer_type: str | None) -> bool:
    if answer_type == "version":
        return bool(_VERSION.search(sentence))
    if answer_type == "time":
        return bool(_TIME.search(sentence))
    if answer_type == "reason":
        return bool(_REASON.search(sentence))
    if answer_type == "money":
        return bool(_MONEY.search(sentence))
    if answer_type == "quantity":
        return bool(_QUANTITY.search(sentence))
    return True
