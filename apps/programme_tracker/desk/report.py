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

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from programme_tracker.continuity.choices import ACTIVE_STATES
from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.continuity.rules import rule_title
from programme_tracker.core.documents import Document
from programme_tracker.desk.coverage import COVERAGE_LABELS, KINDS, Line, recommendation_lines
from programme_tracker.desk.snapshot import Snapshot, cached, snapshot, stamp
from programme_tracker.portfolio.models import Area, ProgrammeRecommendation, ProgrammeStatus

SHOWN = 5  # covering programmes listed per recommendation on the page (all of them in the XLSX)


@dataclass(frozen=True)
class Covering:
    """A programme implementing the recommendation, active with secured funding until `until` on the date."""

    programme_id: int
    code: str
    until: date


@dataclass
class Entry:
    """One recommendation in the report."""

    line: Line
    covering: list[Covering] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # codes of linked programmes not covering it that day
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (rule, severity) of the alerts open that day

    @property
    def shown(self) -> list[Covering]:
        """The covering programmes funded longest, for the page."""
        return self.covering[:SHOWN]

    @property
    def more(self) -> int:
        """How many covering programmes the page does not list."""
        return max(0, len(self.covering) - SHOWN)

    @property
    def others_shown(self) -> list[str]:
        """The first few linked programmes not covering it, for the page."""
        return self.others[:SHOWN]

    @property
    def others_more(self) -> int:
        """How many linked programmes not covering it the page does not name."""
        return max(0, len(self.others) - SHOWN)

    @property
    def alert_summary(self) -> str:
        """The open alerts in words: how many of which kind."""
        counts = Counter(rule for rule, _severity in self.alerts)  # titles once per rule: there can be thousands
        return "; ".join(f"{rule_title(rule)} ({n})" if n > 1 else rule_title(rule) for rule, n in counts.items())


def alerts_open_on(day: date, today: date):
    """The alerts open or acknowledged at the end of `day` (their state now when `day` is today or later)."""
    if day >= today:
        return Alert.objects.filter(state__in=ACTIVE_STATES)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    state_then = AlertEvent.objects.filter(alert=OuterRef("pk"), at__lt=end).order_by("-at", "-id").values(
        "to_state")[:1]
    return Alert.objects.filter(opened_at__lt=end).annotate(state_then=Subquery(state_then)).filter(
        state_then__in=ACTIVE_STATES)


@dataclass
class Links:
    """Who implements each recommendation on a day: covering programmes (funded longest first), the other linked
    programmes' codes, and each programme's recommendations."""

    covering: dict[int, list[Covering]] = field(default_factory=lambda: defaultdict(list))
    others: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_programme: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))


def links_on(snap: Snapshot) -> Links:
    """The links between programmes and recommendations, sorted into covering and not covering on the day."""
    links = Links()
    for recommendation_id, programme_id, code, status in ProgrammeRecommendation.objects.order_by(
            "programme__code").values_list("recommendation_id", "programme_id", "programme__code", "programme__status"):
        until = snap.until(programme_id)
        if status == ProgrammeStatus.ACTIVE and until is not None:
            links.covering[recommendation_id].append(Covering(programme_id, code, until))
        else:
            links.others[recommendation_id].append(code)
        links.by_programme[programme_id].append(recommendation_id)
    for covering in links.covering.values():
        covering.sort(key=lambda c: (-c.until.toordinal(), c.code))
    return Links(dict(links.covering), dict(links.others), dict(links.by_programme))


def monitoring_report(day: date, today: date, with_alerts: bool = True) -> tuple[list[tuple[str, list[Entry]]],
                                                                              dict[str, int]]:
    """The report for `day`: entries grouped by area in the report's order, and how many recommendations are in
    each state; without the alerts for those who may not see them. The links come from the cache (snapshot.py)
    while the portfolio is unchanged; the alerts are read every time."""
    version = stamp()
    snap = snapshot(day, version)
    links = cached("report-links", day, lambda: links_on(snap), version)
    entries = {}
    for line in recommendation_lines(snap):
        pk = line.recommendation.pk
        entries[pk] = Entry(line, links.covering.get(pk, []), links.others.get(pk, []))
    if with_alerts:
        for rule, severity, recommendation_id, programme_id in alerts_open_on(day, today).order_by(
                "key_date", "rule", "id").values_list("rule", "severity", "recommendation_id", "programme_id"):
            targets = [recommendation_id] if recommendation_id else links.by_programme.get(programme_id, ())
            for target in targets:
                entries[target].alerts.append((rule, severity))
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries.values():
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
                str(COVERAGE_LABELS[entry.line.state]), entry.line.until,
                ", ".join(f"{c.code} ({c.until.isoformat()})" for c in entry.covering),
                ", ".join(entry.others), len(entry.alerts), entry.alert_summary,
            ])
    return headers, rows


def report_title(day: date) -> str:
    """The report's title with its reference date, for the page, the XLSX and the documents."""
    return _("State of implementation of the recommendations on %(day)s") % {"day": date_format(day)}


def document(groups, counts: dict[str, int], day: date, with_alerts: bool, language: str) -> Document:
    """The report as a document (PDF, DOCX) with the page's text: the counts by coverage, then one table per area
    (recommendation, response, coverage with its secured-until, covering programmes and, for those who may see
    them, the open alerts)."""
    written = Document(report_title(day), language)
    written.paragraph(_("Funding as recorded for the reference date; programme status and the links between "
                        "programmes and recommendations as they are now.")
                      + (" " + _("Alerts: those open or acknowledged at the end of the reference date.")
                         if with_alerts else ""))
    written.items([f"{str(COVERAGE_LABELS[kind]).capitalize()}: {counts[kind]}" for kind in KINDS])
    headers = [_("Recommendation"), _("Government response"), _("Coverage"), _("Covering programmes (secured until)")]
    if with_alerts:
        headers.append(_("Open alerts"))
    for area, entries in groups:
        written.heading(str(area), 2)
        rows = []
        for entry in entries:
            line = entry.line
            coverage = str(line.label) + (f" ({_('up to and including %(day)s') % {'day': date_format(line.until)}})"
                                          if line.until else "")
            covering = ", ".join(f"{c.code} ({date_format(c.until)})" for c in entry.covering) or "—"
            row = [f"{line.recommendation.code}: {Truncator(line.recommendation.text).words(18)}",
                   line.recommendation.get_government_response_display(), coverage, covering]
            if with_alerts:
                row.append(f"{len(entry.alerts)}: {entry.alert_summary}" if entry.alerts else "—")
            rows.append(row)
        written.table(headers, rows, widths=[0.27, 0.17, 0.18, 0.2, 0.18] if with_alerts else [0.33, 0.19, 0.22, 0.26])
    return written
