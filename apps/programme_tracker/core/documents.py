"""Documents the register writes for people to read, edit and file: one outline of headings, paragraphs, lists and
tables, written out as DOCX (which ministries edit) or as PDF (which they file and publish).

The modules above build the outline (the task force's agenda and minutes, the progress report); this module only
lays it out, so both formats always hold the same text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
# Characters XML cannot hold (DOCX is XML, and the PDF's paragraphs are parsed as markup): a text pasted from
# elsewhere may carry them. Line breaks and tabs stay.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def writable(text) -> str:
    """The text without the characters a document cannot hold."""
    return UNWRITABLE.sub("", str(text))


@dataclass
class Table:
    """A table with a header row; `widths` are the columns' shares of the page width."""

    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass
class Document:
    """An outline: a title, a language, and blocks in order (heading, paragraph, list, table)."""

    title: str
    language: str = "en"
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str, level: int = 1) -> None:
        """A heading of level 1 or 2."""
        self.blocks.append((f"heading{min(max(level, 1), 2)}", text))

    def paragraph(self, text: str) -> None:
        """A paragraph; its line breaks are kept."""
        self.blocks.append(("paragraph", text))

    def items(self, texts: list[str], numbered: bool = False) -> None:
        """A bulleted or numbered list."""
        self.blocks.append(("numbered" if numbered else "bullets", list(texts)))

    def table(self, headers: list[str], rows: list[list[str]], widths: list[float] | None = None) -> None:
        """A table; every cell is text."""
        self.blocks.append(("table", Table(headers, [[str(cell) for cell in row] for row in rows], widths)))

    def text(self) -> str:
        """All the document's words, in order (what the tests read back from both formats)."""
        parts = [self.title]
        for kind, content in self.blocks:
            if kind == "table":
                parts += content.headers + [cell for row in content.rows for cell in row]
            elif isinstance(content, list):
                parts += content
            else:
                parts.append(content)
        return "\n".join(writable(part) for part in parts)


def to_docx(document: Document) -> bytes:
    """The document as a Word file, with Word's own heading, list and table styles (so a ministry restyles it)."""
    from docx import Document as Word  # imported on use: only downloads need it, and it loads lxml
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    word = Word()
    section = word.sections[0]  # A4 with 2 cm margins, as the PDF (python-docx's own template is US Letter)
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(20)
    word.core_properties.title = writable(document.title)
    word.core_properties.language = document.language
    # The language of the text, for spelling checks and screen readers.
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), document.language)
    word.styles["Normal"].element.get_or_add_rPr().append(language)
    word.add_heading(writable(document.title), level=0)
    for kind, content in document.blocks:
        if kind.startswith("heading"):
            word.add_heading(writable(content), level=int(kind[-1]))
        elif kind == "paragraph":
            word.add_paragraph(writable(content))
        elif kind in ("bullets", "numbered"):
            style = "List Number" if kind == "numbered" else "List Bullet"
            for text in content:
                word.add_paragraph(writable(text), style=style)
        else:
            table = word.add_table(rows=1, cols=len(content.headers), style="Table Grid")
            for cell, text in zip(table.rows[0].cells, content.headers, strict=True):
                cell.text = writable(text)
                cell.paragraphs[0].runs[0].bold = True
            header = OxmlElement("w:tblHeader")  # repeated on every page, and read as headers by screen readers
            header.set(qn("w:val"), "true")
            table.rows[0]._tr.get_or_add_trPr().append(header)
            for row in content.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = writable(text)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def to_pdf(document: Document) -> bytes:
    """The document as an A4 PDF with the title and language in its properties and page numbers in the footer."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import ListFlowable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    styles = getSampleStyleSheet()
    # Tables in a smaller size, so that a decision number (TF-2027-004) fits its column on one line.
    styles.add(ParagraphStyle("Cell", parent=styles["BodyText"], fontSize=8.5, leading=10.5))
    styles.add(ParagraphStyle("HeaderCell", parent=styles["Cell"], fontName="Helvetica-Bold"))

    def para(text, style="BodyText"):
        return Paragraph(escape(writable(text)).replace("\n", "<br/>"), styles[style])

    out = io.BytesIO()
    pdf = SimpleDocTemplate(out, pagesize=A4, title=writable(document.title), author="Programme Tracker",
                            lang=document.language, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm)
    story = [para(document.title, "Title")]
    for kind, content in document.blocks:
        if kind.startswith("heading"):
            story.append(para(content, "Heading2" if kind == "heading1" else "Heading3"))
        elif kind == "paragraph":
            story.append(para(content))
        elif kind in ("bullets", "numbered"):
            story.append(ListFlowable([para(text) for text in content],
                                      bulletType="1" if kind == "numbered" else "bullet", start=None if
                                      kind == "numbered" else "•"))
        else:
            widths = [share * pdf.width for share in content.widths] if content.widths else None
            table = PdfTable([[para(text, "HeaderCell") for text in content.headers],
                              *[[para(text, "Cell") for text in row] for row in content.rows]],
                             colWidths=widths, repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4"))]))
            story += [table, Spacer(1, 4 * mm)]

    def footer(canvas, page):
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, str(page.page))

    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


WRITERS = {"docx": to_docx, "pdf": to_pdf}
