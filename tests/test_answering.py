"""Cited answers on the bundled corpus: facts, citations that slice back, refusals, follow-ups, bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant import Assistant, IndexNotFoundError, Settings
from assistant.answerer import Citation, Draft, Query
from assistant.cli import main
from assistant.markers import numbers
from assistant.phrases import CANNOT_ANSWER_PHRASE, DISAGREEMENT_PREFIX
from assistant.retrieval import Retrieval

POST = "000_22e29f2dc333583c.txt"
REGISTER = "002_f4a60f190d2ae731.txt"

# (question, a phrase the answer must contain, the article that must be cited, or None if either will do)
QUESTIONS = [
    ("Why was Yitu listed?", "facial recognition", REGISTER),
    ("What does NetPosa control?", "SenseNets", REGISTER),
    ("What is Megvii accused of building?", "detect the presence of Uyghur", REGISTER),
    ("How did Megvii respond to the sanctions?", "strongly opposes", POST),
    ("Why was DJI added to the blacklist?", "surveillance", None),
    ("What does the NS-CMIC list bar?", "financial stakes", POST),
    ("Under which executive order were the firms named?", "13959", REGISTER),
    ("Who is Brian Nelson?", "undersecretary", POST),
    ("What did Gina Raimondo say about biotechnology?", "save lives", POST),
    ("What did Antony Blinken say one company developed?", "customised software", POST),
    ("What mobile app does Xiamen Meiya Pico offer?", "transcribes their speech", REGISTER),
    ("Why was Sugon listed?", "Dawning", POST),  # alias stated in the Post: "Dawning ..., also known as Sugon"
    ("Who are Meiya Pico's main clients?", "law enforcement", POST),
]


def one_document_assistant(tmp_path, embedder, name: str, text: str, **settings) -> Assistant:
    """An assistant over one document, ingested."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / name).write_text(text, encoding="utf-8")
    bot = Assistant(Settings(sources_dir=sources, index_dir=tmp_path / "index", **settings), embedder=embedder)
    bot.ingest()
    return bot


def assert_citations_are_exact(bot: Assistant, answer) -> None:
    markers = sorted(set(numbers(answer.text)))
    assert markers == [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for citation in answer.citations:
        assert bot.source_text(citation.source)[citation.start:citation.end] == citation.quote
        assert citation.title and citation.quote.strip() == citation.quote


@pytest.mark.parametrize(("question", "fact", "source"), QUESTIONS)
def test_answers_state_the_fact_and_cite_the_right_article(corpus_assistant: Assistant, question: str, fact: str,
                                                           source: str | None) -> None:
    answer = corpus_assistant.ask(question)
    assert not answer.refused, answer.text
    assert fact.lower() in answer.text.lower()
    assert source is None or source in {c.source for c in answer.citations}
    assert any(fact.lower() in c.quote.lower() for c in answer.citations if source in (None, c.source))
    assert_citations_are_exact(corpus_assistant, answer)


def test_follow_up_resolves_it_from_the_conversation(corpus_assistant: Assistant) -> None:
    first = corpus_assistant.ask("Why was Yitu listed?")
    follow_up = corpus_assistant.ask("Has it tried to export its tech?", history=[("Why was Yitu listed?", first.text)])
    assert not follow_up.refused
    assert "export" in follow_up.text
    assert any("Yutu has also tried to export" in c.quote for c in follow_up.citations)
    assert_citations_are_exact(corpus_assistant, follow_up)


def test_when_the_articles_disagree_both_sides_are_cited(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("How many entities did the Commerce Department add to the Entity List?")
    assert answer.text.startswith(DISAGREEMENT_PREFIX)
    assert "34" in answer.text and "37" in answer.text
    assert {c.source for c in answer.citations} == {POST, REGISTER}


@pytest.mark.parametrize("question", [
    "What is the capital of Australia?",
    "How do I reverse a list in Python?",
    "When was Yitu founded?",
    "How much did SenseTime raise in its IPO?",
])
def test_questions_the_sources_do_not_answer_are_refused(corpus_assistant: Assistant, question: str) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.refused
    assert answer.text.startswith(CANNOT_ANSWER_PHRASE)
    for citation in answer.citations:  # offered as related reading only
        assert corpus_assistant.source_text(citation.source)[citation.start:citation.end] == citation.quote


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_a_clear_value_error(corpus_assistant: Assistant, question: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        corpus_assistant.ask(question)


def test_huge_question_is_a_clear_error_not_a_hang(corpus_assistant: Assistant) -> None:
    with pytest.raises(ValueError, match="limit"):
        corpus_assistant.ask("Why was Yitu listed? " * 1000)


def test_asking_before_ingest_says_to_run_ingest(tmp_path, make_assistant) -> None:
    bot = make_assistant(Settings(sources_dir=tmp_path, index_dir=tmp_path / "empty-index"))
    with pytest.raises(IndexNotFoundError, match="assistant ingest"):
        bot.ask("Why was Yitu listed?")


def test_source_text_cannot_escape_the_sources_folder(corpus_assistant: Assistant) -> None:
    with pytest.raises(FileNotFoundError):
        corpus_assistant.source_text("../../etc/passwd")


def test_cli_ask_json_matches_the_contract(corpus_assistant: Assistant) -> None:
    settings = corpus_assistant.settings
    args = ["--sources", str(settings.sources_dir), "--index", str(settings.index_dir)]
    result = CliRunner().invoke(main, ["ask", "Why was Yitu listed?", *args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) == {"text", "refused", "citations"}
    assert payload["citations"] and set(payload["citations"][0]) >= {"n", "source", "title", "quote", "start", "end"}

    empty = CliRunner().invoke(main, ["ask", "  ", *args])
    assert empty.exit_code != 0 and "empty" in empty.output and "Traceback" not in empty.output


def test_cli_chat_keeps_the_conversation(corpus_assistant: Assistant) -> None:
    settings = corpus_assistant.settings
    result = CliRunner().invoke(main, ["chat", "--sources", str(settings.sources_dir), "--index",
                                       str(settings.index_dir)],
                                input="Why was Yitu listed?\nHas it tried to export its tech?\n\n")
    assert result.exit_code == 0, result.output
    assert "facial recognition" in result.output and "tried to export" in result.output


def test_ask_reads_the_store_revision_once_per_question(corpus_assistant: Assistant, monkeypatch) -> None:
    reads: list[str] = []
    real_revision = corpus_assistant.store.revision

    def counted() -> str:
        reads.append(real_revision())
        return reads[-1]

    monkeypatch.setattr(corpus_assistant.store, "revision", counted)
    first = corpus_assistant.ask("Why was Yitu listed?")
    assert len(reads) == 1
    corpus_assistant.ask("Has it tried to export its tech?", history=[("Why was Yitu listed?", first.text)])
    assert len(reads) == 2


class TopSentenceAnswerer:
    """The least an answerer needs to implement: quote the first prose sentence of the best hit.

    It hands its citations over in reverse order: they are matched to markers by number, not position.
    """

    def __init__(self) -> None:
        self.seen: list[Retrieval] = []

    def answer(self, query: Query, retrieval: Retrieval) -> Draft:
        self.seen.append(retrieval)
        chunks = [hit.chunk for hit in retrieval.hits[:2]]
        citations = []
        for n, chunk in enumerate(chunks, 1):
            sentence = next(s for s in chunk.sentences if s.is_prose)
            citations.append(Citation(n=n, source=chunk.source, title=chunk.title,
                                      quote=chunk.text[sentence.start:sentence.end],
                                      start=chunk.start + sentence.start, end=chunk.start + sentence.end))
        text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        return Draft(text, tuple(reversed(citations)), refused=False)


def test_an_answerer_is_one_class_given_the_hits_and_statistics_of_one_snapshot(corpus_assistant: Assistant) -> None:
    answerer = TopSentenceAnswerer()
    bot = Assistant(corpus_assistant.settings, embedder=corpus_assistant.embedder, answerer=answerer)
    answer = bot.ask("Why was Yitu listed?")
    (retrieval,) = answerer.seen
    assert retrieval.revision == bot.store.revision()
    assert [(p.source, p.start, p.end) for p in answer.retrieved] == \
        [(h.chunk.source, h.chunk.start, h.chunk.end) for h in retrieval.hits]
    statistics = retrieval.statistics
    assert statistics.chunks == bot.store.count() and statistics.document_frequency["yitu"] >= 1
    assert 0 < statistics.idf("yitu") < statistics.idf("zanzibar")  # a term the corpus never uses is the rarest
    assert statistics.rarity("Yitu") > 0 == statistics.rarity("Zanzibar")
    assert_citations_are_exact(bot, answer)
    assert answer.to_dict()["citations"][0]["n"] == 1


def test_an_answer_never_comes_out_empty_when_a_preference_demotes_every_sentence(embedder) -> None:
    """A "why" question whose relevant sentences give no reason connective: they are demoted, but relevant enough
    to answer, so the answer quotes them (it used to be an empty, unrefused answer)."""
    from assistant.answering import Evidence, ExtractiveAnswerer
    from assistant.store import StoredChunk

    text = "The kiln lid stays shut while firing. Opening it early cracks the glaze."
    chunk = StoredChunk("k1", text, "kiln.txt", "Kiln", "", 0, len(text))
    demoted = [Evidence(chunk, 0, 37, text[:37], score=0.2, relevance=0.4),
               Evidence(chunk, 38, len(text), text[38:], score=0.18, relevance=0.36)]
    groups = ExtractiveAnswerer(embedder, refusal_threshold=0.3, max_evidence=4)._select(demoted)
    assert [g[0].text for g in groups] == [text[:37], text[38:]]


BAKERY = """# Rye Bakery

The Rye Bakery opened on Mill Street in the old granary. Marie Dubois bakes the bread every morning before six.

## Loaves

The spelt loaf is proofed for two hours. The rye loaf is baked at 240 degrees.
"""
SHIPYARD = """Harbour Safety Authority

The Harbour Safety Authority inspects every hull in the dry dock before a launch.
Inspections are logged in the harbour office.
"""
LAUNCH = """# Launch rules

The slipway crew checks the hull twice before a launch. Two faults stop a launch at once:

* a cracked rudder post, found by sounding it with a hammer;
* a flooded ballast tank, found by the bilge alarm.

The harbour master signs the launch permit.
"""
CLIENT_API = """Client reference
================

.. function:: open_socket(host, port)

   Opens a connection to the host. The timeout defaults to 30 seconds.

.. function:: fetch_page(url)

   Downloads one page and returns its body as text.

.. function:: spelt_mode()

   Switches the oven controller to the spelt programme. New in version 2.3.
"""


@pytest.fixture(scope="module")
def three_domains(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    """A bakery, a shipyard and an API reference: the rules below name nothing from any of them."""
    root = tmp_path_factory.mktemp("domains")
    (root / "sources").mkdir()
    for name, text in (("bakery.md", BAKERY), ("shipyard.txt", SHIPYARD), ("client.rst", CLIENT_API),
                       ("launch.md", LAUNCH)):
        (root / "sources" / name).write_text(text)
    bot = Assistant(Settings(sources_dir=root / "sources", index_dir=root / "index"), embedder=embedder)
    bot.ingest()
    return bot


@pytest.mark.parametrize(("question", "fact"), [
    ("In which version was spelt_mode() added?", "2.3"),
    ("What is the default timeout of open_socket()?", "30 seconds"),
    ("What does the HSA inspect?", "every hull"),                 # an acronym the sources spell out
    ("Who bakes the bread at the Rye Bakery?", "Marie Dubois"),
])
def test_questions_about_what_the_sources_name_are_answered(three_domains: Assistant, question: str,
                                                            fact: str) -> None:
    answer = three_domains.ask(question)
    assert not answer.refused, answer.text
    assert fact in answer.text
    assert_citations_are_exact(three_domains, answer)


@pytest.mark.parametrize("question", [
    "In which version was fetch_archive() added?",                # the sources never name fetch_archive
    "How often does the Coast Guard inspect the hulls?",          # nor a Coast Guard
    "What is the default timeout of fetch_page()?",               # the only default given is open_socket's
    "Who founded the Rye Bakery?",                                # a person is named, but not as its founder
])
def test_a_value_given_for_something_else_or_nothing_named_is_refused(three_domains: Assistant,
                                                                      question: str) -> None:
    answer = three_domains.ask(question)
    assert answer.refused, answer.text


def test_a_sentence_that_introduces_a_list_comes_with_its_items(three_domains: Assistant) -> None:
    answer = three_domains.ask("Which faults stop a launch?")
    assert "Two faults stop a launch at once:" in answer.text
    assert "cracked rudder post" in answer.text and "flooded ballast tank" in answer.text
    assert_citations_are_exact(three_domains, answer)


def test_a_name_written_another_way_or_spelled_out_is_not_unknown(three_domains: Assistant) -> None:
    """Only a name no passage uses makes a question unanswerable: "OpenSocket" is open_socket and "HSA" the Harbour
    Safety Authority, however the passages write them. Names that no document gives together are unknown too."""
    from assistant.subjects import unknown_names

    for question, unknown in (("What does OpenSocket return?", []), ("Whom does the HSA report to?", []),
                              ("What does the Coast Guard inspect?", ["Coast Guard"]),
                              ("In which version was fetch_socket() added?", ["fetch_socket"]),  # only whole
                              ("Does Marie Dubois bake at the Rye Bakery?", []),
                              # both known, but no document speaks of the one with the other
                              ("Does open_socket() retry at the Rye Bakery?", ["open_socket", "Rye Bakery"]),
                              ("Does the Harbour Safety Authority inspect the Rye Bakery?",
                               ["Harbour Safety Authority", "Rye Bakery"])):
        query, retrieval = three_domains.prepare(question)
        assert unknown_names(query.own_words, retrieval) == unknown


def test_a_description_is_quoted_with_the_term_it_describes(tmp_path, embedder) -> None:
    """An option list (HTML <dl>): the answer quotes "--dry-dock" with its description, so the option asked about
    is named in the answer; a capitalised section title is not a term and is left out."""
    bot = one_document_assistant(
        tmp_path, embedder, "launch.html",
        "<html><body><h1>launch(8)</h1><h2>DESCRIPTION</h2><p>The launch tool floats a finished hull.</p>"
        "<h2>OPTIONS</h2><p>Two options change how the launch is run:</p>"
        "<dl><dt>--dry-dock</dt><dd><p>Floods the dry dock slowly before the gates open.</p></dd>"
        "<dt>--tugs &lt;n&gt;</dt><dd><p>Number of harbour tugs to call.</p></dd></dl></body></html>")
    answer = bot.ask("Which option floods the dry dock before the gates open?")
    assert any(c.quote.startswith("--dry-dock") and c.quote.endswith("before the gates open.")
               for c in answer.citations), answer.text
    # the answer reads the quote as one line; the citation keeps the source's line breaks and offsets
    assert "--dry-dock Floods the dry dock slowly before the gates open." in answer.text
    options = bot.ask("Which options change how the launch is run?")  # a list of terms after its lead sentence
    assert "--dry-dock Floods the dry dock" in options.text and "--tugs <n> Number of harbour tugs" in options.text
    described = bot.ask("What does the launch tool do?")
    assert all(not c.quote.startswith("DESCRIPTION") for c in described.citations), described.text
    assert_citations_are_exact(bot, answer)


def test_the_fuller_quote_of_a_sentence_replaces_the_bare_one(embedder) -> None:
    """"The error is raised for bad logs." scores a little higher alone than with the sentence that leans on it
    ("It inherits from OSError."), but the fuller quote is the better answer: it takes the bare one's place."""
    from assistant.answering import Evidence, ExtractiveAnswerer
    from assistant.store import StoredChunk

    text = "The error is raised for bad kiln logs. It inherits from OSError."
    chunk = StoredChunk("k1", text, "kiln.txt", "Kiln", "", 0, len(text))
    bare = Evidence(chunk, 0, 38, text[:38], score=0.6, relevance=0.6)
    fuller = Evidence(chunk, 0, len(text), text, score=0.55, relevance=0.55)
    groups = ExtractiveAnswerer(embedder, refusal_threshold=0.3, max_evidence=4)._select([bare, fuller])
    assert [[e.text for e in g] for g in groups] == [[text]]


@pytest.mark.parametrize(("sentence", "pointer"), [
    ("See description of show command in launch(1).", True),
    ("(See also the rigging manual.)", True),
    ("For more details, see the proofing schedule.", True),
    ("Refer to the client reference for the full list.", True),
    ("Please read its documentation for details.", True),
    ("Readers of the ledger sign it.", False),
    ("Read the ledger before the launch.", False),                       # an instruction, not a pointer
    ("Seeds are soaked overnight before baking.", False),
    ("The harbour master sees every permit.", False),
    ("For rye, the oven is set to 240 degrees.", False),
])
def test_a_sentence_that_only_sends_the_reader_elsewhere_is_a_pointer(sentence: str, pointer: bool) -> None:
    from assistant.text import is_pointer

    assert is_pointer(sentence) is pointer


def test_a_sentence_ranks_near_the_one_it_continues_in_its_paragraph() -> None:
    """The sentence after a strong one in the same paragraph is lifted to CONTINUATION_FACTOR of its score; a
    sentence of the next paragraph, or of another source, is not."""
    from assistant.answering import CONTINUATION_FACTOR, Evidence, _continued
    from assistant.store import StoredChunk

    text = "The kiln is fired at 900 degrees. Glazed ware then cools overnight.\n\nThe shop opens at nine."
    chunk = StoredChunk("k1", text, "kiln.txt", "Kiln", "", 0, len(text))
    other = StoredChunk("s1", text, "shop.txt", "Shop", "", 0, len(text))
    fired = Evidence(chunk, 0, 33, text[:33], score=0.8, relevance=0.8, block=0)
    cools = Evidence(chunk, 34, 67, text[34:67], score=0.3, relevance=0.3, block=0)
    opens = Evidence(chunk, 69, len(text), text[69:], score=0.2, relevance=0.2, block=1)
    elsewhere = Evidence(other, 34, 67, text[34:67], score=0.1, relevance=0.1, block=0)
    lifted = {(e.chunk.source, e.start): e for e in _continued([fired, cools, opens, elsewhere])}
    assert lifted["kiln.txt", 34].score == pytest.approx(0.8 * CONTINUATION_FACTOR)
    assert lifted["kiln.txt", 34].relevance == pytest.approx(0.8 * CONTINUATION_FACTOR)
    assert lifted["kiln.txt", 69].score == 0.2  # another paragraph
    assert lifted["shop.txt", 34].score == 0.1  # another source
    assert lifted["kiln.txt", 0].score == 0.8


def test_sources_disagree_only_on_the_same_point_in_words_not_in_shared_numbers() -> None:
    """Different numbers from two sources are a disagreement when the sentences share three content words; a
    section number and a release that share a digit and two words ("kiln", "package") are not."""
    from assistant.answering import Evidence, _sources_disagree
    from assistant.store import StoredChunk

    def lead(source: str, text: str) -> list[Evidence]:
        chunk = StoredChunk(source, text, source, source, "", 0, len(text))
        return [Evidence(chunk, 0, len(text), text)]

    same = [lead("a.txt", "The yard added 34 hulls to the harbour register."),
            lead("b.txt", "The yard added 37 hulls to the harbour register on Monday.")]
    assert _sources_disagree(same)
    apart = [lead("a.txt", "• kiln-doc 4.2 Detailed view of the package tree"),
             lead("b.txt", "Until release 2.7.4 the kiln package needed a patch.")]
    assert not _sources_disagree(apart)


def test_an_option_is_known_only_whole() -> None:
    """"--check" is not written in "--check-all" (an option whole, as an identifier is)."""
    from assistant.subjects import _shows_identifier

    assert _shows_identifier("--check", "Run with --check=full to see each hull.")
    assert not _shows_identifier("--check", "Run with --check-all to see each hull.")


def test_a_list_introduced_at_the_end_of_a_chunk_is_read_on_into_the_next(tmp_path, embedder) -> None:
    """The sentence that introduces a list ends one chunk; its items are in the chunks after it, which retrieval
    did not find. The answer still brings the items, each an exact quote."""
    filler = " ".join(f"The shipyard logs hull number {n} in the harbour ledger every spring." for n in range(8))
    bot = one_document_assistant(
        tmp_path, embedder, "launch.md",
        f"# Launch\n\n{filler} Every launch permit names the following required fields:\n\n"
        "* berth, the slipway the hull leaves from, written as its painted number;\n"
        "* tide, the hour of high water on the launch day, from the harbour almanac.\n",
        chunk_tokens=80, chunk_overlap=0, retrieve_k=1, fused_k=1)
    question = "Which required fields does every launch permit name?"
    _, retrieval = bot.prepare(question)
    assert all("tide" not in hit.chunk.text for hit in retrieval.hits)  # the items were not retrieved
    assert any("tide" in chunk.text for chunk in retrieval.following)
    answer = bot.ask(question)
    assert "the following required fields:" in answer.text
    assert "berth, the slipway" in answer.text and "tide, the hour of high water" in answer.text, answer.text
    assert_citations_are_exact(bot, answer)


def test_a_sentence_that_introduces_a_short_code_block_comes_with_it(tmp_path, embedder) -> None:
    """"…add this line to the client configuration:" says nothing without the line: the code block comes with it,
    whole and exactly cited. A long code block is not quoted."""
    bot = one_document_assistant(
        tmp_path, embedder, "harbour-README.txt",
        "The harbour client can hold a ferry at its berth while the tide turns.\n\n"
        "To make the client hold every ferry at its berth, add this line to the client configuration:\n\n"
        "    HoldAtBerth yes\n\n"
        "The harbour master may lift the hold at any time.\n")
    answer = bot.ask("How do I make the client hold every ferry at its berth?")
    assert "add this line to the client configuration:" in answer.text
    assert any(c.quote == "HoldAtBerth yes" for c in answer.citations), answer.text
    assert_citations_are_exact(bot, answer)


def test_a_description_in_a_terms_second_paragraph_is_quoted_with_the_term(tmp_path, embedder) -> None:
    """An option whose description has a short first paragraph: the sentence that answers, in the second, is
    quoted from the term on, so the answer names the option."""
    bot = one_document_assistant(
        tmp_path, embedder, "launch.html",
        "<html><body><h1>launch(8)</h1><h2>OPTIONS</h2><dl>"
        "<dt>-w, --wet-dock</dt><dd><p>Only valid for steel hulls.</p>"
        "<p>The dock is flooded slowly and the hull floats out at high water.</p></dd>"
        "<dt>--tugs &lt;n&gt;</dt><dd><p>Number of harbour tugs to call.</p></dd></dl></body></html>")
    answer = bot.ask("How do I float a hull out by flooding the dock slowly?")
    assert any(c.quote.startswith("-w, --wet-dock") and c.quote.endswith("floats out at high water.")
               for c in answer.citations), answer.text
    assert_citations_are_exact(bot, answer)


@pytest.mark.parametrize(("label", "term"), [
    ("--dry-dock", True), ("-w, --wet-dock", True), ("launch", True), ("crane.lift(load)", True),
    ("submodule.<name>.path", True), ("MAX_LOAD", True),
    ("rsync for Debian", False),          # a title in lower case, no code in it
    ("DESCRIPTION", False), ("1. Introduction", False), ("Launch rules", False),
])
def test_a_term_is_a_short_code_like_label_not_a_title(label: str, term: bool) -> None:
    from assistant.answering import _is_term

    assert _is_term(label) is term


def test_a_list_items_context_is_not_the_item_before_it() -> None:
    """In an option list, "Default: 'grey'" under the hull_colour item is not read with the item before it: that
    item is another option's."""
    from assistant.chunking import Sentence, encode_sentences
    from assistant.store import StoredChunk
    from assistant.subjects import near_text

    text = "build_hull: Callable that builds the hull.\nhull_colour: Paint of the hull. Default: 'grey'"
    sentences = [Sentence(0, 42, "list_item", 0), Sentence(43, 74, "list_item", 1),
                 Sentence(75, len(text), "list_item", 1)]
    chunk = StoredChunk("c1", text, "hulls.md", "Hulls", "", 0, len(text),
                        encoded_sentences=encode_sentences(sentences))
    assert "build_hull" not in near_text(chunk, 1) and "hull_colour" in near_text(chunk, 1)
