"""The programme page: summary, owner and ministry, its funding timeline, budget against actual, open alerts and
its change log, each part shown only to those who may see the records behind it."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404

from programme_tracker.continuity.choices import ACTIVE_STATES
from programme_tracker.continuity.models import Alert
from programme_tracker.desk.timeline import chart_data, rows_for, window_from
from programme_tracker.portfolio.history import programme_change_log
from programme_tracker.portfolio.models import Programme, ProgrammeOrganisation, ProgrammeRecommendation


def programme_page(pk: int, today: date, *, funding: bool, money: bool, alerts: bool, history: bool) -> dict:
    """What the programme page shows; `funding`, `money`, `alerts` and `history` say which parts the person may
    see."""
    programme = get_object_or_404(
        Programme.objects.select_related("lead_ministry", "owner", "predecessor"), pk=pk)
    context = {
        "programme": programme,
        "successors": list(programme.successors.order_by("code")),
        "recommendation_links": list(ProgrammeRecommendation.objects.filter(programme=programme)
                                     .select_related("recommendation").order_by("recommendation__code")),
        "organisation_links": list(ProgrammeOrganisation.objects.filter(programme=programme)
                                   .select_related("organisation").order_by("organisation__name")),
    }
    if history:
        context["changes"] = programme_change_log(programme, limit=30)
    if funding:
        # The chart runs from the programme's first funding to where the timeline's default window ends, so an
        # open-ended programme shows its coming stretch without secured funding.
        rows = rows_for([programme], window_from({}, today).end)
        context |= {"timeline": chart_data(rows, today), "row": rows[0],
                    "secured_until": rows[0].secured_until(today), "funding_periods": rows[0].funding}
    if money:
        from programme_tracker.finance.reports import MEASURES, budget_against_actual

        lines, total = budget_against_actual("programme", programme_id=programme.pk)
        context |= {"money_lines": lines, "money_total": total, "measures": MEASURES}
    if alerts:
        context["alerts"] = list(Alert.objects.filter(programme=programme, state__in=ACTIVE_STATES)
                                 .select_related("assignee").order_by("key_date", "rule"))
    return context
