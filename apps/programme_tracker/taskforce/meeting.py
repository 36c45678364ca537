"""A meeting walked item by item: each agenda item with the facts of its subject (the alert's message, the
programme's owner, how long its funding is secured and the money at stake) and the decisions and action items
recorded under it. Meeting mode shows it; the agenda and the minutes print it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from programme_tracker.portfolio.runs import secured_until_on
from programme_tracker.taskforce.agenda import titles
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting


@dataclass(frozen=True)
class Fact:
    """One line about an item's subject: a label and its value, as text in the reader's language."""

    label: str
    value: str


def euros(value) -> str:
    """An amount as the language writes it: € 1.234,56 in Dutch."""
    return "€ " + number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def person(user) -> str:
    """A person as the task force names them: full name, else the user name."""
    return (user.get_full_name() or user.get_username()) if user else _("nobody")


def agenda_of(meeting: Meeting, *, dropped: bool = False):
    """The meeting's agenda items in order, with what the facts need and their decisions and actions (5 queries)."""
    items = meeting.agenda_items.all() if dropped else meeting.agenda_items.exclude(
        outcome=AgendaItem.Outcome.DROPPED)
    return (items.order_by("position", "pk")
            .select_related("alert__programme__owner", "alert__funding_period", "programme__owner",
                            "programme__lead_ministry", "recommendation", "action__owner")
            .prefetch_related(Prefetch("decisions", Decision.objects.select_related("organisation", "new_owner")),
                              Prefetch("actions", ActionItem.objects.select_related("owner", "decision"))))


def secured_until(programme_ids: set[int], day: date) -> dict[int, date | None]:
    """For each programme, the last day of its unbroken secured funding around `day`, as the scan reckons it."""
    untils = secured_until_on(day, Q(programme_id__in=programme_ids))
    return {pk: untils.get(pk) for pk in programme_ids}


def walk(meeting: Meeting, day: date, *, money: bool, dropped: bool = False) -> list[AgendaItem]:
    """The agenda items with `facts` set on each; amounts only with `money` (who may see funding periods)."""
    items = list(agenda_of(meeting, dropped=dropped))
    programmes = {item.programme or (item.alert.programme if item.alert_id else None) for item in items} - {None}
    secured = secured_until({programme.pk for programme in programmes}, day)
    worded = titles(items)
    for item in items:
        item.title = worded[item.pk]  # shown in the reader's language; never saved from here
        item.facts = facts(item, secured, money)
    return items


def facts(item: AgendaItem, secured: dict[int, date | None], money: bool) -> list[Fact]:
    """What the task force needs to know about one item's subject."""
    found = []
    if item.alert_id:
        alert = item.alert
        found += [Fact(_("alert"), f"{alert.rule_title} ({alert.get_severity_display().lower()}, "
                                   f"{alert.get_state_display().lower()})"),
                  Fact(_("message"), alert.localized_message)]
    if item.action_id:
        action = item.action
        found += [Fact(_("owner"), person(action.owner)), Fact(_("due on"), date_format(action.due_on)),
                  Fact(_("state"), action.get_state_display())]
    if item.recommendation_id:
        found.append(Fact(_("recommendation"), f"{item.recommendation.code}: {item.recommendation.text}"))
    programme = item.programme or (item.alert.programme if item.alert_id else None)
    if programme is not None:
        until = secured.get(programme.pk)
        found += [Fact(_("programme"), f"{programme.code} · {programme.name}"),
                  Fact(_("owner"), person(programme.owner)),
                  Fact(_("secured until"), date_format(until) if until else _("not secured today"))]
        if programme.lead_ministry_id and item.programme_id:
            found.append(Fact(_("lead ministry"), str(programme.lead_ministry)))
    if money and item.alert_id and item.alert.funding_period_id:
        found.append(Fact(_("amount at stake"), euros(item.alert.funding_period.amount)))
    return found
