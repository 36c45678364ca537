"""A downloaded document read back as a reader's tools would: the text of a DOCX (its paragraphs and table cells)
or of a PDF (each page's)."""

import io

import docx
import pypdf


def text_of(content: bytes, file_format: str) -> str:
    """All the words of a DOCX or PDF in order, each run of white space one space (a PDF wraps long cells)."""
    if file_format == "pdf":
        parts = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]
    else:
        document = docx.Document(io.BytesIO(content))
        parts = [paragraph.text for paragraph in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())
