"""The scan: evaluate the rules and bring the alerts in line with what they find, writing in one transaction.

Set-based: each rule runs a bounded number of queries whatever the portfolio's size, and the alerts are written
with bulk statements. Idempotent: the same reference date twice changes nothing. One scan writes at a time: before
writing, every scan (and every re-evaluation after a save) updates the single ScanState row, which MariaDB locks
until commit and which makes SQLite take its write lock, so a second scan waits and then finds everything already
done. A full scan reads the portfolio before that and reads again under the lock only if another scan wrote in
between (ScanState.generation). The unique constraint on (rule, subject, key) is the last line of defence.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from programme_tracker.continuity.choices import UNRESOLVED_STATES, AlertState, EventKind, Severity
from programme_tracker.continuity.listeners import publish
from programme_tracker.continuity.models import Alert, AlertEvent, ScanState
from programme_tracker.continuity.rules import RULES, Context, Finding, all_findings
from programme_tracker.core import bulk
from programme_tracker.portfolio.models import Organisation, Programme

# Fields a scan refreshes on an alert that is found again.
REFRESHED = ("severity", "message", "message_data", "key_date", "until_date", "subject_label", "programme_id",
             "funding_period_id", "recommendation_id", "for_coordinators", "responsible_id")
# What tells a changed finding from an unchanged one: the message text follows from its data (and is made only
# for the alerts a scan writes).
COMPARED = tuple(name for name in REFRESHED if name != "message")
CHUNK = 1000


@dataclass
class ScanResult:
    """What a scan did: how many findings, and how many alerts it opened, reopened, resolved or refreshed."""

    as_of: date
    findings: int = 0
    counts: Counter = field(default_factory=Counter)
    batch: str = ""  # the events this scan wrote share it (notifications are written for that batch)
    seconds: float = 0.0  # how long it took, reading and writing (the metrics show the last full scan's)

    def summary(self) -> dict:
        """The result as plain data (kept on ScanState and printed by `scan`)."""
        return {"as_of": self.as_of.isoformat(), "findings": self.findings, **dict(sorted(self.counts.items())),
                "seconds": round(self.seconds, 2)}


def run_scan(as_of: date | None = None, *, programme_ids=None, rules=None) -> ScanResult:
    """Evaluate the rules (all by default) on `as_of` (today) and update the alerts; whole portfolio by default.

    `programme_ids` limits the programme-level rules to those programmes (recommendation rules always look at the
    whole portfolio); alerts of other programmes are left alone.

    In a full scan the rules read the portfolio before the scan lock is taken (that is most of its time), so people
    acting on alerts, who take the same lock, wait only for the writes. If another scan wrote alerts while the rules
    were reading, they read again under the lock: a scan never writes findings older than the alerts it replaces.
    """
    started = time.monotonic()
    as_of = as_of or timezone.localdate()
    scope = None if programme_ids is None else frozenset(programme_ids)
    rule_names = list(rules or RULES)
    findings, generation = None, None
    if scope is None:  # a re-evaluation of a few programmes reads little: it reads under the lock
        generation = _generation()
        findings = _evaluate(as_of, scope, rule_names)
    # The messages of the alerts it writes are stored in the site's language.
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        take_scan_lock()
        if findings is None or _generation() != generation:
            findings = _evaluate(as_of, scope, rule_names)
        result = ScanResult(as_of=as_of, findings=len(findings))
        _apply(findings, _alert_scope(rule_names, scope), as_of, result)
        result.seconds = time.monotonic() - started
        state = {"generation": F("generation") + 1}
        if scope is None and rules is None:
            state.update(last_full_scan_at=timezone.now(), last_full_scan_as_of=as_of,
                         last_full_scan_summary=result.summary())
        ScanState.objects.filter(pk=1).update(**state)
        # The outbox rows are written in this same transaction: no alert change without its notifications.
        publish(result.batch)
    return result


def _evaluate(as_of: date, scope, rule_names) -> dict[tuple, Finding]:
    """The findings of the rules, by identity."""
    ctx = Context(today=as_of, programme_ids=scope)
    with translation.override(settings.LANGUAGE_CODE):
        return {finding.identity: finding for finding in all_findings(ctx, rule_names)}


def take_scan_lock() -> None:
    """Lock the ScanState row for the rest of the transaction (created on first use).

    Scans, re-evaluations, escalation and people acting on alerts all take it, so none of them decides an alert's
    state from a row another has changed meanwhile. Each holds it briefly: a full scan only while it writes.
    """
    if not ScanState.objects.filter(pk=1).update(locked_at=timezone.now()):
        ScanState.objects.get_or_create(pk=1)
        ScanState.objects.filter(pk=1).update(locked_at=timezone.now())


def _generation() -> int:
    """How many scans have written alerts so far."""
    return ScanState.objects.filter(pk=1).values_list("generation", flat=True).first() or 0


def _alert_scope(rule_names, scope) -> Q:
    """The alerts a scan answers for: those of its rules, about programmes in scope (rules about the whole register,
    such as the recommendations': all)."""
    q = Q(rule__in=rule_names)
    if scope is not None:
        programme_rules = [name for name in rule_names if RULES[name].per_programme]
        q &= Q(rule__in=programme_rules, programme_id__in=scope) | ~Q(rule__in=programme_rules)
    return q


def _apply(findings: dict[tuple, Finding], scope: Q, as_of: date, result: ScanResult) -> None:
    """Open, reopen, refresh and resolve alerts so that they match the findings."""
    now = timezone.now()
    # Plain rows, not model instances: in a steady state almost nothing changes, and an instance is built only
    # for an alert that does (tens of thousands of instances would cost more than the rules themselves).
    # The stored message is not read: a finding's message follows from its data, and a resolved alert keeps its own.
    columns = ("pk", "rule", "subject_key", "key", "state", "accepted_until", *COMPARED)
    existing = {
        row[1:4]: dict(zip(columns, row, strict=True))
        for row in Alert.objects.filter(scope, state__in=UNRESOLVED_STATES).order_by().values_list(*columns)
    }
    events: list[AlertEvent] = []
    resolved: list[Alert] = []
    reopened: list[Alert] = []
    refreshed: list[Alert] = []
    for identity, row in existing.items():
        finding = findings.get(identity)
        expired = row["state"] == AlertState.DISMISSED and row["accepted_until"] and row["accepted_until"] < as_of
        if finding is not None and not expired and all(getattr(finding, n) == row[n] for n in COMPARED):
            continue  # found again, unchanged
        alert = _alert_from(row)
        if finding is None:
            events.append(_event(alert, EventKind.RESOLVED, AlertState.RESOLVED, now, "no longer found"))
            alert.state, alert.state_changed_at = AlertState.RESOLVED, now
            resolved.append(alert)
            result.counts["resolved"] += 1
            continue
        was_critical = alert.severity == Severity.CRITICAL
        _refresh(alert, finding)
        if expired:
            events.append(_event(alert, EventKind.REOPENED, AlertState.OPEN, now,
                                 f"the risk was accepted until {alert.accepted_until}"))
            alert.state, alert.state_changed_at, alert.accepted_until = AlertState.OPEN, now, None
            reopened.append(alert)
            result.counts["reopened"] += 1
        else:
            if alert.severity == Severity.CRITICAL and not was_critical and alert.is_active:
                events.append(_event(alert, EventKind.CRITICAL, alert.state, now, ""))
            refreshed.append(alert)
        result.counts["refreshed"] += 1
    # Resolved alerts keep the facts they were last found with; reopened and refreshed ones take the finding's.
    # Resolved and reopened alerts get a new state_changed_at; refreshed ones keep theirs.
    state = ["state", "state_changed_at", "accepted_until"]
    Alert.objects.bulk_update(resolved, state, batch_size=CHUNK)
    Alert.objects.bulk_update(reopened, [*REFRESHED, *state], batch_size=CHUNK)
    Alert.objects.bulk_update(refreshed, list(REFRESHED), batch_size=CHUNK)
    fresh = [finding for identity, finding in findings.items() if identity not in existing]
    events += _open(fresh, as_of, now, result)
    # Everything still unresolved in scope was found by this scan.
    Alert.objects.filter(scope, state__in=UNRESOLVED_STATES).exclude(last_seen=as_of).update(last_seen=as_of)
    _assign(scope)
    if events:
        result.batch = uuid.uuid4().hex
        for event in events:
            event.batch = result.batch
        bulk.insert(events)


def _alert_from(row: dict) -> Alert:
    """An alert instance from a loaded row, enough to update it with bulk_update and to point events at it."""
    alert = Alert(**{name: value for name, value in row.items() if name != "pk"}, id=row["pk"])
    alert._state.adding = False
    alert.state_changed_at = None  # not loaded; bulk_update writes only the fields it is given
    return alert


def _refresh(alert: Alert, finding: Finding) -> None:
    """Copy the finding's facts onto the alert."""
    for name in REFRESHED:
        setattr(alert, name, getattr(finding, name))


def _open(fresh: list[Finding], as_of: date, now, result: ScanResult) -> list[AlertEvent]:
    """Insert alerts for new identities and reopen resolved ones found again; return their events."""
    if not fresh:
        return []
    # Resolved alerts with these identities come back to life (reopened) rather than being inserted again.
    wanted = {finding.identity for finding in fresh}
    resolved = {}
    for start in range(0, len(fresh), CHUNK):
        keys = {finding.subject_key for finding in fresh[start:start + CHUNK]}
        for alert in Alert.objects.filter(state=AlertState.RESOLVED, subject_key__in=keys):
            if (alert.rule, alert.subject_key, alert.key) in wanted:
                resolved[(alert.rule, alert.subject_key, alert.key)] = alert
    events, reopened, token = [], [], uuid.uuid4().hex
    new = []
    for finding in fresh:
        alert = resolved.get(finding.identity)
        if alert is None:
            new.append(Alert(
                rule=finding.rule, subject_key=finding.subject_key, key=finding.key,
                **{name: getattr(finding, name) for name in REFRESHED},
                state=AlertState.OPEN, first_seen=as_of, last_seen=as_of, opened_at=now, state_changed_at=now,
                scan_token=token,
            ))
        else:
            _refresh(alert, finding)
            events.append(_event(alert, EventKind.REOPENED, AlertState.OPEN, now, "found again"))
            alert.state, alert.state_changed_at, alert.last_seen = AlertState.OPEN, now, as_of
            alert.dismissed_reason, alert.accepted_until, alert.escalated_at = "", None, None
            reopened.append(alert)
    bulk.insert(new)
    Alert.objects.bulk_update(
        reopened, [*REFRESHED, "state", "state_changed_at", "last_seen", "dismissed_reason", "accepted_until",
                   "escalated_at"], batch_size=CHUNK,
    )
    for alert_id in Alert.objects.filter(scan_token=token).values_list("pk", flat=True):
        events.append(AlertEvent(alert_id=alert_id, kind=EventKind.OPENED, at=now, from_state="",
                                 to_state=AlertState.OPEN))
    Alert.objects.filter(scan_token=token).update(scan_token="")
    result.counts["opened"] += len(new)
    result.counts["reopened"] += len(reopened)
    return events


def _event(alert: Alert, kind: str, to_state: str, at, note: str) -> AlertEvent:
    return AlertEvent(alert=alert, kind=kind, at=at, from_state=alert.state, to_state=to_state, note=note)


def _assign(scope: Q) -> None:
    """Point unresolved alerts not assigned by hand at the person their rule names, else their programme's owner,
    else a lead-ministry contact.

    Empty means the coordinators: so for unowned measures, uncovered recommendations, and programmes with neither.
    """
    automatic = Alert.objects.filter(scope, state__in=UNRESOLVED_STATES, assigned_by_hand=False)
    named = Q(responsible__isnull=False, responsible__is_active=True)
    automatic.filter(named).exclude(assignee=F("responsible")).update(assignee=F("responsible"))
    automatic = automatic.exclude(named)
    owner = Programme.objects.filter(pk=OuterRef("programme_id"), owner__is_active=True).order_by().values("owner_id")
    contact = (
        Organisation.contacts.through.objects.filter(
            organisation__led_programmes=OuterRef("programme_id"), user__is_active=True
        ).order_by("user__username").values("user_id")[:1]
    )
    automatic.filter(for_coordinators=False, programme_id__isnull=False).update(
        assignee=Coalesce(Subquery(owner), Subquery(contact))
    )
    automatic.filter(Q(for_coordinators=True) | Q(programme_id__isnull=True)).exclude(assignee=None).update(
        assignee=None
    )
