"""The Dutch translation: complete, compiled, in step with the code, and used by the pages with Dutch number and
date formats."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.portfolio.models import Programme

APP = Path(__file__).resolve().parents[2] / "apps" / "programme_tracker"
CATALOG = APP / "locale" / "nl" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def test_every_string_has_a_dutch_translation_with_the_same_placeholders():
    catalog = polib.pofile(str(CATALOG / "django.po"))
    assert not catalog.metadata_is_fuzzy
    for entry in catalog:
        assert "fuzzy" not in entry.flags, entry.msgid
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        assert all(translations), f"untranslated: {entry.msgid!r}"
        for source, translation in zip([entry.msgid, entry.msgid_plural or entry.msgid], translations, strict=False):
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(source)), entry.msgid


def test_the_compiled_catalog_matches_the_translations():
    source = {(e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.pofile(
        str(CATALOG / "django.po")) if e.msgid}
    compiled = {(e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(
        str(CATALOG / "django.mo")) if e.msgid}
    assert compiled == source, "run `make messages` to compile django.mo"


def test_the_catalog_holds_every_string_the_code_marks(tmp_path):
    if not shutil.which("xgettext"):
        message = "needs GNU gettext's xgettext (apt-get install -y gettext)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    copy = tmp_path / "programme_tracker"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "nl", "--no-location"], cwd=copy,
                   check=True, capture_output=True)
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"))}
    committed = {e.msgid for e in polib.pofile(str(CATALOG / "django.po"))}
    assert fresh - committed == set(), "strings without a Dutch translation: run `make messages` and translate"
    assert committed - fresh == set(), "translations of strings the code no longer has: run `make messages`"


def test_the_desk_speaks_dutch_with_dutch_amounts_and_dates(client, demo, login):
    login(roles.COORDINATOR)
    client.post(reverse("set_language"), {"language": "nl", "next": "/desk/dashboard/"})
    page = client.get(reverse("desk:dashboard")).content.decode()
    assert '<html lang="nl"' in page and "Portefeuilledashboard" in page and "Zekergestelde financiering" in page
    programme = client.get(reverse("desk:programme", args=[Programme.objects.get(code="STOP-IT-NOW").pk]))
    body = programme.content.decode()
    assert "950.000,00" in body  # the helpline's 2026 budget, as Dutch writes it
    assert re.search(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
                     r"december) \d{4}", body)
    client.post(reverse("set_language"), {"language": "en", "next": "/desk/dashboard/"})
    assert "950,000.00" in client.get(reverse("desk:programme", args=[programme.context["programme"].pk])) \
        .content.decode()
