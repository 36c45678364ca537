"""The monitoring report: the state of implementation of every recommendation on a reference date — the
programmes covering it and until when, and the alerts open on that date — for the Rapporteur's periodic report.

Funding is taken as recorded for the date; programme status and the links between programmes and
recommendations are taken as they are now. Alerts count as open on a past date when the last change of state
before the end of that day left them open or acknowledged (from the alerts' event history).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from programme_tracker.continuity import periods
from programme_tracker.continuity.models import ACTIVE_STATES, Alert, AlertEvent
from programme_tracker.continuity.rules import rule_title
from programme_tracker.continuity.rules.base import Context
from programme_tracker.desk.coverage import KINDS, Line, recommendation_lines
from programme_tracker.desk.dashboard import COVERAGE_LABELS
from programme_tracker.portfolio.models import Area, Programme, ProgrammeRecommendation, ProgrammeStatus


@dataclass
class Covering:
    """A programme implementing the recommendation, with its secured-until on the date (None: not secured)."""

    programme: Programme
    until: date | None


@dataclass
class Entry:
    """One recommendation in the report."""

    line: Line
    covering: list[Covering] = field(default_factory=list)
    others: list[Programme] = field(default_factory=list)  # linked, but not active with secured funding that day
    alerts: list[Alert] = field(default_factory=list)

    @property
    def alert_summary(self) -> str:
        """The open alerts in words: how many of which kind."""
        return "; ".join(f"{title} ({n})" if n > 1 else title
                         for title, n in Counter(rule_title(a.rule) for a in self.alerts).items())


def alerts_open_on(day: date, today: date):
    """The alerts open or acknowledged at the end of `day` (their state now when `day` is today or later)."""
    if day >= today:
        return Alert.objects.filter(state__in=ACTIVE_STATES)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    state_then = AlertEvent.objects.filter(alert=OuterRef("pk"), at__lt=end).order_by("-at", "-id").values(
        "to_state")[:1]
    return Alert.objects.filter(opened_at__lt=end).annotate(state_then=Subquery(state_then)).filter(
        state_then__in=ACTIVE_STATES)


def monitoring_report(day: date, today: date, with_alerts: bool = True) -> tuple[list[tuple[str, list[Entry]]],
                                                                              dict[str, int]]:
    """The report for `day`: entries grouped by area in the report's order, and how many recommendations are in
    each state; without the alerts for those who may not see them."""
    ctx = Context(today=day)
    entries = {line.recommendation.pk: Entry(line) for line in recommendation_lines(ctx)}
    runs = ctx.secured_runs()
    by_programme: dict[int, list[int]] = defaultdict(list)
    for link in ProgrammeRecommendation.objects.select_related("programme").order_by("programme__code"):
        entry = entries[link.recommendation_id]
        until = periods.secured_until(runs.get(link.programme_id, []), day)
        if link.programme.status == ProgrammeStatus.ACTIVE and until is not None:
            entry.covering.append(Covering(link.programme, until))
        else:
            entry.others.append(link.programme)
        by_programme[link.programme_id].append(link.recommendation_id)
    alerts = alerts_open_on(day, today).filter(
        Q(recommendation_id__in=entries) | Q(programme_id__in=by_programme)).order_by("key_date", "rule", "id")
    for alert in alerts if with_alerts else ():
        targets = {alert.recommendation_id} if alert.recommendation_id else set(by_programme[alert.programme_id])
        for recommendation_id in targets:
            entries[recommendation_id].alerts.append(alert)
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries.values():
        entry.covering.sort(key=lambda c: c.until, reverse=True)
        groups[entry.line.recommendation.area].append(entry)
    counts = Counter(entry.line.state for entry in entries.values())
    return [(label, groups[value]) for value, label in Area.choices if groups[value]], {k: counts[k] for k in KINDS}


def report_rows(groups) -> tuple[list[str], list[list]]:
    """The report as a table for XLSX: headers and one row per recommendation."""
    headers = [_("Area"), _("Recommendation"), _("Text"), _("Government response"), _("Coverage"),
               _("Secured until"), _("Covering programmes"), _("Other programmes linked"), _("Open alerts"),
               _("Alerts")]
    rows = []
    for area, entries in groups:
        for entry in entries:
            rec = entry.line.recommendation
            rows.append([
                str(area), rec.code, rec.text, rec.get_government_response_display(),
                str(COVERAGE_LABELS[entry.line.state]()), entry.line.until,
                ", ".join(f"{c.programme.code} ({c.until.isoformat()})" for c in entry.covering),
                ", ".join(p.code for p in entry.others), len(entry.alerts), entry.alert_summary,
            ])
    return headers, rows
