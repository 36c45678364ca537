"""The money in the portfolio exchange (docs/portfolio-format.md): two sections added to the portfolio document.

`budgets` holds each programme's budget lines; `funding_money` each funding period's commitments, reports due,
tranches, payments and expenditure. On import a listed programme or funding period gets exactly the records in
the document: matching records are kept (unchanged ones are not written), changed ones updated, missing ones
created and the others deleted. Records are matched by their identity (fiscal year and kind; decision or payment
reference; organisation, start and category), or, for reports and tranches, which have none, by all their values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche
from programme_tracker.portfolio.exchange import Part, amount_text, iso_date, parse_amount_text, register_part
from programme_tracker.portfolio.models import FundingPeriod, Programme


@dataclass(frozen=True)
class Kind:
    """One list of money records in the document: how a record is written and what identifies it."""

    name: str
    model: type
    fields: tuple[str, ...]
    write: Callable[[Any], dict[str, Any]]
    key: tuple[str, ...] | None  # None: identified by all its values
    related: tuple[str, ...] = ()

    def identity(self, item: dict[str, Any]) -> str:
        return json.dumps([item.get(name) for name in self.key or self.fields], default=str)


BUDGET_LINES = Kind("budget_lines", BudgetLine, (
    "fiscal_year", "kind", "status", "amount", "currency", "revised_on", "note"), lambda b: {
    "fiscal_year": b.fiscal_year, "kind": b.kind, "status": b.status, "amount": amount_text(b.amount),
    "currency": b.currency, "revised_on": iso_date(b.revised_on), "note": b.note}, ("fiscal_year", "kind"))
COMMITMENTS = Kind("commitments", Commitment, (
    "reference", "decided_on", "amount", "currency", "conditions"), lambda c: {
    "reference": c.reference, "decided_on": iso_date(c.decided_on), "amount": amount_text(c.amount),
    "currency": c.currency, "conditions": c.conditions}, ("reference",))
REPORTS_DUE = Kind("reports_due", ReportDue, ("kind", "title", "due_on", "received_on", "approved_on"), lambda r: {
    "kind": r.kind, "title": r.title, "due_on": iso_date(r.due_on), "received_on": iso_date(r.received_on),
    "approved_on": iso_date(r.approved_on)}, None)
TRANCHES = Kind("tranches", Tranche, ("planned_on", "amount", "currency", "requires_report"), lambda t: {
    "planned_on": iso_date(t.planned_on), "amount": amount_text(t.amount), "currency": t.currency,
    "requires_report": t.requires_report.title if t.requires_report_id else None}, None, ("requires_report",))
PAYMENTS = Kind("payments", Payment, ("reference", "paid_on", "amount", "currency", "tranche"), lambda p: {
    "reference": p.reference, "paid_on": iso_date(p.paid_on), "amount": amount_text(p.amount),
    "currency": p.currency, "tranche": iso_date(p.tranche.planned_on) if p.tranche_id else None},
    ("reference",), ("tranche",))
EXPENDITURE = Kind("expenditure", Expenditure, (
    "organisation", "from", "to", "category", "amount", "currency"), lambda e: {
    "organisation": e.organisation.short_name, "from": iso_date(e.period_start), "to": iso_date(e.period_end),
    "category": e.category, "amount": amount_text(e.amount), "currency": e.currency},
    ("organisation", "from", "category"), ("organisation",))
# Deleted in this order and written in the reverse: a tranche refers to a report, a payment to a tranche.
PERIOD_KINDS = (PAYMENTS, TRANCHES, REPORTS_DUE, COMMITMENTS, EXPENDITURE)


def _listed(owners, kinds, owner_field) -> dict[int, dict[str, list]]:
    """The records of these kinds per owner (programme or funding period), written as in the document."""
    lists: dict[int, dict[str, list]] = {}
    for kind in kinds:
        for obj in kind.model.objects.select_related(*kind.related).filter(**{f"{owner_field}__in": owners}):
            lists.setdefault(getattr(obj, f"{owner_field}_id"), {k.name: [] for k in kinds})[kind.name].append(
                kind.write(obj))
    for per_owner in lists.values():
        for items in per_owner.values():
            items.sort(key=lambda item: json.dumps(item, sort_keys=True, default=str))
    return lists


def export_budgets(name_of=None) -> list[dict[str, Any]]:
    """The `budgets` section: each programme with budget lines, by code (they name no people)."""
    codes = dict(Programme.objects.values_list("pk", "code"))
    lists = _listed(codes, [BUDGET_LINES], "programme")
    return sorted(({"programme": codes[pk], **kinds} for pk, kinds in lists.items()), key=lambda r: r["programme"])


def export_funding_money(name_of=None) -> list[dict[str, Any]]:
    """The `funding_money` section: each funding period with money records, by code."""
    codes = dict(FundingPeriod.objects.values_list("pk", "code"))
    lists = _listed(codes, PERIOD_KINDS, "funding_period")
    ordered = [COMMITMENTS, REPORTS_DUE, TRANCHES, PAYMENTS, EXPENDITURE]
    return sorted(({"funding_period": codes[pk], **{k.name: kinds[k.name] for k in ordered}}
                   for pk, kinds in lists.items()), key=lambda r: r["funding_period"])


class _Sync:
    """Make one owner's records of each kind exactly those in the document, through the portfolio importer."""

    def __init__(self, importer, section: str, owner_key: str, owner_field: str, owner):
        self.importer, self.section, self.owner_key = importer, section, owner_key
        self.owner_field, self.owner = owner_field, owner
        self.plans: dict[str, tuple[list, list]] = {}

    def plan(self, kind: Kind, items) -> None:
        """Pair the document's items with the stored records; remember what to write and what to delete."""
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            self.importer.error(self.section, self.owner_key, kind.name, "must be a list of records")
            return
        stored: dict[str, list] = {}
        for obj in kind.model.objects.select_related(*kind.related).filter(**{self.owner_field: self.owner}):
            stored.setdefault(kind.identity(kind.write(obj)), []).append(obj)
        writes = []
        for position, item in enumerate(items, start=1):
            unknown = sorted(set(item) - set(kind.fields))
            if unknown:
                self.importer.error(self.section, self.owner_key, f"{kind.name} #{position}: {unknown[0]}",
                                    "unknown field")
                continue
            matches = stored.get(kind.identity(item), [])
            obj = matches.pop(0) if matches else None
            if obj is not None and kind.write(obj) == item:
                self.importer.counts[self.section]["unchanged"] += 1
            else:
                writes.append((position, obj, item))
        self.plans[kind.name] = (writes, [obj for objs in stored.values() for obj in objs])

    def delete(self, kind: Kind) -> None:
        for obj in self.plans.get(kind.name, ([], []))[1]:
            obj.delete()

    def write(self, kind: Kind, values: Callable[[dict], dict]) -> None:
        for position, obj, item in self.plans.get(kind.name, ([], []))[0]:
            created = obj is None
            obj = obj or kind.model(**{self.owner_field: self.owner})
            saved = self.importer.save(self.section, f"{self.owner_key} {kind.name} #{position}", obj, values(item),
                                       count=False)
            if saved is not None:
                self.importer.counts[self.section]["created" if created else "updated"] += 1


def _money(item: dict, *names: str) -> dict[str, Any]:
    values = {name: item.get(name) for name in names}
    if "amount" in values:
        values["amount"] = parse_amount_text(values["amount"]) if isinstance(values["amount"], str) else "?"
    values["currency"] = item.get("currency") or "EUR"
    return values


def load_budgets(importer) -> None:
    """Import the `budgets` section (after the programmes)."""
    for key, record in importer.records("budgets"):
        programme = importer.lookup("budgets", key, "programme", importer.programmes, key, "programme")
        if programme is None:
            continue
        sync = _Sync(importer, "budgets", key, "programme", programme)
        sync.plan(BUDGET_LINES, record.get("budget_lines", []))
        sync.delete(BUDGET_LINES)
        sync.write(BUDGET_LINES, lambda item: {
            **_money(item, "fiscal_year", "amount", "revised_on"), "kind": item.get("kind") or "original",
            "status": item.get("status") or "indicative", "note": item.get("note") or ""})


def load_funding_money(importer) -> None:
    """Import the `funding_money` section (after the funding periods)."""
    for key, record in importer.records("funding_money"):
        period = importer.lookup("funding_money", key, "funding_period", importer.funding_periods, key,
                                 "funding period")
        if period is not None:
            _load_period(importer, key, record, period)


def _load_period(importer, key: str, record: dict[str, Any], period: FundingPeriod) -> None:
    """One funding period's money records, made exactly those of the document."""
    sync = _Sync(importer, "funding_money", key, "funding_period", period)
    for kind in PERIOD_KINDS:
        sync.plan(kind, record.get(kind.name, []))
    for kind in PERIOD_KINDS:
        sync.delete(kind)
    sync.write(REPORTS_DUE, lambda item: {name: item.get(name) for name in ("kind", "title", "due_on",
                                                                             "received_on", "approved_on")})
    sync.write(COMMITMENTS, lambda item: {**_money(item, "reference", "decided_on", "amount"),
                                          "conditions": item.get("conditions") or ""})
    sync.write(EXPENDITURE, lambda item: {
        **_money(item, "category", "amount"), "period_start": item.get("from"), "period_end": item.get("to"),
        "organisation": importer.lookup("funding_money", key, "expenditure: organisation",
                                        importer.organisations, item.get("organisation"), "organisation")})
    reports = {}
    for report in period.reports_due.all():
        reports.setdefault(report.title, []).append(report)
    sync.write(TRANCHES, lambda item: {**_money(item, "planned_on", "amount"),
                                       "requires_report": _one(importer, key, "requires_report", reports,
                                                               item.get("requires_report"), "report titled")})
    tranches = {}
    for tranche in period.tranches.all():
        tranches.setdefault(iso_date(tranche.planned_on), []).append(tranche)
    sync.write(PAYMENTS, lambda item: {**_money(item, "reference", "paid_on", "amount"),
                                       "tranche": _one(importer, key, "tranche", tranches, item.get("tranche"),
                                                       "tranche planned on")})


def _one(importer, key, field, table, name, what):
    """The record a money record refers to within its funding period (by report title or tranche date)."""
    if name in (None, ""):
        return None
    found = table.get(name, [])
    if not found:
        importer.error("funding_money", key, field, f"no {what} {name!r} in this funding period")
        return None
    return found[0]


def register() -> None:
    """Add the two money sections to the portfolio exchange."""
    register_part(Part("budgets", "programme", ("programme", "budget_lines"), export_budgets, load_budgets))
    register_part(Part("funding_money", "funding_period",
                       ("funding_period", *(k.name for k in PERIOD_KINDS)), export_funding_money,
                       load_funding_money))
