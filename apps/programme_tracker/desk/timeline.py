"""The funding timeline: per programme, its funding periods as bars, with the gaps between secured runs and the
stretches of its planned life that no secured funding covers, for a Gantt chart and its table.

Four queries for a page of programmes whatever the portfolio's size (ministries, count, programmes, periods).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme_tracker.continuity import periods
from programme_tracker.portfolio.models import FundingPeriod, Programme

PER_PAGE = 25


@dataclass(frozen=True)
class Bar:
    """One stretch on a programme's row: a funding period (secured or indicative), a gap or an unsecured stretch."""

    start: date
    end: date
    kind: str  # "secured", "indicative", "gap", "unsecured"
    label: str


@dataclass
class Row:
    """One programme's row of the timeline."""

    programme: Programme
    funding: list[FundingPeriod] = field(default_factory=list)  # in date order
    bars: list[Bar] = field(default_factory=list)

    def secured_until(self, day: date) -> date | None:
        """The programme's secured-until on `day` (None: not secured that day)."""
        return periods.secured_until(periods.merge((p.start, p.end) for p in self.funding if p.is_secured), day)

    @property
    def link(self) -> str:
        """The programme's desk page."""
        return reverse("desk:programme", args=[self.programme.pk])

    @property
    def warnings(self) -> list[Bar]:
        """The gaps and unsecured stretches, for the table."""
        return [bar for bar in self.bars if bar.kind in ("gap", "unsecured")]


def span(programme: Programme) -> tuple[date | None, date | None]:
    """The programme's planned life: actual dates where known, otherwise the planned ones."""
    return programme.actual_start or programme.planned_start, programme.actual_end or programme.planned_end


def bars_of(programme: Programme, funding: list[FundingPeriod]) -> list[Bar]:
    """The bars of one programme: its funding periods, the gaps between secured runs, and the parts of its planned
    life before the first or after the last secured run (unsecured)."""
    bars = [Bar(p.start, p.end, "secured" if p.is_secured else "indicative",
                f"{p.code} · {p.get_status_display()}") for p in funding]
    runs = periods.merge((p.start, p.end) for p in funding if p.is_secured)
    bars += [Bar(first, last, "gap", _("gap")) for first, last in periods.gaps(runs)]
    first_day, last_day = span(programme)
    if runs:
        if first_day and first_day < runs[0][0]:
            bars.append(Bar(first_day, runs[0][0] - periods.ONE_DAY, "unsecured", _("no secured funding")))
        if last_day and last_day > runs[-1][1]:
            bars.append(Bar(runs[-1][1] + periods.ONE_DAY, last_day, "unsecured", _("no secured funding")))
    elif first_day and last_day and first_day <= last_day:
        bars.append(Bar(first_day, last_day, "unsecured", _("no secured funding")))
    return sorted(bars, key=lambda bar: (bar.start, bar.end))


def rows_for(programmes: list[Programme]) -> list[Row]:
    """The timeline rows of these programmes (one query for all their funding periods, with their funders)."""
    funding: dict[int, list[FundingPeriod]] = defaultdict(list)
    for period in FundingPeriod.objects.filter(programme__in=[p.pk for p in programmes]).select_related(
            "funder").order_by("start", "code"):
        funding[period.programme_id].append(period)
    return [Row(p, funding[p.pk], bars_of(p, funding[p.pk])) for p in programmes]


def timeline_page(programmes, page_number) -> tuple[object, list[Row]]:
    """One page of the timeline: the paginator's page and the rows of its programmes."""
    page = Paginator(programmes.select_related("lead_ministry").order_by("code"), PER_PAGE).get_page(page_number)
    return page, rows_for(list(page.object_list))


# Lazy: translated when shown, in the request's language.
KIND_LABELS = {"secured": gettext_lazy("secured funding"), "indicative": gettext_lazy("indicative funding"),
               "gap": gettext_lazy("gap between secured periods"),
               "unsecured": gettext_lazy("planned, no secured funding")}
KIND_COLOURS = {"secured": "#15803D", "indicative": "#93C5FD", "gap": "#B91C1C", "unsecured": "#F59E0B"}


def chart_data(rows: list[Row], today: date) -> dict:
    """The Gantt chart for desk.js: one row per programme, one dataset per kind of bar, and today's line."""
    datasets = []
    for kind in ("unsecured", "gap", "indicative", "secured"):  # drawn in this order: warnings underneath
        points = [{"row": i, "start": bar.start.isoformat(), "end": bar.end.isoformat(), "label": bar.label,
                   "link": row.link} for i, row in enumerate(rows) for bar in row.bars if bar.kind == kind]
        datasets.append({"kind": kind, "name": str(KIND_LABELS[kind]), "colour": KIND_COLOURS[kind],
                         "points": points})
    return {"rows": [f"{row.programme.code}" for row in rows], "datasets": datasets, "today": today.isoformat(),
            "links": [row.link for row in rows], "height": 70 + 30 * len(rows)}
