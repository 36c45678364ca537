"""The coordinator's Monday question: which programmes lose their secured funding in a quarter, how much money is
at stake, who owns them, and is a decision on its way?

A programme's funding ends in a quarter when the last day of its unbroken secured funding around today (the
snapshot's secured-until) falls in it. The amount at stake is that of the secured funding periods ending on that
day. What is on its way: the task force's latest decision about the programme, else the planned meeting whose
agenda holds it, else the state of its funding alert.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programme_tracker.continuity.choices import ACTIVE_STATES
from programme_tracker.continuity.models import Alert
from programme_tracker.desk.snapshot import Snapshot
from programme_tracker.portfolio.models import FundingPeriod, Programme, ProgrammeStatus
from programme_tracker.portfolio.models.choices import SECURED_FUNDING_STATUSES
from programme_tracker.taskforce.figures import start_of
from programme_tracker.taskforce.models import AgendaItem, Decision, Meeting

QUARTERS_AHEAD = 8
FUNDING_RULES = ("funding-expiring", "funding-gap", "renewal-decision-overdue")


def quarter_of(day: date) -> tuple[int, int]:
    """(year, quarter) of a day."""
    return day.year, (day.month - 1) // 3 + 1


def next_quarters(today: date, count: int = QUARTERS_AHEAD) -> list[tuple[int, int]]:
    """This quarter and the ones after it, `count` in all."""
    year, quarter = quarter_of(today)
    result = []
    for _i in range(count):
        result.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return result


def quarter_label(year: int, quarter: int) -> str:
    """"Q1 2027" in English, "K1 2027" in Dutch."""
    return _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year}


def quarter_key(year: int, quarter: int) -> str:
    """A quarter in an address: 2027-1."""
    return f"{year}-{quarter}"


def parse_quarter(text: str, quarters: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The quarter `2027-1` names, if it is one of `quarters`; None otherwise."""
    return next((q for q in quarters if quarter_key(*q) == text), None)


@dataclass
class Ending:
    """A programme whose secured funding ends in the window: when, how much, and what is on its way."""

    programme: Programme
    secured_until: date
    amount: Decimal = Decimal("0")
    on_its_way: str = ""
    settled: bool = False  # a decision was taken: nothing waits for the task force
    quarter: tuple[int, int] = field(default=(0, 0))


def ending(snap: Snapshot, quarters: list[tuple[int, int]]) -> list[Ending]:
    """The active programmes whose secured funding ends in these quarters, the soonest first (five queries)."""
    untils = {pid: until for pid, until in snap.secured_until.items() if quarter_of(until) in quarters}
    programmes = (Programme.objects.filter(pk__in=untils, status=ProgrammeStatus.ACTIVE)
                  .select_related("lead_ministry", "owner"))
    rows = {p.pk: Ending(p, untils[p.pk], quarter=quarter_of(untils[p.pk])) for p in programmes}
    for programme_id, end, amount in (FundingPeriod.objects.filter(
            programme_id__in=rows, status__in=SECURED_FUNDING_STATUSES, end__in=set(untils.values()))
            .values_list("programme_id", "end", "amount")):
        if programme_id in rows and rows[programme_id].secured_until == end:
            rows[programme_id].amount += amount
    _on_its_way(rows, snap.day)
    return sorted(rows.values(), key=lambda row: (row.secured_until, row.programme.code))


def _on_its_way(rows: dict[int, Ending], today: date) -> None:
    """What the task force did or plans about each programme, else its funding alert's state."""
    decided: dict[int, tuple] = {}
    for programme_id, year, sequence, day in (Decision.objects.filter(programmes__in=rows)
                                              .values_list("programmes", "year", "sequence", "decided_on")):
        if programme_id not in decided or (year, sequence) > decided[programme_id][:2]:
            decided[programme_id] = (year, sequence, day)
    planned: dict[int, date] = {}
    start = start_of(today)
    for programme_id, alert_programme_id, starts_at in (
            AgendaItem.objects.filter(Q(programme__in=rows) | Q(alert__programme__in=rows),
                                      meeting__status=Meeting.Status.PLANNED, meeting__starts_at__gte=start)
            .exclude(outcome=AgendaItem.Outcome.DROPPED)
            .values_list("programme_id", "alert__programme_id", "meeting__starts_at")):
        pid = programme_id or alert_programme_id
        day = timezone.localdate(starts_at)
        planned[pid] = min(day, planned.get(pid, day))
    alerts: dict[int, list[str]] = defaultdict(list)
    for programme_id, state in (Alert.objects.filter(programme__in=rows, rule__in=FUNDING_RULES,
                                                     state__in=ACTIVE_STATES).values_list("programme_id", "state")):
        alerts[programme_id].append(state)
    for pid, row in rows.items():
        if pid in decided:
            year, sequence, day = decided[pid]
            row.on_its_way = _("decision %(number)s of %(day)s") % {
                "number": Decision.format_number(year, sequence), "day": date_format(day)}
            row.settled = True
        elif pid in planned:
            row.on_its_way = _("on the agenda of %(day)s") % {"day": date_format(planned[pid])}
        elif alerts[pid]:
            row.on_its_way = (_("alert acknowledged, no decision yet") if "acknowledged" in alerts[pid]
                              else _("alert open, nobody has acted yet"))
        else:
            row.on_its_way = _("nothing yet")


def per_quarter(rows: list[Ending], quarters: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, Decimal]]:
    """Programmes and amount ending per quarter."""
    found = {quarter: (0, Decimal("0")) for quarter in quarters}
    for row in rows:
        count, amount = found[row.quarter]
        found[row.quarter] = (count + 1, amount + row.amount)
    return found
