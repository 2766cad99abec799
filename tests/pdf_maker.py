"""Real PDFs for the loader tests: text drawn line by line in Helvetica, with optional bookmarks (pypdf writes
them; nothing is mocked: the loader reads the bytes back with pypdf like any other PDF)."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def make_pdf(pages: list[list[str]], outline: list[tuple[int, str, int]] = ()) -> bytes:
    """`pages` of text lines; `outline` as (depth, title, 0-based page), in reading order."""
    writer = PdfWriter()
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        drawn = "".join("({}) Tj T*\n".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
                        for line in lines)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 11 Tf 14 TL 72 740 Td\n{drawn}ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    parents: dict[int, object] = {}
    for depth, title, page_index in outline:
        parents[depth] = writer.add_outline_item(title=title, page_number=page_index, parent=parents.get(depth - 1))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
