"""The funding timeline: per programme, its funding periods as bars, with the gaps between secured runs and the
stretches of its planned life that no secured funding covers, for a Gantt chart and its table.

The chart shows a window of months (by default a year back to three years ahead, so the coming quarters are wide
and old history does not crowd them); what lies before today is drawn muted. Four queries for a page of
programmes whatever the portfolio's size (ministries, count, programmes, periods).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme_tracker.portfolio import periods
from programme_tracker.portfolio.models import FundingPeriod, Programme, ProgrammeStatus

PER_PAGE = 25
# A programme still running without a planned end goes on: its unsecured stretch is drawn to the window's end.
OPEN_ENDED = (ProgrammeStatus.PLANNED, ProgrammeStatus.ACTIVE, ProgrammeStatus.SUSPENDED)


@dataclass(frozen=True)
class Zoom:
    """A width of the chart's window: months before today's month, months in all, and the step of a pan."""

    key: str
    label: object
    before: int
    months: int
    step: int


ZOOMS = {zoom.key: zoom for zoom in (
    Zoom("quarter", gettext_lazy("a quarter"), 0, 3, 3),
    Zoom("year", gettext_lazy("a year"), 0, 12, 3),
    Zoom("4y", gettext_lazy("four years"), 12, 48, 12),
    Zoom("5y", gettext_lazy("five years"), 12, 60, 12),
)}
DEFAULT_ZOOM = "4y"


@dataclass(frozen=True)
class Window:
    """The months the chart shows: from the first day of `start`'s month, `zoom.months` months on."""

    start: date
    zoom: Zoom
    moved: bool = False  # panned away from where the zoom puts today

    @property
    def end(self) -> date:
        """The window's last day."""
        return periods.add_months(self.start, self.zoom.months) - periods.ONE_DAY

    def shifted(self, steps: int) -> Window:
        """The window `steps` pans later (earlier when negative)."""
        return replace(self, start=periods.add_months(self.start, steps * self.zoom.step), moved=True)

    def query(self, **change) -> dict:
        """The window's query-string values (zoom, and the first month when panned), with `change` applied."""
        values = {"zoom": self.zoom.key, "from": self.start.strftime("%Y-%m") if self.moved else ""}
        return values | change


def window_from(get, today: date) -> Window:
    """The window the query string asks for (`zoom` of ZOOMS, `from` as YYYY-MM); the default for anything else."""
    zoom = ZOOMS.get(get.get("zoom", ""), ZOOMS[DEFAULT_ZOOM])
    month = re.fullmatch(r"(\d{4})-(\d{2})", get.get("from", ""), re.ASCII)
    if month and 1900 <= int(month[1]) <= 2200 and 1 <= int(month[2]) <= 12:
        return Window(date(int(month[1]), int(month[2]), 1), zoom, moved=True)
    this_month = today.replace(day=1)
    if zoom.key == "quarter":
        this_month = this_month.replace(month=(today.month - 1) // 3 * 3 + 1)
    return Window(periods.add_months(this_month, -zoom.before), zoom)


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


def bars_of(programme: Programme, funding: list[FundingPeriod], horizon: date | None = None) -> list[Bar]:
    """The bars of one programme: its funding periods, the gaps between secured runs, and the parts of its planned
    life before the first or after the last secured run (unsecured). A running programme without a planned end
    is unsecured after its last secured run up to `horizon` (the chart's last day)."""
    bars = [Bar(p.start, p.end, "secured" if p.is_secured else "indicative",
                f"{p.code} · {p.get_status_display()}") for p in funding]
    runs = periods.merge((p.start, p.end) for p in funding if p.is_secured)
    bars += [Bar(first, last, "gap", _("gap")) for first, last in periods.gaps(runs)]
    first_day, last_day = span(programme)
    if last_day is None and programme.status in OPEN_ENDED and horizon:
        last_day = max(horizon, runs[-1][1] if runs else horizon)
    if runs:
        if first_day and first_day < runs[0][0]:
            bars.append(Bar(first_day, runs[0][0] - periods.ONE_DAY, "unsecured", _("no secured funding")))
        if last_day and last_day > runs[-1][1]:
            bars.append(Bar(runs[-1][1] + periods.ONE_DAY, last_day, "unsecured", _("no secured funding")))
    elif first_day and last_day and first_day <= last_day:
        bars.append(Bar(first_day, last_day, "unsecured", _("no secured funding")))
    return sorted(bars, key=lambda bar: (bar.start, bar.end))


def rows_for(programmes: list[Programme], horizon: date | None = None) -> list[Row]:
    """The timeline rows of these programmes (one query for all their funding periods, with their funders);
    `horizon` as for bars_of."""
    funding: dict[int, list[FundingPeriod]] = defaultdict(list)
    for period in FundingPeriod.objects.filter(programme__in=[p.pk for p in programmes]).select_related(
            "funder").order_by("start", "code"):
        funding[period.programme_id].append(period)
    return [Row(p, funding[p.pk], bars_of(p, funding[p.pk], horizon)) for p in programmes]


def timeline_page(programmes, page_number, horizon: date) -> tuple[object, list[Row]]:
    """One page of the timeline: the paginator's page and the rows of its programmes."""
    page = Paginator(programmes.select_related("lead_ministry").order_by("code"), PER_PAGE).get_page(page_number)
    return page, rows_for(list(page.object_list), horizon)


# Lazy: translated when shown, in the request's language.
KIND_LABELS = {"secured": gettext_lazy("secured funding"), "indicative": gettext_lazy("indicative funding"),
               "gap": gettext_lazy("gap between secured periods"),
               "unsecured": gettext_lazy("planned, no secured funding")}
KIND_COLOURS = {"secured": "#15803D", "indicative": "#93C5FD", "gap": "#B91C1C", "unsecured": "#F59E0B"}


def chart_data(rows: list[Row], today: date, window: Window | None = None) -> dict:
    """The Gantt chart for desk.js: one row per programme, one dataset per kind of bar, and today's line. With a
    window, bars are cut to it; the part of a bar before today is marked `past` (drawn muted)."""
    datasets = []
    for kind in ("unsecured", "gap", "indicative", "secured"):  # drawn in this order: warnings underneath
        points = []
        for i, row in enumerate(rows):
            for bar in row.bars:
                if bar.kind != kind:
                    continue
                first = max(bar.start, window.start) if window else bar.start
                last = min(bar.end, window.end) if window else bar.end
                parts = [(first, min(last, today - periods.ONE_DAY), True), (max(first, today), last, False)]
                points += [{"row": i, "start": a.isoformat(), "end": b.isoformat(), "label": bar.label,
                            "from": bar.start.isoformat(), "to": bar.end.isoformat(), "past": past,
                            "link": row.link} for a, b, past in parts if a <= b]
        datasets.append({"kind": kind, "name": str(KIND_LABELS[kind]), "colour": KIND_COLOURS[kind],
                         "points": points})
    chart = {"rows": [row.programme.code for row in rows], "names": [row.programme.name for row in rows],
             "datasets": datasets, "today": today.isoformat(), "links": [row.link for row in rows],
             "height": 90 + 30 * len(rows)}
    if window:
        chart |= {"min": window.start.isoformat(), "max": (window.end + periods.ONE_DAY).isoformat()}
    return chart
