"""`scan`: run the continuity rules over the whole portfolio and print the open alerts."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.formats import date_format

from programme_tracker.continuity.choices import ACTIVE_STATES, SEVERITY_ORDER
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.rules import RULES
from programme_tracker.continuity.scan import run_scan


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    """Scan the portfolio now (or as of a date) and list the open and acknowledged alerts."""

    help = "Run the continuity rules over the portfolio now, update the alerts and print the open ones."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=_as_of,
                            help="reference date YYYY-MM-DD (default: today); the alerts are updated as of that "
                                 "date, so add --dry-run to only look, and the next daily scan puts them back")
        parser.add_argument("--json", action="store_true", help="print a JSON array, one object per alert")
        parser.add_argument("--dry-run", action="store_true",
                            help="show what the scan finds without changing the alerts or notifying anyone")

    def handle(self, *args, as_of=None, json=False, dry_run=False, **options):
        if dry_run:
            # The scan's writes are rolled back; what it found is read inside the transaction, printed after it.
            with transaction.atomic():
                result = run_scan(as_of)
                alerts = _active_alerts(result.as_of)
                transaction.set_rollback(True)
        else:
            # The scan commits (holding its lock only while it writes); listing its alerts is another matter, so
            # people acting on alerts never wait for the printing.
            result = run_scan(as_of)
            alerts = _active_alerts(result.as_of)
        if json:
            self.stdout.write(_json([_record(alert) for alert in alerts]))
            return
        self.stdout.write(f"Scan as of {result.as_of}: " + ", ".join(f"{k} {v}" for k, v in result.summary().items()
                                                                        if k != "as_of"))
        # For people: the message as the desk shows it, amounts and dates in the site's language (1,234.56 and
        # 14 Jan 2027 in English), the key dates the same way; --json gives the plain values.
        for alert in alerts:
            when = f" {date_format(alert.key_date)}" if alert.key_date else ""
            until = f" – {date_format(alert.until_date)}" if alert.until_date else ""
            self.stdout.write(f"{alert.severity:8} {alert.state:12} {alert.rule:26} {alert.subject_label}{when}{until}")
            self.stdout.write(f"{'':48}{alert.localized_message}")
        self.stdout.write(f"{len(alerts)} open alert(s)." + (" Dry run: nothing was saved." if dry_run else ""))


def _active_alerts(as_of: date) -> list[Alert]:
    """The open and acknowledged alerts, most severe and nearest first."""
    return sorted(
        Alert.objects.filter(state__in=ACTIVE_STATES)
        .select_related("programme", "funding_period", "recommendation", "assignee"),
        key=lambda a: (SEVERITY_ORDER.index(a.severity), a.key_date or as_of, a.rule, a.subject_label),
    )


def _record(alert: Alert) -> dict:
    """One alert as plain data for scripts and other systems."""
    subject = alert.subject_key.split(":")[0]
    code = (
        alert.programme.code if subject == "programme" and alert.programme
        else alert.funding_period.code if subject == "funding_period" and alert.funding_period
        else alert.recommendation.code if subject == "recommendation" and alert.recommendation
        else alert.subject_label
    )
    return {
        "id": alert.pk,
        "rule": alert.rule,
        "rule_title": str(RULES[alert.rule].title) if alert.rule in RULES else alert.rule,
        "subject_type": subject,
        "subject": code,
        "programme": alert.programme.code if alert.programme else None,
        "key": alert.key,
        "key_date": alert.key_date.isoformat() if alert.key_date else None,
        "until_date": alert.until_date.isoformat() if alert.until_date else None,
        "severity": alert.severity,
        "state": alert.state,
        "message": alert.message,
        "assignee": alert.assignee.username if alert.assignee else None,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
    }


def _json(records: list[dict]) -> str:
    return json.dumps(records, indent=2, ensure_ascii=False)
