"""What a question names, and whether the sources or a passage speak of it.

A question that names something no indexed passage uses cannot be answered from these sources, however close
their topic; a value (a default, a number, a version) answers a question only where the question's most specific
name is: in the value's block, the block before it, its section or its document's title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .retrieval import Retrieval, TermStatistics
from .store import StoredChunk
from .text import is_identifier, names_in, terms


def unknown_names(question: str, retrieval: Retrieval) -> list[str]:
    """The names and identifiers the question gives that no indexed passage uses: the sources cannot say
    anything about them, however close their topic ("In which version was fetch_archive() added?").
    A name written another way in the passages ("NodeJS" for "Node.js"), and an acronym they spell out ("UN" for
    "United Nations"), are known; an identifier is known only whole ("fetch" and "archive" do not make
    fetch_archive). Names the question relates ("Does fetch_archive resume on Windows?") that no retrieved
    passage gives together are unknown too: the sources say nothing of the one in the other's context."""
    names = names_in(question)
    if not names:
        return []
    known = retrieval.statistics.document_frequency
    passages = "\n".join(f"{hit.chunk.section}\n{hit.chunk.text}" for hit in retrieval.hits)
    unknown = [n for n in names
               if (is_identifier(n) and not _shows_identifier(n, passages)) or any(t not in known for t in terms(n))]
    if unknown:  # a document's title, publisher or file name names it too, though its text may not
        labels = {t for hit in retrieval.hits
                  for t in terms(f"{hit.chunk.title} {hit.chunk.publication} {hit.chunk.source}")}
        unknown = [n for n in unknown if is_identifier(n) or any(t not in known and t not in labels for t in terms(n))]
    if unknown:
        squashed = _squashed(passages)
        unknown = [n for n in unknown if _squashed(n) not in squashed]
    if not unknown and len(names) == 1:
        return []
    spelled = _spelled_out_acronyms(retrieval)  # read once: both tests below need it
    unknown = [n for n in unknown if is_identifier(n)
               or not all(w in spelled or all(t in known for t in terms(w)) for w in n.split())]
    if unknown or len(names) == 1:
        return unknown
    return [] if _said_together(names, retrieval, spelled) else names


def _said_together(names: list[str], retrieval: Retrieval, acronyms: set[str]) -> bool:
    """Whether one document's retrieved passages give all the names (a question that relates two things the
    documents only ever speak of apart is not answered by them)."""
    documents: dict[str, list[str]] = {}
    for hit in retrieval.hits:
        c = hit.chunk
        documents.setdefault(c.source, [c.title, c.publication, c.source]).extend((c.section, c.text))
    return any(all(_said_in(n, "\n".join(texts), acronyms) for n in names) for texts in documents.values())


def _said_in(name: str, text: str, acronyms: set[str]) -> bool:
    """Whether a text gives the name, however it is written (spaced, dotted, or an acronym spelled out)."""
    if is_identifier(name):
        return _shows_identifier(name, text)
    if _squashed(name) in _squashed(text):
        return True
    said = set(terms(text))
    return all(w in acronyms or set(terms(w)) <= said for w in name.split())


def _last_part(identifier: str) -> str:
    return identifier.removesuffix("()").rsplit(".", 1)[-1]


def _shows_identifier(identifier: str, text: str) -> bool:
    """Whether the text writes the identifier whole (an option whole too: "--check" is not in "--check-all")."""
    after = r"(?![\w-])" if identifier.startswith("-") else r"(?!\w)"
    return re.search(rf"(?<![\w-]){re.escape(_last_part(identifier))}{after}", text, re.I) is not None


def _squashed(text: str) -> str:
    """Letters and digits only, lower-cased: how a name compares however it is hyphenated, dotted or spaced."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


_SPELLED_OUT = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+(?:(?:of|and|for|the|on)[ \t]+)?[A-Z][a-z]+)+")
_MINOR_WORDS = frozenset({"of", "and", "for", "the", "on"})


def _spelled_out_acronyms(retrieval: Retrieval) -> set[str]:
    """The acronyms of the capitalised phrases in the retrieved passages, and of each run of words in them ("The
    United Nations Office" gives "UNO", "UN" and "NO" among others)."""
    acronyms: set[str] = set()
    for hit in retrieval.hits:
        for phrase in _SPELLED_OUT.findall(hit.chunk.text):
            initials = [w[0] for w in phrase.split() if w.lower() not in _MINOR_WORDS]
            acronyms.update("".join(initials[i:j]) for i in range(len(initials))
                            for j in range(i + 2, len(initials) + 1))
    return acronyms


@dataclass(frozen=True)
class Subject:
    """The most specific thing a question names, as a passage would show it: a code identifier by its last part,
    whole ("lift_cargo", not the words "lift" and "cargo"), a name by its words (a phrase by its rarest word)."""

    identifier: str = ""
    words: tuple[str, ...] = ()

    def shown_in(self, text: str) -> bool:
        if self.identifier:
            return _shows_identifier(self.identifier, text)
        return set(self.words) <= set(terms(text)) or _squashed("".join(self.words)) in _squashed(text)


def subject_of(question: str, statistics: TermStatistics) -> Subject | None:
    """The question's rarest name that the corpus uses, if it names any (see `Subject`)."""
    named = [n for n in names_in(question) if terms(n) and statistics.rarity(n) > 0]
    if not named:
        return None
    name = max(named, key=statistics.rarity)
    if is_identifier(name):
        return Subject(identifier=_last_part(name))
    if " " in name.strip():  # a phrase ("the Harbour Safety Authority") is recognised by its rarest word
        return Subject(words=(max(terms(name), key=statistics.idf),))
    return Subject(words=tuple(terms(name)))


def near_text(chunk: StoredChunk, block: int) -> str:
    """What a sentence of `block` is read with: its block and the block before (a signature, a term, a FAQ
    question; not a sibling list item), its section heading and its document's title. A value found elsewhere
    belongs to something else ("the server listens on port 8080 by default" does not give the default of
    CACHE_SIZE)."""
    own = [s for s in chunk.sentences if s.block == block]
    sibling = bool(own) and own[0].kind == "list_item"  # the item before is another item's, not this one's context
    near = " ".join(chunk.text[s.start:s.end] for s in chunk.sentences
                    if s.block == block or (s.block == block - 1 and not (sibling and s.kind == "list_item")))
    return f"{near}\n{chunk.section}\n{chunk.title}"
