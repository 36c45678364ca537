"""One search across the register: programmes, organisations, recommendations, alerts and decisions, each kind only
for those who may view it, the first few of each with a link to all of them in their list.

Two queries per kind a person may see (the first few, and how many in all), whatever the register's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme_tracker.accounts.roles import MONEY_PERMISSIONS
from programme_tracker.continuity.choices import ACTIVE_STATES
from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import Organisation, Programme, Recommendation
from programme_tracker.portfolio.models.recommendations import REPORT_ORDER
from programme_tracker.taskforce.models import Decision

SHOWN = 10
LONGEST = 100  # characters of a search term; more is cut off
DECISION_NUMBER = re.compile(r"(?:TF-?)?(\d{4})-(\d{1,6})", re.IGNORECASE | re.ASCII)


@dataclass
class Hit:
    """One record found: what it is called, a line about it, and where it opens."""

    title: str
    detail: str
    link: str


@dataclass
class Group:
    """The records of one kind found: the first few, how many in all, and the list holding all of them."""

    kind: str
    label: object
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    all_link: str = ""


def _list(model: str, term: str) -> str:
    """The admin list of one kind, searched for the term."""
    app_label, name = model.split(".")
    return reverse(f"admin:{app_label}_{name}_changelist") + "?" + urlencode({"q": term})


def _change(model: str, pk: int) -> str:
    app_label, name = model.split(".")
    return reverse(f"admin:{app_label}_{name}_change", args=[pk])


def _programmes(term: str, user) -> tuple[QuerySet, callable]:
    found = Programme.objects.filter(Q(code__icontains=term) | Q(name__icontains=term)).select_related(
        "lead_ministry").order_by("code")
    return found, lambda p: Hit(f"{p.code} — {p.name}", f"{p.get_status_display()} · "
                                f"{p.lead_ministry.short_name if p.lead_ministry else '—'}",
                                reverse("desk:programme", args=[p.pk]))


def _organisations(term: str, user) -> tuple[QuerySet, callable]:
    found = Organisation.objects.filter(Q(short_name__icontains=term) | Q(name__icontains=term)).order_by(
        "short_name")
    return found, lambda o: Hit(f"{o.short_name} — {o.name}", o.get_kind_display(),
                                _change("portfolio.organisation", o.pk))


def _recommendations(term: str, user) -> tuple[QuerySet, callable]:
    found = Recommendation.objects.filter(Q(code__icontains=term) | Q(text__icontains=term)).annotate(
        order=REPORT_ORDER).order_by("order", "number", "code")
    return found, lambda r: Hit(f"{r.code} — {r.short_text}", r.get_government_response_display(),
                                _change("portfolio.recommendation", r.pk))


def _alerts(term: str, user) -> tuple[QuerySet, callable]:
    still_open = Case(When(state__in=ACTIVE_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
    wanted = Q(subject_label__icontains=term)
    if user.has_perms(MONEY_PERMISSIONS):  # a message quotes amounts: not searchable by those who may not see them
        wanted |= Q(message__icontains=term)
    found = Alert.objects.filter(wanted).order_by(still_open, "key_date", "id")  # those still to act on first
    return found, lambda a: Hit(f"{a.rule_title} · {a.subject_label}",
                                f"{a.get_severity_display()} · {a.get_state_display()}",
                                _change("continuity.alert", a.pk))


def _decisions(term: str, user) -> tuple[QuerySet, callable]:
    wanted = Q(text__icontains=term)
    number = DECISION_NUMBER.fullmatch(term)
    if number:
        wanted |= Q(year=int(number[1]), sequence=int(number[2]))
    found = Decision.objects.filter(wanted).order_by("-decided_on", "-id")
    return found, lambda d: Hit(f"{d.number} — {d.get_kind_display()}", d.text[:140],
                                _change("taskforce.decision", d.pk))


# kind: (its label, the permission to view it, the admin list it is in, how to find it)
KINDS = {
    "programmes": (_("Programmes"), "portfolio.view_programme", "portfolio.programme", _programmes),
    "organisations": (_("Organisations"), "portfolio.view_organisation", "portfolio.organisation", _organisations),
    "recommendations": (_("Recommendations"), "portfolio.view_recommendation", "portfolio.recommendation",
                        _recommendations),
    "alerts": (_("Alerts"), "continuity.view_alert", "continuity.alert", _alerts),
    "decisions": (_("Decisions"), "taskforce.view_decision", "taskforce.decision", _decisions),
}


def clean(term: str) -> str:
    """The search term as searched: trimmed, without control characters, at most LONGEST characters."""
    return re.sub(r"[\x00-\x1f\x7f]", "", term).strip()[:LONGEST]


def search(user, term: str) -> list[Group]:
    """What the person may see that matches the term, per kind (kinds without a match are left out)."""
    groups = []
    for kind, (label, permission, model, find) in KINDS.items():
        if not term or not user.has_perm(permission):
            continue
        found, hit = find(term, user)
        total = found.count()
        if total:
            groups.append(Group(kind, label, [hit(record) for record in found[:SHOWN]], total, _list(model, term)))
    return groups
