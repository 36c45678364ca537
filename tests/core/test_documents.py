"""The document writer: DOCX and PDF hold the same text, read back, whatever characters the text holds."""

import io

import docx
import pypdf
import pytest

from programme_tracker.core.documents import WRITERS, Document
from tests.documents import text_of


def sample() -> Document:
    document = Document("Notulen \x00taskforce <b>", "nl")
    document.heading("Besluiten")
    document.paragraph("Eerste regel\nTweede regel met \x0b een verticale tab en & < >")
    document.items(["één", "twee"], numbered=True)
    document.table(["nummer", "besluit"], [[f"TF-2027-{n:03d}", "Doorgaan " * 30] for n in range(1, 80)],
                   widths=[0.2, 0.8])
    return document


@pytest.mark.parametrize("file_format", ["docx", "pdf"])
def test_both_formats_hold_the_outline_s_text_without_unwritable_characters(file_format):
    content = WRITERS[file_format](sample())
    if file_format == "pdf":
        reader = pypdf.PdfReader(io.BytesIO(content))
        assert len(reader.pages) > 1 and reader.metadata.title == "Notulen taskforce <b>"
    else:
        document = docx.Document(io.BytesIO(content))
        assert document.core_properties.title == "Notulen taskforce <b>" and document.core_properties.language == "nl"
    text = text_of(content, file_format)
    for expected in ("Notulen taskforce <b>", "Besluiten", "verticale tab en & < >", "één", "TF-2027-001",
                     "TF-2027-079"):
        assert expected in text
    assert "\x00" not in text and "\x0b" not in text
