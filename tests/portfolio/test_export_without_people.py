"""`export-portfolio --without-people`: no names or e-mail addresses, the same pseudonym for the same person; and
every export and import leaves an audit record."""

import json

from django.core.management import call_command

from programme_tracker.accounts import roles
from programme_tracker.core.models import AuditEvent
from programme_tracker.portfolio.models import Programme


def exported(tmp_path, *options):
    path = tmp_path / "portfolio.json"
    call_command("export_portfolio", str(path), *options)
    return json.loads(path.read_text(encoding="utf-8")), path.read_text(encoding="utf-8")


def test_without_people_names_no_one(tmp_path, programme, accounts):
    owner = accounts[roles.COORDINATOR]
    owner.first_name, owner.last_name, owner.email = "Anna", "de Vries", "anna.devries@example.invalid"
    owner.save()
    Programme.objects.create(code="SECOND", name="Second", area="aftercare", status="planned",
                             lead_ministry=programme.lead_ministry, owner=owner)
    document, text = exported(tmp_path, "--without-people")
    for personal in ("Anna", "de Vries", "anna.devries", owner.username):
        assert personal not in text
    [person] = document["people"]
    assert person["username"].startswith("person-") and not person["email"] and not person["first_name"]
    owners = {p["code"]: p["owner"] for p in document["programmes"]}
    assert owners == {"HELPLINE": person["username"], "SECOND": person["username"]}  # one person, one pseudonym
    again, _text = exported(tmp_path, "--without-people")
    assert again["people"] == document["people"]  # stable between exports


def test_the_full_export_still_names_people(tmp_path, programme, accounts):
    document, _text = exported(tmp_path)
    assert [p["username"] for p in document["people"]] == [accounts[roles.COORDINATOR].username]


def test_exports_and_imports_are_audited(tmp_path, programme):
    _document, _text = exported(tmp_path, "--without-people")
    call_command("import_portfolio", str(tmp_path / "portfolio.json"), "--dry-run")
    call_command("import_portfolio", str(tmp_path / "portfolio.json"))
    records = list(AuditEvent.objects.order_by("id").values_list("kind", "detail"))
    assert [kind for kind, _detail in records] == ["export", "import"]  # a dry run changes nothing and is not one
    assert "--without-people" in records[0][1] and records[1][1].startswith("import-portfolio ")
    assert AuditEvent.objects.first().username.startswith("command line")
