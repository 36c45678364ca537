"""Finance downloads and committed imports leave an audit record; a dry run does not."""

from django.urls import reverse

from programme_tracker.accounts import roles
from programme_tracker.core.models import AuditEvent
from programme_tracker.finance import services

GOOD = b"programme;fiscal year;amount\nHELPLINE;2026;1.000,00\n"


def test_every_download_is_an_export_in_the_audit_record(client, login, programme):
    officer = login(roles.FINANCE_OFFICER)
    assert client.get(reverse("finance-export", args=["payments"]), {"format": "csv"}).status_code == 200
    assert client.get(reverse("finance-budget-against-actual"), {"format": "xlsx"}).status_code == 200
    records = list(AuditEvent.objects.filter(kind="export").order_by("id").values_list("kind", "user", "detail",
                                                                                   "address"))
    assert records == [("export", officer.pk, "payments.csv", "127.0.0.1"),
                       ("export", officer.pk, "budget-against-actual-by-programme.xlsx", "127.0.0.1")]


def test_a_committed_import_is_recorded_with_its_uploader(accounts, programme, jobs_at_once):
    officer = accounts[roles.FINANCE_OFFICER]
    spreadsheet = services.upload_spreadsheet(officer, "budget-lines", "budget.csv", GOOD)
    assert not AuditEvent.objects.exists()  # the dry run changed nothing
    assert services.confirm_import(officer, spreadsheet)
    [record] = AuditEvent.objects.all()
    assert (record.kind, record.user, record.detail) == ("import", officer, "budget-lines budget.csv: 1 rows")
