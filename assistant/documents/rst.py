"""reStructuredText (`.rst`, and `.rst.txt` as Sphinx ships its sources), read line by line.

The file's own text is the loaded text. Sections come from underlined (and overlined)
titles; an object directive (`.. function:: name(args)`) opens a sub-section named by its
signature, so its description is found under "module › name(args)". Paragraphs run to a
blank line whatever their indentation; literal blocks (after `::`), code directives and
doctest lines are code; bullets, enumerations and field lists are list items; comments,
targets and substitution definitions are not text at all.
"""

from __future__ import annotations

import re

from .model import Block, BlockKind, ParsedText, line_starts, trimmed
from .plaintext import reads_as_prose

_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+:.<>_])\1{2,}\s*$")
_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([\w:-]+)::\s*(.*)$")
_COMMENT = re.compile(r"^(\s*)\.\.(?:\s|$)")
_FOOTNOTE = re.compile(r"^\s*\.\.\s+\[[^\]]+\]\s+")
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|#\.|\d+[.)]|\(\d+\)|[a-z][.)])\s+")
_FIELD = re.compile(r"^(\s*):[^:]+:\s*")
_TABLE_BORDER = re.compile(r"^\s*[+=][-=+ ]*$|^\s*=+(?:\s+=+)+\s*$")
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "doctest", "testcode", "testoutput", "productionlist",
                    "literalinclude"}
_SILENT_DIRECTIVES = {"index", "toctree", "highlight", "include", "image", "figure", "only", "raw", "module",
                      "currentmodule", "moduleauthor", "sectionauthor", "contents", "rubric", "tabularcolumns",
                      "testsetup", "testcleanup", "audit-event"}
# Directives that document an object: their body is about the object their argument names.
_OBJECT_DIRECTIVE = re.compile(r"^(?:py:)?(?:function|method|class|exception|data|attribute|decorator|"
                               r"classmethod|staticmethod|property|coroutinefunction|coroutinemethod|"
                               r"envvar|option|opcode|describe|object|cmdoption|c:\w+)$")


_RST_MARKS_NEEDED = 3  # titles plus directives a `.txt` needs before it is read as reST
_OVERLINED_TITLE_LINES = 3  # overline, title, underline


def looks_like_rst(text: str) -> bool:
    """Underlined section titles or explicit markup: a `.txt` file that is really reST."""
    lines = text.split("\n", 400)[:400]
    titles = sum(1 for i in range(1, len(lines)) if _ADORNMENT.match(lines[i]) and lines[i - 1].strip()
                 and len(lines[i].strip()) >= len(lines[i - 1].strip()))
    directives = sum(1 for line in lines if _DIRECTIVE.match(line))
    return titles >= 1 and (titles + directives) >= _RST_MARKS_NEEDED


class _RstReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.offsets = line_starts(text)
        self.blocks: list[Block] = []
        self.levels: list[str] = []  # adornment styles, in order of first use
        self.sections: list[str] = []
        self.objects: list[tuple[int, str]] = []  # (indent, signature) of the open object directives

    def section(self) -> tuple[str, ...]:
        return (*self.sections, *(name for _, name in self.objects))

    def add(self, kind: BlockKind, first: int, last: int, column: int = 0) -> None:
        start = self.offsets[first] + min(column, len(self.lines[first]))
        end = self.offsets[last] + len(self.lines[last])
        start, end = trimmed(self.text, start, end)
        if start < end:
            self.blocks.append(Block(kind, start, end, self.section()))

    def indent(self, i: int) -> int:
        line = self.lines[i]
        return len(line) - len(line.lstrip())

    def blank(self, i: int) -> bool:
        return not self.lines[i].strip()

    def skip_indented(self, i: int, base: int) -> int:
        """The first line after an indented body (deeper than `base`)."""
        while i < len(self.lines) and (self.blank(i) or self.indent(i) > base):
            i += 1
        return i

    def title_at(self, i: int) -> tuple[str, str, int] | None:
        """(title, style, lines used) when line i starts a section title."""
        lines = self.lines
        if i + 2 < len(lines) and _ADORNMENT.match(lines[i]) and lines[i + 1].strip() and \
                _ADORNMENT.match(lines[i + 2]) and lines[i][0] == lines[i + 2][0]:
            return lines[i + 1].strip(), "over" + lines[i][0], 3
        if i + 1 < len(lines) and lines[i].strip() and not lines[i][0].isspace() and _ADORNMENT.match(lines[i + 1]) \
                and len(lines[i + 1].rstrip()) >= len(lines[i].rstrip()) and not _DIRECTIVE.match(lines[i]):
            return lines[i].strip(), lines[i + 1][0], 2
        return None

    def read(self) -> ParsedText:  # noqa: C901 - one pass over the lines; each branch is one kind of reST block
        i, literal_next = 0, False
        while i < len(self.lines):
            if self.blank(i):
                i += 1
                continue
            indent = self.indent(i)
            while self.objects and indent <= self.objects[-1][0]:
                self.objects.pop()
            title = self.title_at(i)
            if title:
                name, style, used = title
                if style not in self.levels:
                    self.levels.append(style)
                depth = self.levels.index(style)
                self.sections = [*self.sections[:depth], name]
                self.objects.clear()
                title_line = i + (1 if used == _OVERLINED_TITLE_LINES else 0)
                self.add("heading", title_line, title_line)
                i += used
                continue
            if literal_next and indent > 0:
                end = self.skip_indented(i, indent - 1)
                self.add("code", i, self._last_text_line(end))
                i, literal_next = end, False
                continue
            literal_next = False
            directive = _DIRECTIVE.match(self.lines[i])
            if directive:
                i = self._directive(i, directive)
                continue
            if _ADORNMENT.match(self.lines[i]):  # a transition line
                i += 1
                continue
            footnote = _FOOTNOTE.match(self.lines[i])
            if footnote:  # ".. [1] text": a footnote is prose that readers see
                last = i
                while last + 1 < len(self.lines) and not self.blank(last + 1) and self.indent(last + 1) > indent:
                    last += 1
                self.add("paragraph", i, last, footnote.end())
                i = last + 1
                continue
            if _COMMENT.match(self.lines[i]):
                i = self.skip_indented(i + 1, indent)
                continue
            if self.lines[i].lstrip().startswith(">>>"):
                end = i
                while end + 1 < len(self.lines) and not self.blank(end + 1):
                    end += 1
                self.add("code", i, end)
                i = end + 1
                continue
            i, literal_next = self._paragraph(i, indent)
        return ParsedText(self.text, tuple(self.blocks))

    def _last_text_line(self, end: int) -> int:
        last = end - 1
        while last > 0 and self.blank(last):
            last -= 1
        return last

    def _directive(self, i: int, match: re.Match[str]) -> int:
        indent, name, argument = len(match.group(1)), match.group(2).lower(), match.group(3).strip()
        body_end = self.skip_indented(i + 1, indent)
        if name in _CODE_DIRECTIVES:
            if body_end > i + 1:
                self.add("code", i + 1, self._last_text_line(body_end))
            return body_end
        if name in _SILENT_DIRECTIVES:
            return body_end
        if _OBJECT_DIRECTIVE.match(name):
            signature = argument
            last = i
            while (last + 1 < body_end and self.lines[last + 1].strip()
                   and not self.lines[last + 1].strip().startswith(":")):
                last += 1  # continued signatures (one per line)
            self.add("heading", i, last, self.lines[i].index(name))
            self.objects.append((indent, signature))
            return i + 1 + (last - i)
        # Admonitions and version notes: "versionadded:: 3.2 text" is prose that starts at the name.
        if argument:
            last = i
            while last + 1 < len(self.lines) and not self.blank(last + 1) and self.indent(last + 1) > indent:
                last += 1
            self.add("paragraph", i, last, self.lines[i].index(name))
            return last + 1
        return i + 1  # the body is read as ordinary indented text

    def _paragraph(self, i: int, indent: int) -> tuple[int, bool]:
        """One paragraph or list item from line i to the next blank line; True when a literal block follows."""
        line = self.lines[i]
        if _TABLE_BORDER.match(line):
            return i + 1, False
        bullet = _BULLET.match(line)
        field = _FIELD.match(line)
        kind: BlockKind = "list_item" if bullet or field else \
            "table_row" if line.lstrip().startswith("|") else "paragraph"
        column = bullet.end() if bullet else indent  # a field keeps its name: ":Author: …" says what the value is
        last = i
        introduced = False  # an indented block right after "…:" (plain-text docs skip the blank line and "::")
        while last + 1 < len(self.lines) and not self.blank(last + 1):
            nxt = self.lines[last + 1]
            if self.lines[last].rstrip().endswith(":") and self.indent(last + 1) > indent:
                introduced = not _BULLET.match(nxt)  # a deeper list is read as items, anything else as literal
                break
            if ((_BULLET.match(nxt) or _FIELD.match(nxt)) and self.indent(last + 1) <= indent) or \
                    _DIRECTIVE.match(nxt) or \
                    _TABLE_BORDER.match(nxt) or self.title_at(last + 1) or kind == "table_row":
                break
            last += 1
        if kind == "table_row":
            self.add(kind, i, last, column + 1)
            return last + 1, False
        self.add(kind, i, last, column)
        ending = self.lines[last].rstrip()
        literal = introduced or ending.endswith("::") or (ending.endswith(":") and self._code_follows(last + 1, indent))
        return last + 1, literal

    def _code_follows(self, i: int, indent: int) -> bool:
        """Whether the indented block after line i-1 (past blank lines) is code, not a quoted paragraph: a README
        introduces its commands with a plain ":" ("…add this to sshd_config:")."""
        while i < len(self.lines) and self.blank(i):
            i += 1
        if i >= len(self.lines) or self.indent(i) <= indent or _BULLET.match(self.lines[i]):
            return False
        end = self.skip_indented(i, indent)
        return not reads_as_prose("\n".join(self.lines[i:end]).strip())


def parse_rst(text: str) -> ParsedText:
    return _RstReader(text).read()
