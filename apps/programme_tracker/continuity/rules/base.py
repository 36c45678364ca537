"""What every continuity rule shares: the finding it yields, the context it reads, and the registry."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.conf import settings
from django.db.models import Q

from programme_tracker.continuity.choices import Severity
from programme_tracker.continuity.messages import render
from programme_tracker.portfolio import periods
from programme_tracker.portfolio.runs import load_runs


@dataclass(frozen=True)
class Finding:
    """One condition a rule found: becomes (or keeps) one alert with the same identity."""

    rule: str
    subject_key: str
    subject_label: str
    key: str
    severity: str
    # The message as source texts and arguments (continuity/messages.py): each reader sees it in their language.
    message_data: list = field(default_factory=list)
    programme_id: int | None = None
    funding_period_id: int | None = None
    recommendation_id: int | None = None
    key_date: date | None = None
    until_date: date | None = None
    # True for findings the coordinators answer for (unowned measures, uncovered recommendations).
    for_coordinators: bool = False
    # The person who must act, where the rule knows them (an action item's owner): told before anyone else.
    responsible_id: int | None = None

    @cached_property
    def message(self) -> str:
        """The message as text in the active language (the scan stores it in the site's language, for e-mail and
        the command line). Made only when an alert is written: most findings of a daily scan change nothing."""
        return render(self.message_data)

    @property
    def identity(self) -> tuple[str, str, str]:
        """(rule, subject, key): what makes two findings the same alert."""
        return (self.rule, self.subject_key, self.key)


@dataclass
class Limits:
    """The site's lead times, horizons and grace days: the "continuity" site settings, whose defaults are DESIGN.md's
    (config/site_config.py holds them, once)."""

    expiry_horizon_days: int
    critical_days: int
    warning_days: int
    successor_grace_days: int
    gap_horizon_days: int
    renewal_notice_days: int
    coverage_horizon_days: int
    ended_lookback_days: int
    ended_horizon_days: int
    stale_after_months: int
    tranche_grace_days: int
    report_grace_days: int
    overspend_warning_percent: int
    underspend_percent: int
    underspend_days_before_end: int
    agenda_warning_age_days: int
    agenda_proposals_per_kind: int
    task_force_meeting_months: int
    action_critical_days: int
    decision_needed_days: int
    minutes_approval_days: int

    @classmethod
    def from_settings(cls) -> Limits:
        """The limits configured for this site."""
        return cls(**settings.CONTINUITY)


@dataclass
class Context:
    """What a scan knows: the reference date, the limits, which programmes are in scope, and shared data.

    `programme_ids` None means the whole portfolio; a set limits programme-level rules to those programmes (a
    re-evaluation after a save). Data several rules need is loaded once per scan and kept here (`cached`).
    """

    today: date
    limits: Limits = field(default_factory=Limits.from_settings)
    programme_ids: frozenset[int] | None = None
    _cache: dict[str, object] = field(default_factory=dict)

    def cached(self, name: str, load):
        """Data several rules need, loaded once per scan: `load()` runs on first use of `name`."""
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]

    def days(self, n: int) -> date:
        """The reference date plus n days."""
        return self.today + timedelta(days=n)

    def in_scope(self, prefix: str = "") -> Q:
        """A filter limiting a query to the programmes in scope (`prefix` leads from the model to the programme)."""
        if self.programme_ids is None:
            return Q()
        return Q(**{f"{prefix}id__in" if prefix else "id__in": self.programme_ids})

    def severity(self, day: date) -> str:
        """Critical when `day` is less than critical_days away (or past), warning within warning_days, else info."""
        if day < self.days(self.limits.critical_days):
            return Severity.CRITICAL
        if day <= self.days(self.limits.warning_days):
            return Severity.WARNING
        return Severity.INFO

    def secured_runs(self) -> dict[int, list[periods.Run]]:
        """Secured runs from the reference date on, per programme in scope (any status); loaded once per scan."""
        return self.cached("secured-runs", lambda: load_runs(self.today, self.in_scope("programme__")))

    def secured_runs_of(self, name: str, periods_of: Q) -> dict[int, list[periods.Run]]:
        """Secured runs of the programmes whose periods match `periods_of`, also outside the scope (coverage needs
        every programme implementing a recommendation); the whole-portfolio runs when the scan has no scope.
        Cached under `name`."""
        if self.programme_ids is None:
            return self.secured_runs()
        return self.cached(name, lambda: load_runs(self.today, periods_of))


class Rule:
    """A continuity rule: a name, a plain-language title, the kind of subject, and its findings for a context."""

    name: str = ""
    title: str = ""
    subject: str = "programme"  # what the alerts are about: "funding_period", "tranche", "recommendation", …
    description: str = ""
    # A rule about programmes looks only at those a re-evaluation names (ctx.in_scope) and answers only for their
    # alerts; a rule about the whole register (recommendations, the task force) always looks at all of it.
    per_programme: bool = True
    # What a finding's key means, in words, for keys that are not dates (an unowned measure's "no-owner").
    key_labels: dict = {}

    def findings(self, ctx: Context) -> Iterable[Finding]:
        """Every condition this rule finds in the context's scope."""
        raise NotImplementedError


RULES: dict[str, Rule] = {}


def register(rule_class: type[Rule]) -> type[Rule]:
    """Add a rule to the registry (a class decorator); adding a rule is writing one module."""
    if not rule_class.name or rule_class.name in RULES:
        raise ValueError(f"rule name {rule_class.name!r} is empty or taken")
    RULES[rule_class.name] = rule_class()
    return rule_class


def rule_title(name: str) -> str:
    """A rule's plain-language title (its name when the rule is no longer registered)."""
    rule = RULES.get(name)
    return str(rule.title) if rule else name


def key_label(name: str, key: str) -> str:
    """A finding's key in words: the rule's own label for it, else the key itself (a date is written out by the
    caller)."""
    rule = RULES.get(name)
    label = rule.key_labels.get(key) if rule else None
    return str(label) if label else key


def all_findings(ctx: Context, rule_names: Iterable[str] | None = None) -> Iterator[Finding]:
    """The findings of the named rules (all by default) in the context."""
    for name in rule_names or RULES:
        yield from RULES[name].findings(ctx)
