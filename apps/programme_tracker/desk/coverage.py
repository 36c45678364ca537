"""The coverage matrix: the recommendations (grouped by area) against the programmes implementing them, each cell
coloured by whether that programme's secured funding covers the recommendation on the reference date.

A recommendation is *covered* when an active programme implementing it has secured funding on the date reaching
past the coverage horizon, *at risk* when such funding ends within the horizon, *uncovered* when accepted but no
active programme with secured funding implements it (the continuity rules' definitions), otherwise *not accepted*.
A cell uses the same words for one programme. A fixed number of queries whatever the portfolio's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from programme_tracker.continuity.rules.coverage import ACCEPTED
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


def state(accepted: bool, until: date | None, horizon: date) -> str:
    """covered, at_risk, uncovered or not_accepted, from the response and the secured-until on the date."""
    if not accepted:
        return "not_accepted"
    if until is None:
        return "uncovered"
    return "at_risk" if until < horizon else "covered"


@dataclass
class Cell:
    """One programme implementing one recommendation: its state and secured-until on the reference date."""

    programme: Programme
    state: str
    until: date | None

    @property
    def label(self) -> str:
        """The state in words."""
        return str(COVERAGE_LABELS[self.state])


@dataclass
class Line:
    """One recommendation: its overall state and secured-until, and one cell per programme column (None: no link)."""

    recommendation: Recommendation
    state: str
    until: date | None
    cells: list[Cell | None] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The state in words."""
        return str(COVERAGE_LABELS[self.state])


def recommendation_lines(snap: Snapshot, wanted: str = "") -> list[Line]:
    """Every recommendation in the report's order with its state on the snapshot's day (optionally one state)."""
    lines = []
    for recommendation in Recommendation.objects.annotate(order=REPORT_ORDER).order_by("order", "number", "code"):
        until = snap.covered_until.get(recommendation.pk)
        kind = state(recommendation.government_response in ACCEPTED, until, snap.horizon)
        if not wanted or kind == wanted:
            lines.append(Line(recommendation, kind, until))
    return lines


def programme_cell(snap: Snapshot, programme: Programme) -> tuple[str, date | None]:
    """A programme's own state: covered or at risk by its secured-until on the day; uncovered when it is not
    active or has no secured funding that day."""
    if programme.status != ProgrammeStatus.ACTIVE:
        return "uncovered", None
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
    for line in lines:
        line.cells = [cells[p.pk] if (line.recommendation.pk, p.pk) in links else None for p in columns]
    groups: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        groups[line.recommendation.area].append(line)
    areas = [(label, groups[value]) for value, label in Area.choices if groups[value]]
    return page, columns, areas
