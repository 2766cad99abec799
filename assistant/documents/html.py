"""HTML: the main content, block by block, with inline elements kept inside their sentence.

BeautifulSoup walks the page. Block elements (p, li, dt, dd, h1-h6, pre, tr, blockquote…)
each become one block whose text is the page's visible text with whitespace collapsed;
inline elements (<code>, <a>, <em>) stay where they are, so a sentence reads as a browser
shows it. The main content is the page's `main` / `[role=main]` / `article` element when
there is one; navigation, sidebars, headers, footers, buttons, Sphinx's "¶" links and
"previous / next topic" boxes are not text, nor is a paragraph or list item that is only links
(a "see also" line). A page header that holds the document's own title and prose rather than a
site's banner (AsciiDoc's manual page name and NAME line) is kept, before the main content.
A `<dt>` (a Sphinx API signature, a glossary term) names the section of the `<dd>` that follows
it; consecutive `<dt>` terms of one definition are one heading, "-q, --quiet".
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

from .furniture import is_boilerplate, only_link_glue
from .model import PROSE_KINDS, BlockKind, ParsedText, TextBuilder

_REMOVED_TAGS = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe",
                 "svg", "head", "button", "input", "select", "textarea", "canvas", "video", "audio", "object"]
# Class words (or a whole id) that mark navigation and page chrome across sites and doc generators.
_CHROME = re.compile(r"(?<![^\s_-])(sidebar|sphinxsidebar|related|breadcrumbs?|navbar|nav|navigation|menu|"
                     r"footer|header|masthead|cookie|share|social|toc|headerlink|copybutton|skip-?link|"
                     r"advert(?:isement)?|ads?|promo|newsletter|comments?|prev-?next|pager|search|copyright|legalnotice|"
                     r"copiable-anchor)(?![^\s_-])",
                     re.IGNORECASE)
_MAIN_SELECTORS = ["[role=main]", "main", "article", "div.body", "div.document", "#content", ".content"]
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_KIND: dict[str, BlockKind] = {"p": "paragraph", "li": "list_item", "dd": "paragraph", "pre": "code",
                                     "tr": "table_row", "blockquote": "paragraph", "figcaption": "paragraph",
                                     "caption": "paragraph", "dt": "heading", "summary": "heading",
                                     "td": "paragraph", "th": "paragraph"}
_CONTAINERS = {"div", "section", "ul", "ol", "dl", "table", "tbody", "thead", "tfoot", "body", "main", "article",
               "details", "figure", "center", "html", "hgroup"}
_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")
_DOCUMENT_HEADER_WORDS = 5  # a page header with a paragraph this long (outside links) may be the document's own


def parse_html(html: str) -> ParsedText:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml" if _leaves_end_tags_out(html) else "html.parser")
    metadata: dict[str, str] = {}
    if soup.title and soup.title.get_text(strip=True):
        metadata["title"] = _SPACE.sub(" ", soup.title.get_text()).strip()
    document_headers = _remove_chrome(soup)
    root = next((found for selector in _MAIN_SELECTORS if (found := soup.select_one(selector))), None)
    walker = _Walker()
    if root is not None:  # a document header outside the main content comes first (a manual page's NAME line)
        for header in document_headers:
            if not header.decomposed and not _inside(header, root) and not _inside(root, header) \
                    and _position(header) < _position(root):
                walker.walk(header)
    walker.walk(root or soup.body or soup)
    return walker.builder.build(metadata)


_OPTIONAL_END = ("dt", "dd", "td", "tr", "li", "th")


def _leaves_end_tags_out(html: str) -> bool:
    """HTML 4 lets `<dt>`, `<dd>`, `<td>`, `<tr>`, `<li>` close where the next one opens (man2html writes it so);
    Python's parser does not imply those ends, lxml does. Pages that close every element keep the default parser."""
    lowered = html.lower()
    return any(len(re.findall(rf"<{tag}[\s>]", lowered)) > lowered.count(f"</{tag}>") for tag in _OPTIONAL_END)


def _remove_chrome(soup) -> list[Any]:
    """Take navigation and page chrome out of the page; return the page headers kept as the document's own."""
    for tag in soup(_REMOVED_TAGS):
        tag.decompose()
    document_headers = []
    for tag in soup.find_all(True):
        if tag.decomposed or tag.attrs is None:
            continue
        classes: str | list[str] = tag.get("class") or []
        # An id is a name, often a heading's slug ("Command-Search-and-Execution", "comments"): chrome only when it
        # is nothing but a chrome word ("sidebar", "toc"); class words are style hooks and count one by one.
        identifier = str(tag.get("id") or "")
        named = _CHROME.fullmatch(identifier) is not None and not _titled(tag, identifier)
        words = " ".join([*(classes if isinstance(classes, list) else [classes]), str(tag.get("role") or ""),
                          identifier if named else ""])
        if tag.name in ("body", "html", "main") or tag.get("role") == "main" or not (chrome := _CHROME.findall(words)):
            continue
        if {word.lower() for word in chrome} == {"header"} and _is_document_header(tag, soup):
            document_headers.append(tag)
        elif not _is_heading_title(tag):
            tag.decompose()
    return document_headers


def _titled(tag: Any, identifier: str) -> bool:
    """Whether the element is a section titled by its id ("3.1 Comments" in the element with id "Comments")."""
    heading = tag.find(list(_HEADINGS))
    wanted = _NOT_WORD.sub("", identifier).lower()
    return heading is not None and _NOT_WORD.sub("", heading.get_text()).lower().endswith(wanted)


class _Walker:
    def __init__(self) -> None:
        self.builder = TextBuilder()
        self.headings: list[tuple[int, str]] = []
        self.terms: list[str] = []  # the open <dt> terms: a definition's section

    def section(self) -> tuple[str, ...]:
        return (*(h for _, h in self.headings), *self.terms)

    def add(self, text: str, kind: BlockKind, nodes: Sequence[Any] = ()) -> None:
        """One block; prose that is only links (`nodes`, the elements it was read from) is navigation, left out."""
        if not text.strip() or (kind not in ("code", "heading") and is_boilerplate(text.strip())):
            return  # a heading keeps its section's name whatever it says ("Comments.", "Related")
        if kind in PROSE_KINDS and nodes and _only_links(nodes):
            return
        self.builder.add(text, kind, self.section())

    def walk(self, node) -> None:  # noqa: C901 - one dispatch over the HTML block elements, a branch per kind
        from bs4 import NavigableString, Tag

        inline: list[Any] = []  # text and inline elements not yet in a block

        def flush() -> None:
            if inline:
                self.add(_SPACE.sub(" ", "".join(_text(n) for n in inline)), "paragraph", inline)
                inline.clear()

        for child in list(node.children):
            if isinstance(child, NavigableString):
                if _is_markup(child):
                    continue
                inline.append(child)
            elif isinstance(child, Tag):
                if child.name in _HEADINGS:
                    flush()
                    self._heading(child)
                elif child.name == "dl":
                    flush()
                    self._definitions(child)
                elif child.name in _BLOCK_KIND:
                    flush()
                    self._block(child)
                elif child.name in _CONTAINERS or _has_block_child(child):
                    flush()
                    self.walk(child)
                else:
                    inline.append(child)
        flush()

    def _heading(self, tag) -> None:
        level, title = _HEADINGS[tag.name], _SPACE.sub(" ", tag.get_text()).strip()
        if not title:
            return
        self.headings = [h for h in self.headings if h[0] < level] + [(level, title)]
        self.terms.clear()
        self.add(title, "heading")

    def _definitions(self, dl) -> None:
        """Each run of consecutive <dt> terms (aliases of one thing: "-q", "--quiet") is one heading, the terms
        joined by commas, and names the section of the <dd> descriptions that follow it."""
        depth = len(self.terms)
        children = dl.find_all(["dt", "dd"], recursive=False)
        aliases: list[str] = []
        for i, child in enumerate(children):
            if child.name == "dt":
                if term := _SPACE.sub(" ", child.get_text()).strip():
                    aliases.append(term)
                if i + 1 < len(children) and children[i + 1].name == "dt":
                    continue
                label = ", ".join(aliases)
                aliases = []
                del self.terms[depth:]
                if label:
                    self.terms.append(label[:120])
                    self.add(label, "heading")
            else:
                self.walk(child)
        del self.terms[depth:]

    def _block(self, tag) -> None:
        kind = _BLOCK_KIND[tag.name]
        if kind == "code":  # the lines as they are, less the indentation they all share
            self.add(textwrap.dedent(tag.get_text()), "code")
        elif kind == "table_row":
            cells = [_SPACE.sub(" ", cell.get_text()).strip() for cell in tag.find_all(["td", "th"], recursive=False)]
            self.add(" | ".join(c for c in cells if c), "table_row", [tag])
        elif _has_block_child(tag):
            if tag.name == "li":  # a list item's own lead text, then its nested blocks
                self._list_item(tag)
            else:
                self.walk(tag)
        else:
            self.add(_SPACE.sub(" ", tag.get_text()), kind, [tag])

    def _list_item(self, tag) -> None:
        from bs4 import Tag

        lead: list[Any] = []
        rest: list[Any] = []
        for child in tag.children:
            if rest or (isinstance(child, Tag) and (child.name in _BLOCK_KIND or child.name in _CONTAINERS
                                                    or child.name in _HEADINGS)):
                rest.append(child)
            elif not _is_markup(child):
                lead.append(child)
        lead_text = "".join(_text(n) for n in lead)
        has_lead = bool(lead_text.strip())  # whitespace between <li> and its first <p> is not a lead
        self.add(_SPACE.sub(" ", lead_text), "list_item", lead)
        for child in rest:
            if isinstance(child, Tag):
                if child.name == "p" and not has_lead:  # the item's first paragraph is the item itself
                    self.add(_SPACE.sub(" ", child.get_text()), "list_item", [child])
                    has_lead = True
                elif child.name in _BLOCK_KIND:
                    self._block(child)
                elif child.name == "dl":
                    self._definitions(child)
                else:
                    self.walk(child)


_BLOCK_NAMES = set(_BLOCK_KIND) | _CONTAINERS | set(_HEADINGS) | {"dl"}


def _has_block_child(tag) -> bool:
    return tag.find(_BLOCK_NAMES) is not None


def _is_document_header(tag, soup) -> bool:
    """A page header that holds the document's own title and prose rather than a site's banner: the page's only
    `<h1>`s, no heading that is a link, no lists or tables, a paragraph of at least five words outside links, and
    little link text overall (AsciiDoc puts a manual page's title and its one-line NAME summary in `#header`)."""
    headings = tag.find_all(list(_HEADINGS))
    own_h1 = tag.find_all("h1")
    if not own_h1 or len(soup.find_all("h1")) != len(own_h1) or tag.find(["ul", "ol", "table", "dl"]):
        return False
    if any(h.find("a", href=True) or h.find_parent("a", href=True) for h in headings):
        return False
    inside, outside = _link_text([tag])
    if len(_NOT_WORD.sub("", inside)) * 4 > len(_NOT_WORD.sub("", inside + outside)):
        return False
    return any(len(_link_text([p])[1].split()) >= _DOCUMENT_HEADER_WORDS for p in tag.find_all("p"))


def _inside(tag, other) -> bool:
    return any(parent is other for parent in tag.parents)


def _position(tag) -> tuple[int, int]:
    """Where an element starts in the page's source (line, column)."""
    return tag.sourceline or 0, tag.sourcepos or 0


def _is_heading_title(tag) -> bool:
    """An element that holds all the words of a heading, such as a link from a heading to itself: the title,
    whatever its class says (a "¶" or "#" permalink beside the title has none of its words)."""
    heading = tag.find_parent(list(_HEADINGS))
    words = _NOT_WORD.sub("", tag.get_text())
    return heading is not None and bool(words) and words == _NOT_WORD.sub("", heading.get_text())


def _is_markup(node) -> bool:
    """A comment, doctype or processing instruction: in the page's source, not its text."""
    return type(node).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction", "CData")


def _text(node) -> str:
    """The visible text of a node read inline: a line break reads as a space."""
    from bs4 import Tag

    if isinstance(node, Tag):
        return " " if node.name == "br" else node.get_text()
    return str(node)


def _only_links(nodes: Sequence[Any]) -> bool:
    """Links and nothing said of their own: every letter and digit sits inside an `<a href>`, but for "and" / "or"
    joining them ("a(1), b(5) and c(1)"). A "see also" line, a list item or a table row of links is navigation;
    a sentence that merely contains links has words of its own."""
    inside, outside = _link_text(nodes)
    return any(c.isalnum() for c in inside) and only_link_glue(outside)


def _link_text(nodes: Sequence[Any]) -> tuple[str, str]:
    """The visible text of the nodes inside `<a href>` links, and outside them."""
    from bs4 import Tag

    inside: list[str] = []
    outside: list[str] = []

    def visit(node) -> None:
        if isinstance(node, Tag):
            if node.name == "a" and node.get("href") is not None:
                inside.append(node.get_text())
            else:
                for child in node.children:
                    visit(child)
        elif not _is_markup(node):
            outside.append(str(node))

    for node in nodes:
        visit(node)
    return "".join(inside), "".join(outside)
