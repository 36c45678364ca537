"""The alert inbox: alerts with the person's own first, filters, and the actions on one alert (through the
continuity services), which also mark the person's notifications about it read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from programme_tracker.accounts import roles
from programme_tracker.continuity import services
from programme_tracker.continuity.choices import ACTIVE_STATES, SEVERITY_ORDER, STATE_ORDER, AlertState, Severity
from programme_tracker.continuity.forms import AlertActionForm
from programme_tracker.continuity.models import Alert, AlertEvent
from programme_tracker.continuity.rules import RULES
from programme_tracker.desk.filters import Filters, is_id
from programme_tracker.notifications.models import Notification
from programme_tracker.notifications.services import mark_read
from programme_tracker.portfolio.models import Area
from programme_tracker.taskforce.follow_up import follow_up

PER_PAGE = 50
STATE_CHOICES = [("active", _("Open or acknowledged")), *AlertState.choices, ("all", _("All"))]
# The actions on one alert, with the title of the form that asks for them.
ACTIONS = {"acknowledge": _("Acknowledge alert"), "dismiss": _("Dismiss alert"), "reassign": _("Reassign alert")}
# What the inbox's forms send for an action (the action itself is in the address).
FIELDS = ("reason", "accepted_until", "assignee")
# What is said after an action, on the page a plain form returns to.
DONE = {"acknowledge": _("Acknowledged: %(alert)s"), "dismiss": _("Dismissed: %(alert)s"),
        "reassign": _("Reassigned: %(alert)s")}


@dataclass
class InboxFilters(Filters):
    """The inbox's filters: state (default: open or acknowledged), severity, rule, area, only mine, and only what
    is new or changed since the person's last visit; or one alert, whatever its state (the link in an e-mail)."""

    state: str = "active"
    severity: str = ""
    rule: str = ""
    area: str = ""
    mine: str = ""
    recent: str = ""
    alert: str = ""

    @classmethod
    def from_request(cls, request) -> InboxFilters:
        """The filters in the query string, ignoring values that are not choices."""
        get = request.GET
        states = {value for value, _label in STATE_CHOICES}
        return cls(
            state=get.get("state") if get.get("state") in states else "active",
            severity=get.get("severity", "") if get.get("severity") in Severity.values else "",
            rule=get.get("rule", "") if get.get("rule") in RULES else "",
            area=get.get("area", "") if get.get("area") in Area.values else "",
            mine="1" if get.get("mine") == "1" else "",
            recent="1" if get.get("recent") == "1" else "",
            alert=get.get("alert", "") if is_id(get.get("alert", "")) else "",
        )

    def fields(self) -> list[dict]:
        """The controls with their choices and current values."""
        return [
            {"name": "state", "label": _("State"), "value": self.state, "choices": STATE_CHOICES, "no_blank": True},
            {"name": "severity", "label": _("Severity"), "value": self.severity, "choices": Severity.choices},
            {"name": "rule", "label": _("Rule"), "value": self.rule,
             "choices": [(name, rule.title) for name, rule in RULES.items()]},
            {"name": "area", "label": _("Area"), "value": self.area, "choices": Area.choices},
            {"name": "mine", "label": _("Whose"), "value": self.mine, "choices": [("1", _("only mine"))]},
            {"name": "recent", "label": _("Since my last visit"), "value": self.recent,
             "choices": [("1", _("only new or changed"))]},
        ]


def mine(user) -> Q:
    """Alerts that are the person's: assigned to them, about a programme they own, that they were told about, and
    for a coordinator those left to the coordinators (no one assigned, meant for coordinators)."""
    told = Notification.objects.filter(recipient=user, alert=OuterRef("pk"))
    theirs = Q(assignee=user) | Q(programme__owner=user) | Q(Exists(told))
    if user.groups.filter(name=roles.COORDINATOR).exists():
        theirs |= Q(assignee__isnull=True, for_coordinators=True)
    return theirs


def changed_since(user, since: datetime) -> Exists:
    """Something happened to the alert after `since` that the person did not do themselves."""
    return Exists(AlertEvent.objects.filter(alert=OuterRef("pk"), at__gt=since).exclude(actor=user))


def since_last_visit(user, since: datetime | None) -> dict[str, int] | None:
    """How many alerts were opened, and how many others changed, since the person's last visit (None on a first
    visit); two queries."""
    if since is None:
        return None
    new = Alert.objects.filter(opened_at__gt=since)
    return {"new": new.count(),
            "changed": Alert.objects.filter(changed_since(user, since), opened_at__lte=since).count()}


def inbox_alerts(user, filters: InboxFilters, since: datetime | None = None) -> QuerySet:
    """The alerts passing the filters: the person's own first; then those still to act on, the most severe first,
    open before acknowledged, the nearest date; each with whether the person has unread notifications about it,
    and whether it is new or changed since `since` (their last visit)."""
    alerts = Alert.objects.select_related("assignee", "programme", "recommendation", "funding_period")
    if filters.alert:
        alerts = alerts.filter(pk=filters.alert)  # whatever its state: it may have been resolved since the e-mail
    elif filters.state == "active":
        alerts = alerts.filter(state__in=ACTIVE_STATES)
    elif filters.state != "all":
        alerts = alerts.filter(state=filters.state)
    if filters.severity:
        alerts = alerts.filter(severity=filters.severity)
    if filters.rule:
        alerts = alerts.filter(rule=filters.rule)
    if filters.area:
        alerts = alerts.filter(Q(programme__area=filters.area) | Q(recommendation__area=filters.area))
    theirs = mine(user)  # once: it asks the database whether the person is a coordinator
    if filters.mine:
        alerts = alerts.filter(theirs)
    if since is not None:
        alerts = alerts.annotate(is_new=Q(opened_at__gt=since), is_changed=changed_since(user, since))
        if filters.recent:
            alerts = alerts.filter(Q(is_new=True) | Q(is_changed=True))
    unread = Notification.objects.filter(recipient=user, alert=OuterRef("pk"), read_at__isnull=True)
    return alerts.annotate(
        mine_rank=Case(When(theirs, then=Value(0)), default=Value(1), output_field=IntegerField()),
        active_rank=Case(When(state__in=ACTIVE_STATES, then=Value(0)), default=Value(1), output_field=IntegerField()),
        state_rank=Case(*(When(state=s, then=Value(i)) for i, s in enumerate(STATE_ORDER)), default=Value(9)),
        severity_rank=Case(*(When(severity=s, then=Value(i)) for i, s in enumerate(SEVERITY_ORDER)),
                           default=Value(9)),
        unread=Exists(unread),
    # Mine first; of those, what still needs acting on, the most severe first (a critical alert already
    # acknowledged comes before a warning nobody opened), then open before acknowledged, the soonest first.
    ).order_by("mine_rank", "active_rank", "severity_rank", "state_rank", "key_date", "id")


def inbox_page(user, filters: InboxFilters, page_number, since: datetime | None = None):
    """One page of the inbox, each alert with what the task force did about it."""
    page = Paginator(inbox_alerts(user, filters, since), PER_PAGE).get_page(page_number)
    with_follow_up(page.object_list, user)
    return page


def with_follow_up(alerts, user) -> None:
    """Give each alert the lines saying what the task force did about it, for those who may read its records."""
    notes = follow_up(alert.pk for alert in alerts) if user.has_perm("taskforce.view_decision") else {}
    for alert in alerts:
        alert.follow_up = notes.get(alert.pk, [])


def assignees():
    """The people an alert can be handed to (continuity's rule: active staff who may read alerts)."""
    return services.assignable_people()


def act(alert: Alert, user, action: str, data) -> Alert:
    """Acknowledge, dismiss or reassign one alert through the alert action form (the alert page's own), then mark
    the person's notifications about it read; refuses with a ValidationError naming what is wrong."""
    form = AlertActionForm({"action": action, **{name: data.get(name, "") for name in FIELDS}}, instance=alert)
    if not form.is_valid():
        raise ValidationError([message for messages in form.errors.values() for message in messages])
    changed = form.perform(user)
    mark_read(user, alert_ids=[alert.pk])
    return changed
