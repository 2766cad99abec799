"""Real parsers per format into one document model; whole sentences; corpus-neutral language rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Settings, StaleIndexError
from assistant.answer_types import can_answer_type, expected_answer_type
from assistant.chunking import document_sentences
from assistant.documents import load_document
from assistant.text import is_anaphoric_question, opens_with_anaphor

SPHINX_PAGE = """<html><head><title>shipyard — Build ships</title></head><body>
<div class="related" role="navigation"><ul><li><a href="x.html">previous topic</a></li></ul></div>
<div class="sphinxsidebar"><h3>Navigation</h3><p>Quick search</p></div>
<div class="body" role="main">
<h1>shipyard — Build ships<a class="headerlink" href="#x">¶</a></h1>
<p>The <code class="xref">launch()</code> function floats a
<em>finished</em> hull.  It returns the <a href="#">Ship</a> object that was launched.</p>
<dl class="py function"><dt class="sig"><span class="sig-name">shipyard.weld</span>(<em>plate</em>)</dt>
<dd><p>Join <code>plate</code> to the hull and return the seam length in metres.</p></dd></dl>
<ul><li><p>A slipway holds one hull at a time.</p></li></ul>
</div><div class="footer">© Copyright the shipwrights.</div></body></html>"""

RST_SOURCE = """Bakery
======

.. function:: proof(dough, hours=2)

   Rest the dough until it has doubled in size; when the kitchen is cold,
   proofing takes longer than the default of two hours.

   .. versionadded:: 3.2

The oven is preheated to 230 degrees before any loaf goes in.  Bread is
baked for forty minutes.

::

   oven.bake(loaf)
"""

MARKDOWN_SOURCE = """# Ferry API

## Timetables

- `timetable(route)` returns the sailings of a route for the next
  seven days, ordered by departure time.
- Cancelled sailings are left out.

A request without a route raises `RouteError`.
"""


def _load(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_document(path, tmp_path, 10_000_000)


def _texts(document) -> list[tuple[str, str]]:
    return [(b.kind, document.text[b.start:b.end]) for b in document.blocks]


def test_html_keeps_inline_elements_inside_their_sentence_and_drops_page_chrome(tmp_path: Path) -> None:
    document = _load(tmp_path, "shipyard.html", SPHINX_PAGE)
    sentences = [document.text[s.start:s.end] for s in document_sentences(document) if s.is_prose]
    assert "The launch() function floats a finished hull." in sentences
    assert "It returns the Ship object that was launched." in sentences
    for chrome in ("previous topic", "Quick search", "Copyright", "¶", "Navigation"):
        assert chrome not in document.text
    seam = next(b for b in document.blocks if "seam length" in document.text[b.start:b.end])
    assert seam.section[-1] == "shipyard.weld(plate)"  # the API signature names the description's section
    assert ("list_item", "A slipway holds one hull at a time.") in _texts(document)


def test_html_whitespace_between_tags_does_not_change_blocks(tmp_path: Path) -> None:
    compact = ("<main><ul><li><p>Rye loaves rest overnight before baking.</p></li>"
               "<li><p>Spelt loaves are baked the same day.</p></li></ul>"
               "<dl><dt>Proofing</dt><dd><p>The dough doubles in size at room temperature.</p></dd></dl>"
               "<table><tr><td><p>Rye</p></td><td><p>18 hours</p></td></tr></table></main>")
    spaced = compact.replace("<li>", "<li>\n  ").replace("<dd>", "<dd>\n").replace("<td>", "<td>\n")
    blocks = _texts(_load(tmp_path, "spaced.html", spaced))
    assert blocks == _texts(_load(tmp_path, "compact.html", compact))
    assert ("list_item", "Rye loaves rest overnight before baking.") in blocks  # AsciiDoc writes <li> + newline + <p>
    assert ("table_row", "Rye | 18 hours") in blocks


def test_html_an_id_that_is_a_headings_slug_is_not_chrome(tmp_path: Path) -> None:
    """Texinfo and mkdocs give sections ids made of their titles ("Command-Search-and-Execution", "Comments"): the
    section stays; an element whose id is only a chrome word ("sidebar") goes, and so does a permalink anchor."""
    page = ("<html><body><div id='sidebar'><p>Harbour index and other pages of this site.</p></div>"
            "<div class='subsection' id='Comments'><h4>3.1 Comments</h4><p>A word beginning with a hash starts a "
            "harbour log comment.</p></div><div id='Command-Search-and-Execution'><h4>3.2 Command Search</h4>"
            "<p>The crane looks for each command in the harbour path.</p></div>"
            "<dl><dt>hull<a class='copiable-anchor' href='#hull'> ¶</a></dt><dd><p>The body of a ship.</p></dd></dl>"
            "</body></html>")
    blocks = _texts(_load(tmp_path, "harbour.html", page))
    assert ("paragraph", "A word beginning with a hash starts a harbour log comment.") in blocks
    assert ("paragraph", "The crane looks for each command in the harbour path.") in blocks
    assert ("heading", "hull") in blocks
    assert all("other pages of this site" not in text for _, text in blocks)
    related = _texts(_load(tmp_path, "tugs.html", "<html><body><h1>Tugs</h1><h5>Related</h5><p>Tugs and pilots "
                                                  "share one radio channel in the outer harbour.</p></body></html>"))
    assert ("heading", "Related") in related  # a heading keeps its name, whatever it says


def test_html_consecutive_terms_of_one_definition_are_one_heading(tmp_path: Path) -> None:
    page = ("<main><h2>Options</h2><dl><dt>-r</dt>\n<dt>--rye</dt><dt>--no-wheat</dt><dd><p>Bake only rye loaves "
            "today.</p></dd><dt>--spelt</dt><dd><p>Bake spelt loaves as well.</p></dd></dl></main>")
    document = _load(tmp_path, "oven.html", page)
    blocks = [(b.kind, document.text[b.start:b.end], b.section) for b in document.blocks]
    assert ("heading", "-r, --rye, --no-wheat", ("Options", "-r, --rye, --no-wheat")) in blocks
    assert ("paragraph", "Bake only rye loaves today.", ("Options", "-r, --rye, --no-wheat")) in blocks
    assert ("paragraph", "Bake spelt loaves as well.", ("Options", "--spelt")) in blocks
    assert [text for kind, text, _ in blocks if kind == "heading"] == ["Options", "-r, --rye, --no-wheat", "--spelt"]


def test_html_blocks_that_are_only_links_are_navigation_not_prose(tmp_path: Path) -> None:
    page = ("<main><h2>Hull plating</h2><p>Plates are welded in the <a href='dock.html'>dry dock</a> and checked "
            "by the <a href='#inspector'>inspector</a>.</p><p><a name='rivets'>Rivets are no longer used.</a></p>"
            "<h2>See also</h2><p><a href='dock.html'>dock(7)</a>, <a href='crane.html'>crane(1)</a> and "
            "<a href='paint.html'>paint(1)</a></p><ul>\n<li><a href='#welding'>Welding</a></li>\n"
            "<li>\n<p><a href='keel.html'>Laying the keel</a></p>\n</li></ul>"
            "<table><tr><td><a href='a.html'>Ferries</a></td><td><a href='b.html'>Tugs</a></td></tr></table></main>")
    blocks = _texts(_load(tmp_path, "yard.html", page))
    assert ("paragraph", "Plates are welded in the dry dock and checked by the inspector.") in blocks
    assert ("paragraph", "Rivets are no longer used.") in blocks  # an anchor is not a link
    assert [kind for kind, _ in blocks] == ["heading", "paragraph", "paragraph", "heading"]


def test_html_heading_whose_title_is_a_link_with_a_chrome_class_keeps_its_title(tmp_path: Path) -> None:
    page = ("<main><h1><a class='header' href='#ferries'>Ferries</a></h1><p>Ferries sail every hour.</p>"
            "<h2 id='fares'><a class='header' href='#fares'>Fares</a><a class='headerlink' href='#fares'>¶</a></h2>"
            "<p>A single crossing costs four pounds.</p></main>")
    document = _load(tmp_path, "ferries.html", page)
    blocks = [(b.kind, document.text[b.start:b.end], b.section) for b in document.blocks]
    assert blocks[0] == ("heading", "Ferries", ("Ferries",))  # mdBook writes every heading as <a class="header">
    assert ("paragraph", "A single crossing costs four pounds.", ("Ferries", "Fares")) in blocks
    assert "¶" not in document.text


def test_html_page_header_is_kept_only_when_it_holds_the_documents_own_title_and_prose(tmp_path: Path) -> None:
    body = ("<div id='content'><h2>DESCRIPTION</h2><p>The kiln is fired from the control panel.</p></div>"
            "<div id='footer'>Last updated 2024</div>")
    manual = ("<body><div id='header'><h1>kiln(8) Manual Page</h1><h2>NAME</h2><div class='sectionbody'>"
              f"<p>kiln - fire clay pots at a chosen temperature</p></div></div>{body}</body>")
    document = _load(tmp_path, "kiln.html", manual)
    blocks = [(b.kind, document.text[b.start:b.end], b.section) for b in document.blocks]
    page = "kiln(8) Manual Page"
    assert blocks[:3] == [("heading", page, (page,)), ("heading", "NAME", (page, "NAME")),
                          ("paragraph", "kiln - fire clay pots at a chosen temperature", (page, "NAME"))]
    assert ("paragraph", "The kiln is fired from the control panel.", (page, "DESCRIPTION")) in blocks
    site_headers = [  # a site's banner: its name links home, or a menu, or the page has its own title elsewhere
        "<div class='site-header'><h1><a href='/'>Harbour Times</a></h1><p>News from the harbour every day since "
        "1901</p></div>",
        "<div id='header'><h1>Harbour Times</h1><p>News from the harbour every day since 1901</p>"
        "<ul><li><a href='/'>Home</a></li></ul></div>",
        "<div id='header'><h1>Harbour Times</h1><p>News from the harbour every day since 1901</p></div>"
        "<h1>Kiln Manual</h1>",
    ]
    for n, header in enumerate(site_headers):
        text = _load(tmp_path, f"site{n}.html", f"<body>{header}{body}</body>").text
        assert "The kiln is fired" in text and "Harbour Times" not in text and "since 1901" not in text


def test_html_code_keeps_its_first_lines_indentation_relative_to_the_others(tmp_path: Path) -> None:
    page = ("<main><p>The oven schedule is set like this:</p><pre>\n    for loaf in rack:\n        bake(loaf)\n</pre>"
            "<p>A siding joins the main line:</p><pre>      .----siding\n     /\n----main----</pre></main>")
    code = [text for kind, text in _texts(_load(tmp_path, "oven.html", page)) if kind == "code"]
    assert code == ["for loaf in rack:\n    bake(loaf)", "      .----siding\n     /\n----main----"]


def test_html_title_page_legal_notices_are_not_prose(tmp_path: Path) -> None:
    page = ("<html><body><div class='book'><h1>Kiln Manual</h1><p class='copyright'>Copyright © 2001-2020 Kiln "
            "Makers</p><div class='legalnotice'><p>Permission is granted to copy this manual.</p></div>"
            "<p>The kiln reaches 1200 degrees in four hours.</p></div></body></html>")
    text = _load(tmp_path, "kiln.html", page).text
    assert "reaches 1200 degrees" in text
    assert "Copyright" not in text and "Permission is granted" not in text


def test_rst_paragraphs_span_indented_wrapped_lines_and_directives_are_blocks(tmp_path: Path) -> None:
    document = _load(tmp_path, "bakery.rst.txt", RST_SOURCE)
    sentences = [document.text[s.start:s.end] for s in document_sentences(document) if s.is_prose]
    proof = next(s for s in sentences if s.startswith("Rest the dough"))
    assert proof.endswith("the default of two hours.") and "\n" in proof  # one sentence across the wrap
    assert "Bread is\nbaked for forty minutes." in sentences
    described = next(b for b in document.blocks if document.text[b.start:b.end].startswith("Rest the dough"))
    assert described.section == ("Bakery", "proof(dough, hours=2)")
    assert ("code", "oven.bake(loaf)") in _texts(document)
    assert any(kind == "paragraph" and text.startswith("versionadded:: 3.2") for kind, text in _texts(document))


def test_plain_text_blocks_introduced_by_a_colon_are_not_glued_to_their_paragraph(tmp_path: Path) -> None:
    source = ("Ferry Handbook\n==============\n\nDeparture\n---------\n\nA ferry may be held explicitly with:\n"
              "   ferry-hold --berth <n>\n   ferry-hold --all\n\nThe harbour has three kinds of berths:\n"
              " * Deep berths.  These take the large ferries.\n * Shallow berths.  These take the launches.\n\n"
              "Tickets\n-------\n\nTickets are sold on board.\n")
    blocks = _texts(_load(tmp_path, "ferry.txt", source))
    assert ("paragraph", "A ferry may be held explicitly with:") in blocks
    assert ("code", "ferry-hold --berth <n>\n   ferry-hold --all") in blocks  # the commands, not prose
    assert ("paragraph", "The harbour has three kinds of berths:") in blocks
    assert ("list_item", "Deep berths.  These take the large ferries.") in blocks


def test_plain_text_keeps_indented_commands_wrapped_lines_and_underlined_titles(tmp_path: Path) -> None:
    """A README as Debian ships it: a title underlined once (so not reST), wrapped prose, indented configuration
    and command lines, and a short line naming an option. Nothing of it is dropped or cut mid-sentence."""
    source = ("How to moor a ferry with the harbour client\n"
              "-------------------------------------------\n\n"
              "The harbour client can hold a ferry at its berth while the tide turns. To enable it, add\n"
              "the following line to the client configuration file\n"
              "($HOME/.harbour/config or /etc/harbour/config):\n\n"
              "    HoldAtBerth yes\n\n"
              "Then run the command below once per berth:\n\n"
              "\tharbour-hold --berth 4 --until high-water\n\n"
              "Previous option: --moor-slack\n"
              "Is now called: --slack-lines\n\n"
              "1. Bakers who rent the quay kitchen must sign the\n"
              "   \"kitchen book\" before they light the ovens.\n\n"
              "   The kitchen book is kept by the harbour master and is checked each\n"
              "   evening against the oven log.\n")
    document = _load(tmp_path, "harbour-README.txt", source)
    blocks = _texts(document)
    assert document.title == "How to moor a ferry with the harbour client"
    assert ("heading", "How to moor a ferry with the harbour client") in blocks
    assert ("code", "HoldAtBerth yes") in blocks and ("code", "harbour-hold --berth 4 --until high-water") in blocks
    # a full line carries on, whatever the next line starts with (a parenthesis, a path)
    assert any(text.startswith("The harbour client") and text.endswith("or /etc/harbour/config):")
               for _, text in blocks), blocks
    assert ("paragraph", "Is now called: --slack-lines") in blocks
    item = 'Bakers who rent the quay kitchen must sign the\n   "kitchen book" before they light the ovens.'
    assert ("list_item", item) in blocks
    assert any(kind == "paragraph" and text.startswith("The kitchen book is kept") for kind, text in blocks)


def test_rst_commands_after_a_plain_colon_are_code_but_a_quoted_paragraph_is_prose(tmp_path: Path) -> None:
    """A README with underlined titles (so read as reST) introduces its commands with ":" and a blank line, not
    "::": the commands are code; an indented paragraph that reads as prose stays prose."""
    source = ("Harbour client\n==============\n\nMooring\n-------\n\nTo hold a ferry at its berth, run:\n\n"
              "  harbour-hold --berth 4\n  harbour-hold --all\n\nThe harbour master wrote:\n\n"
              "  Every ferry held at a berth must be logged in the harbour book before the tide turns.\n\n"
              "Tides\n-----\n\nTides are read from the almanac.\n")
    blocks = _texts(_load(tmp_path, "README.Debian.txt", source))
    assert ("code", "harbour-hold --berth 4\n  harbour-hold --all") in blocks
    assert ("paragraph", "Every ferry held at a berth must be logged in the harbour book before the tide turns.") \
        in blocks


def test_rst_field_lists_keep_each_field_and_its_name(tmp_path: Path) -> None:
    source = ("Shipyard Handbook\n*****************\n\n:Author: Ada Keel and Bo Rudder\n:Release: 2.1\n\n"
              "The handbook covers launching.\n")
    fields = [t for kind, t in _texts(_load(tmp_path, "handbook.rst", source)) if kind == "list_item"]
    assert fields == [":Author: Ada Keel and Bo Rudder", ":Release: 2.1"]  # who wrote it is said, not just a name


KILN_GUIDE = """title: Kiln Controller Guide
author: Pottery Works

# Kiln controller

!!! warning "Hot surfaces"
    The lid stays above 200 degrees for an hour after firing ends.
    Wear gloves when you open it.

__ramp_rate__{: #ramp_rate }

:   Degrees gained per hour during the first stage.

    A slower ramp protects thick pots.

The following options are accepted:

* **`hold_minutes`**: How long the peak temperature is held.

    Default: `10`
"""


def test_markdown_admonitions_definitions_and_option_details_are_prose_in_context(tmp_path: Path) -> None:
    document = _load(tmp_path, "kiln.md", KILN_GUIDE)
    by_text = {document.text[b.start:b.end]: b for b in document.blocks}
    assert not any("Pottery Works" in text for text in by_text)  # leading metadata is not prose
    warning = next(b for text, b in by_text.items() if text.startswith("The lid stays"))
    assert warning.kind == "paragraph" and document.text[warning.start:warning.end].endswith("open it.")
    definition = by_text["Degrees gained per hour during the first stage."]  # the ":   " marker left out
    assert definition.section == ("Kiln controller", "ramp_rate")
    assert by_text["A slower ramp protects thick pots."].section == ("Kiln controller", "ramp_rate")
    assert by_text["Default: `10`"].section == ("Kiln controller", "hold_minutes")


def test_markdown_list_items_are_whole_and_headings_give_the_section(tmp_path: Path) -> None:
    document = _load(tmp_path, "ferry.md", MARKDOWN_SOURCE)
    items = [text for kind, text in _texts(document) if kind == "list_item"]
    assert items[0].endswith("ordered by departure time.") and items[0].startswith("`timetable(route)`")
    assert items[1] == "Cancelled sailings are left out."
    raises = next(b for b in document.blocks if "RouteError" in document.text[b.start:b.end])
    assert raises.section == ("Ferry API", "Timetables")


@pytest.mark.parametrize(("question", "leans"), [
    ("Where is the shipbuilder based?", True),          # shipyard
    ("When does the bakery open?", True),               # bakery
    ("What does the function return?", True),           # API reference
    ("Has it been repaired?", True),
    ("What does json.dumps return?", False),
    ("Where is Harland and Wolff based?", False),
    ("How long is the proofing time for rye bread?", True),
])
def test_follow_up_detection_is_a_general_rule(question: str, leans: bool) -> None:
    assert is_anaphoric_question(question) is leans


@pytest.mark.parametrize(("sentence", "leans"), [
    ("The yard has delivered three ferries this year.", True),
    ("This oven is heated with wood.", True),
    ("The function returns None.", False),
    ("Sourdough needs a starter.", False),
    ("However, rye dough is stickier.", True),
    ("It raises KeyError when the route is unknown.", True),
    ("(The harbour master can, however, waive the fee.)", True),             # an aside on the sentence before
])
def test_anaphoric_sentence_openings_need_no_noun_list(sentence: str, leans: bool) -> None:
    assert opens_with_anaphor(sentence) is leans


def test_changing_chunk_settings_rebuilds_the_index(tmp_path: Path, embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "bakery.rst").write_text(RST_SOURCE, encoding="utf-8")
    (sources / "ferry.md").write_text(MARKDOWN_SOURCE, encoding="utf-8")
    index = tmp_path / "index"
    first = Assistant(Settings(sources_dir=sources, index_dir=index), embedder=embedder).ingest()
    assert first.chunks_embedded > 0 and not first.rebuilt
    again = Assistant(Settings(sources_dir=sources, index_dir=index), embedder=embedder).ingest()
    assert again.chunks_embedded == 0 and not again.rebuilt
    changed = Assistant(Settings(sources_dir=sources, index_dir=index, chunk_tokens=96), embedder=embedder).ingest()
    assert changed.rebuilt and "chunk_tokens=200" in changed.rebuilt and "chunk_tokens=96" in changed.rebuilt
    assert changed.chunks_embedded >= first.chunks_embedded
    assert sorted(changed.updated) == ["bakery.rst", "ferry.md"] or sorted(changed.added) == ["bakery.rst", "ferry.md"]


def test_a_question_is_not_answered_silently_from_an_index_built_with_other_settings(tmp_path: Path,
                                                                                      embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "bakery.rst").write_text(RST_SOURCE, encoding="utf-8")
    index = tmp_path / "index"
    Assistant(Settings(sources_dir=sources, index_dir=index), embedder=embedder).ingest()
    other = Assistant(Settings(sources_dir=sources, index_dir=index, chunk_tokens=96), embedder=embedder)
    with pytest.raises(StaleIndexError, match=r"chunk_tokens=200.*now chunk_tokens=96.*assistant ingest"):
        other.ask("How long does the dough rest?")
    other.ingest()
    assert not other.ask("How long does the dough rest?").refused


def test_every_citation_is_whole_sentences(tmp_path: Path, embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "shipyard.html").write_text(SPHINX_PAGE, encoding="utf-8")
    (sources / "bakery.rst").write_text(RST_SOURCE, encoding="utf-8")
    (sources / "ferry.md").write_text(MARKDOWN_SOURCE, encoding="utf-8")
    bot = Assistant(Settings(sources_dir=sources, index_dir=tmp_path / "index"), embedder=embedder)
    bot.ingest()
    questions = ["What does launch() return?", "How hot is the oven?", "What does timetable return?",
                 "How long is bread baked?", "What does weld return?"]
    cited = 0
    for question in questions:
        for c in bot.ask(question).citations:
            document = load_document(sources / c.source, sources, 10_000_000)
            sentences = document_sentences(document)
            assert c.start in {s.start for s in sentences}, c.quote
            assert c.end in {s.end for s in sentences}, c.quote
            assert bot.source_text(c.source)[c.start:c.end] == c.quote
            cited += 1
    assert cited >= len(questions)


def test_a_sentence_too_long_for_one_chunk_is_retrieved_but_never_quoted_in_pieces(tmp_path: Path, embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    clauses = ", ".join(f"the {n}th rivet row of hull plate {n} is checked for corrosion by the yard inspector"
                        for n in range(1, 40))
    (sources / "yard.txt").write_text(f"Inspection.\n\nEvery spring {clauses}.\n\nThe slipway is "
                                      "repainted in May.\n", encoding="utf-8")
    bot = Assistant(Settings(sources_dir=sources, index_dir=tmp_path / "index"), embedder=embedder)
    bot.ingest()
    answer = bot.ask("Which rivet row of hull plate 17 is checked for corrosion?")
    assert any("17th rivet row" in h.chunk.text for h in bot.retrieve("rivet row hull plate 17").hits)
    for citation in answer.citations:  # a quote is a whole sentence or nothing: never a piece of the long one
        whole = citation.quote.startswith("Every spring") and citation.quote.endswith("yard inspector.")
        assert whole or "rivet" not in citation.quote


@pytest.mark.parametrize(("sentence", "gives_reason"), [
    ("The shipyard was fined for dumping paint into the harbour.", True),     # shipyard
    ("The loaf collapsed because the dough was over-proofed.", True),        # bakery
    ("The call fails due to a missing route.", True),                        # API reference
    ("Retries are capped so that a dead server cannot stall the client.", True),
    ("The bakery opens at seven.", False),
    ("The ferry has two decks.", False),
])
def test_reason_sentences_are_found_by_english_connectives(sentence: str, gives_reason: bool) -> None:
    assert can_answer_type(sentence, expected_answer_type("Why did that happen?")) is gives_reason


@pytest.mark.parametrize(("sentence", "gives_amount"), [
    ("A sourdough loaf costs €4.50 at the market stall.", True),            # bakery
    ("The yard won a contract worth 120 million to build two ferries.", True),  # shipyard
    ("The plan is billed at USD 40 per seat each month.", True),           # API pricing page
    ("The tanker was paid for in 3.5bn of bonds.", True),
    ("The oven was 5 years old.", False),
    ("Version 2 adds was 5 new routes.", False),
])
def test_amounts_of_money_are_found_by_shape_not_by_currency_names(sentence: str, gives_amount: bool) -> None:
    assert can_answer_type(sentence, expected_answer_type("How much does it cost?")) is gives_amount


@pytest.mark.parametrize(("question", "answer_type"), [
    ("How much did the bakery pay for its new oven?", "money"),                 # bakery
    ("How much money did the shipyard raise from its bond?", "money"),         # shipyard
    ("What is the price of the premium plan?", "money"),                      # API pricing page
    ("Which exception does connect() raise when the host is unknown?", "exception"),  # API reference: not money
    ("How much must continuation lines be indented?", "quantity"),
    ("How much flour goes into one loaf?", "quantity"),
    ("At what temperature does the dough rise?", "measure"),
    ("Does the counter tell me how many loaves were sold?", None),             # yes/no: not a quantity
    ("Is the hull repainted every year?", None),
])
def test_money_is_asked_for_with_money_words(question: str, answer_type: str | None) -> None:
    assert expected_answer_type(question) == answer_type


FAQ_SOURCES = {
    "bakery-faq.txt": "Bakery questions\n\nHow long should bread cool before slicing?\n\nLet the loaf cool on a rack "
                      "for at least one hour, or the crumb turns gummy.\n\nWhy does my crust burn?\n\nThe oven runs "
                      "hotter than its dial says; check it with an oven thermometer.\n",
    "shipyard-faq.txt": "Dry dock questions\n\nHow often is a hull repainted?\n\nA hull is repainted every five years "
                        "during its dry-dock survey.\n",
}


def test_a_question_in_the_text_is_context_never_the_answer(tmp_path: Path, embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, text in FAQ_SOURCES.items():
        (sources / name).write_text(text, encoding="utf-8")
    bot = Assistant(Settings(sources_dir=sources, index_dir=tmp_path / "index"), embedder=embedder)
    bot.ingest()
    cases = {"How long should bread cool before slicing?": "at least one hour",
             "How often is a hull repainted?": "every five years"}
    for question, fact in cases.items():
        answer = bot.ask(question)
        assert not answer.refused and fact in answer.citations[0].quote
        assert not any(c.quote.rstrip().endswith("?") for c in answer.citations)


def test_pdf_bookmarks_give_headings_and_sections_and_the_contents_page_is_left_out(tmp_path: Path) -> None:
    from tests.pdf_maker import make_pdf

    pages = [["Contents", "1 Kilns . . . . . 2", "1.1 Firing schedules . . . . . 2", "2 Why does my glaze crawl? 3"],
             ["1 Kilns", "A kiln is an insulated chamber that is heated to fire clay.",
              "1.1 Firing schedules", "A bisque firing reaches about 1000 degrees and takes eight hours."],
             ["2 Why does my glaze", "crawl?", "Glaze crawls when it is applied over dust or oil."]]
    outline = [(0, "Kilns", 1), (1, "Firing schedules", 1), (0, "Why does my glaze crawl?", 2)]
    (tmp_path / "kilns.pdf").write_bytes(make_pdf(pages, outline))
    document = load_document(tmp_path / "kilns.pdf", tmp_path, 10_000_000)
    blocks = [(b.kind, document.text[b.start:b.end], b.section, b.page) for b in document.blocks]
    assert not any(". . ." in text for _, text, _, _ in blocks)  # the contents page is not prose
    assert ("heading", "1.1 Firing schedules", ("Kilns", "Firing schedules"), 2) in blocks
    assert ("heading", "2 Why does my glaze crawl?", ("Why does my glaze crawl?",), 3) in blocks  # wrapped title
    firing = next(b for b in blocks if b[1].startswith("A bisque firing"))
    assert firing[0] == "paragraph" and firing[2] == ("Kilns", "Firing schedules") and firing[3] == 2
    crawl = next(b for b in blocks if b[1].startswith("Glaze crawls"))
    assert crawl[2] == ("Why does my glaze crawl?",) and crawl[3] == 3


def test_pdf_bookmark_titles_with_their_section_numbers_are_found(tmp_path: Path) -> None:
    from tests.pdf_maker import make_pdf

    pages = [["1. Ferries", "1.1. Timetables", "Ferries leave the harbour every hour from six in the morning.",
              "1.2. Tickets", "Tickets are sold on board and at the harbour office."]]
    outline = [(0, "1. Ferries", 0), (1, "1.1. Timetables", 0), (1, "1.2. Tickets", 0)]
    (tmp_path / "ferries.pdf").write_bytes(make_pdf(pages, outline))
    document = load_document(tmp_path / "ferries.pdf", tmp_path, 10_000_000)
    blocks = [(b.kind, document.text[b.start:b.end], b.section) for b in document.blocks]
    assert ("heading", "1.2. Tickets", ("1. Ferries", "1.2. Tickets")) in blocks
    assert ("paragraph", "Tickets are sold on board and at the harbour office.", ("1. Ferries", "1.2. Tickets")) \
        in blocks


def test_pdf_running_heads_page_numbers_and_hyphenation_are_cleaned(tmp_path: Path) -> None:
    from tests.pdf_maker import make_pdf

    vessels = ["tanker", "ferry", "trawler", "barge"]
    pages = [["Harbour Manual", f"The {vessel} section starts here.", f"Berths for the {vessel} are assigned daily.",
              f"Tugs must keep a distance of fifty metres from a {vessel} under tow-", "ing in the outer harbour.",
              f"Each {vessel} reports its draught on arrival.", f"Fuel for the {vessel} is ordered a day ahead.",
              f"The {vessel} section ends here.", f"Page {n} of 4"]
             for n, vessel in enumerate(vessels, 1)]
    (tmp_path / "harbour.pdf").write_bytes(make_pdf(pages))
    document = load_document(tmp_path / "harbour.pdf", tmp_path, 10_000_000)
    texts = [document.text[b.start:b.end] for b in document.blocks]
    assert not any("Harbour Manual" in t or "Page" in t for t in texts)
    assert f"from a {vessels[2]} under towing in the outer harbour." in document.text  # the hyphen rejoined
    assert sorted({b.page for b in document.blocks}) == [1, 2, 3, 4]


def test_pdf_a_chapters_running_head_is_furniture_but_a_repeated_label_is_not(tmp_path: Path) -> None:
    """Each chapter has its own running head with the page number ("Chapter 2: Tugs 5"): on most pages of the
    chapter, though on few pages of the book. A short label repeated at page edges ("Desc:") stays."""
    from tests.pdf_maker import make_pdf

    pages = []
    for chapter, topic in enumerate(["Berths", "Tugs", "Tides"], 1):
        for n in range(4):
            page = 4 * (chapter - 1) + n + 1
            pages.append([f"Desc: {topic.lower()} rules", f"The {topic.lower()} rules, part {n}, are read aloud "
                          "at every change of the watch.", f"Chapter {chapter}: {topic} {page}"])
    (tmp_path / "harbour.pdf").write_bytes(make_pdf(pages))
    document = load_document(tmp_path / "harbour.pdf", tmp_path, 10_000_000)
    assert "Chapter 2: Tugs" not in " ".join(document.text[b.start:b.end] for b in document.blocks)
    assert any(document.text[b.start:b.end].startswith("Desc: tugs") for b in document.blocks)


def test_list_markup_between_blocks_keeps_them_in_one_chunk_but_words_do_not(tmp_path: Path, embedder) -> None:
    """A list's bullets and numbers lie between its items' blocks; they must not cut the list into one chunk per
    item (the sentence introducing the list would lose its items). Words between blocks (a page header) still do."""
    from assistant.chunking import Chunker

    def chunks_of(name: str, text: str) -> list[str]:
        (tmp_path / name).write_text(text, encoding="utf-8")
        document = load_document(tmp_path / name, tmp_path, 10_000_000)
        return [c.text for c in Chunker.for_embedder(embedder, Settings()).split(document)]

    markdown = ("The kiln has three failure modes:\n\n* The lid cracks in a cold draught.\n"
                "* The element burns out.\n\n1. Check the fuse first.\n2. Then the element.\n")
    assert len(chunks_of("kiln.md", markdown)) == 1
    restructured = "Two checks are made before a launch:\n\n#. The hull is sounded.\n#. The rudder is swung.\n"
    assert len(chunks_of("launch.rst", restructured)) == 1


def test_pdf_ligatures_are_their_letters() -> None:
    """"ﬁle" is searched, stemmed and quoted as "file"."""
    from assistant.documents.pdf import _LIGATURES

    assert "The conﬁguration ﬁle is ﬂushed.".translate(_LIGATURES) == "The configuration file is flushed."


def test_markdown_paragraphs_of_links_only_are_navigation(tmp_path: Path) -> None:
    """Badges, a contents list and a row of translations say nothing; a sentence with a link in it does."""
    source = ("# Harbour\n\n[![Build](https://ci/badge.svg)](https://ci) [![Docs](https://d.svg)](https://d)\n\n"
              "[English](README.md) • [Français](README.fr.md)\n\n- [About the harbour](#about)\n"
              "- [`berth`](#berth): the quay a ferry is moored at.\n\n"
              "See [the tide tables](https://tides) before each launch.\n")
    blocks = _texts(_load(tmp_path, "harbour.md", source))
    assert blocks == [("heading", "Harbour"), ("list_item", "[`berth`](#berth): the quay a ferry is moored at."),
                      ("paragraph", "See [the tide tables](https://tides) before each launch.")]


def test_html4_without_end_tags_keeps_each_term_cell_and_row(tmp_path: Path) -> None:
    """man2html and HTML 4 leave out </DT>, </DD>, </TD>, </TR>: each option is still its own term and
    description, and each table cell its own, not one heading holding the whole list."""
    page = ("<HTML><BODY><H2>OPTIONS</H2><DL COMPACT><DT><B>-c</B><DD>If the -c option is present, the crane reads "
            "its orders from the first argument.<DT><B>-i</B><DD>If the -i option is present, the crane asks "
            "before each lift.</DL><TABLE><TR><TD>crane.8<TD>the crane's manual page<TR><TD>tides.txt<TD>the "
            "tide tables</TABLE></BODY></HTML>")
    blocks = _texts(_load(tmp_path, "crane.html", page))
    assert ("heading", "-c") in blocks and ("heading", "-i") in blocks
    assert ("paragraph", "If the -i option is present, the crane asks before each lift.") in blocks
    assert ("table_row", "crane.8 | the crane's manual page") in blocks
