"""Privacy: every field of every table is on a reviewed list, so no field for a victim's or offender's data (or any
new personal data) arrives without someone deciding it may.

The register holds no personal data about victims or offenders; the only personal data are staff's names,
e-mail addresses, log-in records and the addresses they log in from. `privacy_fields.txt` lists each stored
field with what it holds:
  register  facts about programmes, money, recommendations, alerts (no personal data)
  staff     personal data of the register's own staff (names, e-mail, log-in records and addresses)
  staff-ref a reference to a staff account (an owner, an assignee, who changed a record)
  secret    log-in secrets (password hashes, second-factor keys, session data)
  system    technical values (ids, versions, timestamps, states)
A new field fails this test until it is added to the list, with its kind, in a reviewed change.
"""

import re
from pathlib import Path

from django.apps import apps

LIST = Path(__file__).with_name("privacy_fields.txt")
KINDS = {"register", "staff", "staff-ref", "secret", "system"}
# Words that would mean the register started to hold data about the people a programme serves or pursues.
FORBIDDEN = re.compile(r"victim|offender|slachtoffer|dader|suspect|verdachte|child_name|birth|geboorte|bsn|"
                       r"social_security|nationality|ethnic|religion|health|medical|diagnos|criminal|conviction",
                       re.IGNORECASE)


def stored_fields() -> set[str]:
    """`app.Model.field` for every column of every table the project's installed apps make."""
    names = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names.update(f"{model._meta.label}.{field.name}" for field in model._meta.get_fields() if field.concrete)
    return names


def reviewed() -> dict[str, str]:
    """The reviewed list: field → kind."""
    entries = {}
    for number, line in enumerate(LIST.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        field, kind = line.split()
        assert kind in KINDS, f"{LIST.name} line {number}: unknown kind {kind!r}"
        entries[field] = kind
    return entries


def test_every_stored_field_is_reviewed():
    missing = sorted(stored_fields() - set(reviewed()))
    assert not missing, ("fields not yet reviewed for privacy; add them to tests/core/privacy_fields.txt with "
                         "their kind:\n" + "\n".join(missing))


def test_the_list_names_no_field_that_is_gone():
    assert not sorted(set(reviewed()) - stored_fields())


def test_no_field_is_about_victims_or_offenders():
    assert not [name for name in stored_fields() if FORBIDDEN.search(name.rsplit(".", 1)[1])]


def test_personal_data_is_where_the_retention_reaches():
    """Staff's personal data lives only in the accounts, the log-in records and the audit record, which the
    privacy section of docs/operations/security.md names with their retention; everywhere else a table refers to an
    account."""
    allowed = re.compile(r"^(auth\.User\.|accounts\.(ApiToken|DeskVisit|SavedView)\.|axes\.|core\.AuditEvent\.)")
    outside = [name for name, kind in reviewed().items() if kind == "staff" and not allowed.match(name)]
    assert not outside, outside
