"""The progress report for the Rapporteur and parliament (voortgangsrapportage): for a period, per recommendation,
the task force's decisions, its actions done and still open, the change in coverage and in how long funding is
secured, and the money committed.

What counts for a recommendation: decisions and actions linked to it, or to a programme that implements it (an action
also through the decision it follows from); money
committed (a commitment decided within the period) to the funding periods of those programmes. A programme that
implements several recommendations counts under each, so the amounts do not add up across recommendations.
Coverage is taken from the snapshots of the period's first and last day (coverage.py's states).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.formats import date_format, number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from programme_tracker.core.documents import Document
from programme_tracker.desk.coverage import COVERAGE_LABELS, recommendation_lines
from programme_tracker.desk.snapshot import snapshot
from programme_tracker.finance.models import Commitment
from programme_tracker.portfolio.models import ProgrammeRecommendation
from programme_tracker.taskforce.models import ActionItem, Decision

LONGEST_PERIOD_DAYS = 366 * 10  # a report spans a year or a few: longer is a typing error


@dataclass
class Progress:
    """One recommendation's progress over the period."""

    code: str
    text: str
    state_before: str
    state_after: str
    until_before: date | None
    until_after: date | None
    decisions: list[str] = field(default_factory=list)  # numbers, in order
    actions_done: int = 0
    actions_open: int = 0
    committed: Decimal = Decimal("0")

    @property
    def coverage_change(self) -> str:
        """The change in coverage in words: "at risk → covered", or the one state when it held."""
        before, after = COVERAGE_LABELS[self.state_before], COVERAGE_LABELS[self.state_after]
        return str(after) if before == after else f"{before} → {after}"


def _per_recommendation(pairs, programmes_of) -> dict[int, set]:
    """(recommendation or None, programme or None, value) rows gathered per recommendation, through programmes."""
    found: dict[int, set] = defaultdict(set)
    for recommendation_id, programme_id, value in pairs:
        if recommendation_id:
            found[recommendation_id].add(value)
        for linked in programmes_of.get(programme_id, ()):
            found[linked].add(value)
    return found


def progress(start: date, end: date) -> list[Progress]:
    """The report's rows for the period from `start` up to and including `end`, in the recommendations' order."""
    before, after = snapshot(start), snapshot(end)
    implements: dict[int, list[int]] = defaultdict(list)
    for programme_id, recommendation_id in ProgrammeRecommendation.objects.values_list("programme_id",
                                                                                     "recommendation_id"):
        implements[programme_id].append(recommendation_id)
    decisions = Decision.objects.filter(decided_on__range=(start, end))
    numbered = {pk: Decision.format_number(year, sequence)
                for pk, year, sequence in decisions.values_list("pk", "year", "sequence")}
    decided = _per_recommendation(
        [(r, None, pk) for pk, r in decisions.filter(recommendations__isnull=False)
         .values_list("pk", "recommendations")]
        + [(None, p, pk) for pk, p in decisions.filter(programmes__isnull=False).values_list("pk", "programmes")],
        implements)
    counted = ActionItem.objects.filter(Q(state=ActionItem.State.DONE, done_on__range=(start, end))
                                        | Q(state=ActionItem.State.OPEN) | Q(state=ActionItem.State.DONE,
                                                                             done_on__gt=end))
    # An action counts for what it is about, and for what the decision it follows from is about.
    rows = []
    for recommendations, programmes in (("recommendations", "programmes"),
                                        ("decision__recommendations", "decision__programmes")):
        rows += [(r, None, (pk, state, done)) for pk, r, state, done in counted.filter(
            **{f"{recommendations}__isnull": False}).values_list("pk", recommendations, "state", "done_on")]
        rows += [(None, p, (pk, state, done)) for pk, p, state, done in counted.filter(
            **{f"{programmes}__isnull": False}).values_list("pk", programmes, "state", "done_on")]
    acted = _per_recommendation(rows, implements)
    committed: dict[int, Decimal] = defaultdict(Decimal)
    for programme_id, amount in (Commitment.objects.filter(decided_on__range=(start, end))
                                 .values_list("funding_period__programme_id").annotate(total=Sum("amount"))):
        for recommendation_id in implements.get(programme_id, ()):
            committed[recommendation_id] += amount
    was = {line.recommendation.pk: line for line in recommendation_lines(before)}
    found = []
    for line in recommendation_lines(after):
        pk, earlier = line.recommendation.pk, was[line.recommendation.pk]
        actions = acted.get(pk, set())
        found.append(Progress(
            line.recommendation.code, line.recommendation.text, earlier.state, line.state, earlier.until, line.until,
            sorted(numbered[d] for d in decided.get(pk, ())),
            actions_done=sum(1 for _pk, state, done in actions if state == ActionItem.State.DONE and done <= end),
            actions_open=sum(1 for _pk, state, done in actions if state == ActionItem.State.OPEN or done > end),
            committed=committed.get(pk, Decimal("0"))))
    return found


def headers(money: bool) -> list[str]:
    """The table's column titles."""
    return [_("Recommendation"), _("Text"), _("Coverage"), _("Covered until (start)"), _("Covered until (end)"),
            _("Decisions"), _("Actions done"), _("Actions open"), *([_("Committed (EUR)")] if money else [])]


def rows(found: list[Progress], money: bool) -> list[list]:
    """The table as values (dates as dates and amounts as numbers, for XLSX)."""
    return [[entry.code, entry.text, entry.coverage_change, entry.until_before, entry.until_after,
             ", ".join(entry.decisions), entry.actions_done, entry.actions_open,
             *([entry.committed] if money else [])] for entry in found]


def decisions_taken(start: date, end: date) -> int:
    """How many decisions the task force took in the period, whatever they are about."""
    return Decision.objects.filter(decided_on__range=(start, end)).count()


def document(found: list[Progress], start: date, end: date, money: bool, language: str) -> Document:
    """The report as a document (DOCX, PDF): an introduction with the totals, then the table."""
    written = Document(_("Progress report of the task force, %(start)s up to and including %(end)s")
                       % {"start": date_format(start), "end": date_format(end)}, language)
    written.paragraph(_("Per recommendation of the National Rapporteur: the decisions the task force took in the "
                        "period, its actions done in the period and still open at its end, how coverage changed "
                        "and how long the implementing programmes are secured."))
    written.items([
        _("Decisions taken: %(count)s") % {"count": decisions_taken(start, end)},
        _("Recommendations covered at the end: %(count)s of %(total)s") % {
            "count": sum(1 for entry in found if entry.state_after == "covered"), "total": len(found)},
    ])
    if money:
        written.paragraph(_("Money committed counts a programme under each recommendation it implements, so the "
                            "amounts do not add up across recommendations."))

    def text(value) -> str:
        if isinstance(value, date):
            return date_format(value)  # written out: 01/14/2027 reads as another day in the Netherlands
        if isinstance(value, Decimal):
            return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
        return "—" if value in (None, "") else str(value)

    # The recommendation's code and the start of its text in one column: the whole text is in the XLSX.
    table = [[f"{row[0]}: {Truncator(row[1]).words(16)}", *(text(value) for value in row[2:])]
             for row in rows(found, money)]
    written.table([headers(money)[0], *headers(money)[2:]], table,
                  widths=[0.25, 0.13, 0.11, 0.11, 0.14, 0.07, 0.07, *([0.12] if money else [])])
    return written
