"""The Dutch catalog keeps DESIGN.md's words: each concept one Dutch word, and none of the translations that changed
the meaning (issue 17). A rule names the English words (in the msgid) and the Dutch the translation must not use
for them, or must use."""

import re
from pathlib import Path

import polib
import pytest

CATALOG = Path(__file__).resolve().parents[2] / "apps/programme_tracker/locale/nl/LC_MESSAGES/django.po"

# (English in the msgid, Dutch the translation must not contain, why)
FORBIDDEN = [
    # "until" is inclusive in this product: "tot" alone excludes the last day.
    (r"\buntil\b|\bfrom %\(\w+\)s to %\(", r"\btot\b(?! en met)", "an inclusive date reads 'tot en met'"),
    (r"\bwarnings?\b", r"waarschuwing", "the severity is 'let op'; 'waarschuwing' is the alert"),
    (r"^Info$|\bfor information\b", r"^informatie$|waarschuwing", "the severity is 'ter informatie'"),
    (r"\bkey date\b", r"peildatum", "'peildatum' is the report's reference date only"),
    (r"\bcommitted\b", r"(?<!juridisch )\bverplicht(e)?\b", "money committed is 'juridisch verplicht'"),
    (r"\brequired\b", r"juridisch", "'verplicht' alone means required"),
    (r"\bdesk\b", r"\bbureau\b", "the desk is the 'werkomgeving' (the Bureau is the Rapporteur's office)"),
    (r"\bstate\b|\bstatus\b", r"toestand", "one word for status"),
    (r"\breports? due\b", r"verschuldigd", "'verschuldigd' is about money owed"),
    (r"^Cancelled$", r"geannuleerd", "a programme or an action is 'stopgezet'"),
    (r"\bat risk\b", r"in gevaar", "a recommendation whose coverage ends: 'dekking loopt af'"),
    (r"without successor", r"beëindigd zonder", "it also covers an end still to come: 'einde zonder opvolger'"),
    (r"\bstale\b", r"verouderd", "'registratie niet actueel'"),
    (r"^left$", r"vertrokken", "a person who left is 'uit dienst'"),
    (r"\bdates\b", r"\bdata\b", "dates are 'datums' ('data' reads as information)"),
    (r".", r"\w\((en|s)\)", "counts use ngettext, never 'waarschuwing(en)'"),
    (r"%\(what\)s", r"\bdeze %\(what\)s", "'deze' does not fit every noun ('deze programma')"),
    (r"\boverdue\b|\blate\b", r"verlopen|over de termijn",
     "overdue is 'te laat' ('verlopen' is an expired token, 'termijn' a tranche)"),
    (r"\brecords?\b", r"\brecords?\b", "a record is a 'registratie'"),
    (r"\btranches?\b", r"\btranches?\b(?!\))", "a tranche is a 'termijn'"),
    (r"\bcancel(led|ling|lation)\b", r"intrek|afgelast", "cancelled is 'stopgezet' (a token is 'ingetrokken')"),
    (r"\bhistory\b|\bchange log\b", r"wijzigingslog|wijzigingsgeschiedenis", "one word: 'geschiedenis'"),
    (r"\bunowned measure|\bthe measure\b", r"maatregel", "a programme is a 'programma' everywhere"),
    (r"\blog-ins?\b|\blogged out\b", r"aanmeld|afgemeld", "'inloggen' and 'uitloggen', as the buttons say"),
]

# (msgid, the translation it must have): DESIGN.md's glossary.
REQUIRED = {
    "alert": "waarschuwing", "Critical": "Kritiek", "Warning": "Let op", "Info": "Ter informatie",
    "Acknowledged": "In behandeling", "Dismissed": "Terzijde gelegd", "Accepted": "Overgenomen",
    "Reference date": "Peildatum", "Desk": "Werkomgeving", "report due": "op te leveren rapportage",
    "Cancelled": "Stopgezet", "Stale record": "Registratie niet actueel", "left": "uit dienst",
    "before → after": "oud → nieuw", "Ended without successor": "Einde zonder opvolger",
    "Recommendation at risk": "Dekking aanbeveling loopt af", "committed": "juridisch verplicht",
    "first seen": "voor het eerst gesignaleerd", "Action overdue": "Actiepunt te laat",
    "Accountability": "Verantwoordelijkheid", "Unowned measure": "Programma zonder eigenaar",
}

# Texts where "tot" is a moment in time, not the last day of a period.
TIME_NOT_DATE = {
    "Too many wrong codes. Wait until %(time)s and try again.",
    "Redis does not answer, so the job queue cannot be shown. Jobs wait until it is back; try again later.",
    "%(day)s, %(start)s to %(end)s",
    "Valid until",  # a token's end: a date and a time
}


def translations():
    for entry in polib.pofile(str(CATALOG)):
        if entry.obsolete:
            continue
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        yield entry.msgid, entry.msgid_plural, texts


@pytest.mark.parametrize(("english", "dutch", "why"), FORBIDDEN, ids=[rule[2] for rule in FORBIDDEN])
def test_no_translation_uses_a_word_that_changes_the_meaning(english, dutch, why):
    wrong = [
        (msgid, text) for msgid, plural, texts in translations() for text in texts
        if re.search(english, msgid, re.IGNORECASE | re.MULTILINE) and re.search(dutch, text, re.IGNORECASE)
        and not (msgid in TIME_NOT_DATE or "you confirm" in msgid)
    ]
    assert not wrong, f"{why}: " + "; ".join(f"{msgid!r} → {text!r}" for msgid, text in wrong)


def test_the_glossary_terms_are_translated_as_designed():
    found = {msgid: texts[0] for msgid, _plural, texts in translations() if msgid in REQUIRED}
    assert found == REQUIRED
