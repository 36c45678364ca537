"""The coverage matrix: the recommendations (grouped by area) against the programmes implementing them, each cell
coloured by whether that programme's secured funding covers the recommendation on the reference date.

A recommendation is *covered* when an active programme implementing it has secured funding on the date reaching
past the coverage horizon, *at risk* when such funding ends within the horizon, *uncovered* when accepted but no
active programme with secured funding implements it (the continuity rules' definitions), otherwise *not accepted*.
Each recommendation says why in words ("only COSA covers it, secured until 13 Jan 2027"). A cell gives one
programme's own funding in words of its own (secured, ends within the horizon, no secured funding today, not
active), never the recommendation's. A fixed number of queries whatever the portfolio's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programme_tracker.continuity.rules.coverage import ACCEPTED, coverage_state
from programme_tracker.desk.snapshot import Snapshot
from programme_tracker.portfolio.models import (
    Area,
    Programme,
    ProgrammeRecommendation,
    ProgrammeStatus,
    Recommendation,
)
from programme_tracker.portfolio.models.recommendations import REPORT_ORDER

PER_PAGE = 20
KINDS = ("covered", "at_risk", "uncovered", "not_accepted")
# Lazy: translated when shown, in the request's language.
COVERAGE_LABELS = {
    "covered": _("covered"),
    "at_risk": _("at risk"),
    "uncovered": _("uncovered"),
    "not_accepted": _("not accepted or pending"),
}
# A programme's own funding on the day, in words that are not the recommendation's (the same colours).
PROGRAMME_LABELS = {
    "covered": _("secured"),
    "at_risk": _("ends soon"),
    "uncovered": _("not secured"),
    "not_accepted": _("not active"),
}
PROGRAMME_KINDS = ("covered", "at_risk", "uncovered", "not_accepted")


state = coverage_state  # covered, at_risk, uncovered or not_accepted (the continuity rules' definitions)


@dataclass
class Cell:
    """One programme implementing one recommendation: its state and secured-until on the reference date."""

    programme: Programme
    state: str
    until: date | None

    @property
    def label(self) -> str:
        """The programme's funding in words (its status when it is not active)."""
        if self.state == "not_accepted":
            return str(self.programme.get_status_display()).lower()  # beside "secured", "not linked"
        return str(PROGRAMME_LABELS[self.state])


@dataclass
class Line:
    """One recommendation: its overall state and secured-until, and one cell per programme column (None: no link)."""

    recommendation: Recommendation
    state: str
    until: date | None
    cells: list[Cell | None] = field(default_factory=list)
    reason: str = ""  # why, in words (filled in by explain)

    @property
    def label(self) -> str:
        """The state in words."""
        return str(COVERAGE_LABELS[self.state])

    @property
    def badge(self) -> str:
        """The state in a word or two: the government's response when it did not accept (yet)."""
        if self.state == "not_accepted":
            return self.recommendation.get_government_response_display().lower()
        return self.label


def recommendation_lines(snap: Snapshot, wanted: str = "") -> list[Line]:
    """Every recommendation in the report's order with its state on the snapshot's day (optionally one state)."""
    lines = []
    for recommendation in Recommendation.objects.annotate(order=REPORT_ORDER).order_by("order", "number", "code"):
        until = snap.covered_until.get(recommendation.pk)
        kind = state(recommendation.government_response in ACCEPTED, until, snap.horizon)
        if not wanted or kind == wanted:
            lines.append(Line(recommendation, kind, until))
    return lines


def explain(snap: Snapshot, lines: list[Line]) -> None:
    """Fill in each line's reason: which programmes cover the recommendation and until when, or why none does
    (one query: the links with their programmes' codes and statuses)."""
    implementing: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for recommendation_id, code, programme_id, status in ProgrammeRecommendation.objects.order_by(
            "programme__code").values_list("recommendation_id", "programme__code", "programme_id", "programme__status"):
        implementing[recommendation_id].append((code, programme_id, status))
    statuses = dict(ProgrammeStatus.choices)
    for line in lines:
        programmes = implementing.get(line.recommendation.pk, [])
        covering = [(code, until) for code, pk, status in programmes
                    if status == ProgrammeStatus.ACTIVE and (until := snap.until(pk)) is not None]
        # Why each implementing programme does not cover it: its status, or no secured funding today.
        unfunded = gettext("no secured funding today")
        why_not = [f"{code} ({unfunded if status == ProgrammeStatus.ACTIVE else str(statuses[status]).lower()})"
                   for code, _pk, status in programmes]
        line.reason = _reason(line, why_not, covering)


def _reason(line: Line, why_not: list[str], covering: list[tuple[str, date]]) -> str:
    if line.state == "not_accepted":
        return ""  # the badge gives the government's response
    if covering:
        values = {"programmes": get_text_list([code for code, _until in covering], gettext("and")),
                  "day": date_format(max(until for _code, until in covering))}
        if len(covering) == 1:
            return gettext("Only %(programmes)s covers it, secured up to and including %(day)s.") % values
        return gettext("%(programmes)s cover it; secured up to and including %(day)s at the latest.") % values
    if not why_not:
        return gettext("No programme implements it.")
    return gettext("Implemented by %(programmes)s; none covers it.") % {
        "programmes": get_text_list(why_not, gettext("and"))}


def programme_cell(snap: Snapshot, programme: Programme) -> tuple[str, date | None]:
    """A programme's own funding: secured (ending after the horizon or within it) by its secured-until on the day,
    no secured funding that day, or not active (the grey of "not accepted")."""
    if programme.status != ProgrammeStatus.ACTIVE:
        return "not_accepted", None
    until = snap.until(programme.pk)
    return state(True, until, snap.horizon), until


def matrix(snap: Snapshot, programmes, page_number, wanted: str = ""):
    """One page of programme columns, and the recommendation lines with a cell per column, grouped by area."""
    linked = programmes.filter(Exists(ProgrammeRecommendation.objects.filter(programme=OuterRef("pk"))))
    page = Paginator(linked.order_by("code"), PER_PAGE).get_page(page_number)
    columns = list(page.object_list)
    links = set(ProgrammeRecommendation.objects.filter(programme__in=[p.pk for p in columns]).values_list(
        "recommendation_id", "programme_id"))
    cells = {p.pk: Cell(p, *programme_cell(snap, p)) for p in columns}
    lines = recommendation_lines(snap, wanted)
    explain(snap, lines)
    for line in lines:
        line.cells = [cells[p.pk] if (line.recommendation.pk, p.pk) in links else None for p in columns]
    groups: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        groups[line.recommendation.area].append(line)
    areas = [(label, groups[value]) for value, label in Area.choices if groups[value]]
    return page, columns, areas
