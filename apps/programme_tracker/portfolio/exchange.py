"""Portfolio exchange: the whole register as one documented JSON document (docs/portfolio-format.md).

`export_portfolio()` yields a canonical document: sections and lists sorted by code, amounts as strings with two
decimals, dates as ISO text. `import_portfolio()` creates or updates by code, all-or-nothing, and reports every
problem it finds as "section KEY: field: message". Export → import into an empty site → export is identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from programme_tracker.portfolio.models import (
    FundingPeriod,
    Organisation,
    Programme,
    ProgrammeOrganisation,
    ProgrammeRecommendation,
    Recommendation,
    SourceReport,
)

FORMAT = "programme-tracker-portfolio"
FORMAT_VERSION = 1

# Each section: the plain fields copied as they are (references are handled one by one below).
ORGANISATION_FIELDS = ("short_name", "name", "kind", "active")
PERSON_FIELDS = ("username", "first_name", "last_name", "email", "active")
SOURCE_REPORT_FIELDS = ("code", "title", "published")
RECOMMENDATION_FIELDS = ("code", "source_report", "area", "number", "text", "government_response", "response_note")
PROGRAMME_FIELDS = ("code", "name", "description", "area", "lead_ministry", "owner", "status", "planned_start",
                    "planned_end", "actual_start", "actual_end", "predecessor", "last_reviewed",
                    "implementing_organisations", "recommendations")
FUNDING_FIELDS = ("code", "programme", "funder", "instrument", "amount", "currency", "status", "start", "end",
                  "decision_reference", "renewal_decision", "renewal_decision_date", "note")
SECTIONS = {
    "organisations": ("short_name", ORGANISATION_FIELDS),
    "people": ("username", PERSON_FIELDS + ("roles",)),
    "source_reports": ("code", SOURCE_REPORT_FIELDS),
    "recommendations": ("code", RECOMMENDATION_FIELDS),
    "programmes": ("code", PROGRAMME_FIELDS),
    "funding_periods": ("code", FUNDING_FIELDS),
}




@dataclass(frozen=True)
class Part:
    """A section another module adds to the document (the finance module adds the money), after the portfolio's.

    `export()` returns its records; `load(importer)` imports them with the importer's lookups and error list.
    """

    section: str
    key: str
    fields: tuple[str, ...]
    export: Callable[[], list[dict[str, Any]]]
    load: Callable[[_Importer], None]


PARTS: dict[str, Part] = {}


def register_part(part: Part) -> None:
    """Add a section to the exchange (called from the module's AppConfig.ready)."""
    PARTS[part.section] = part


def iso_date(value) -> str | None:
    """A date as ISO text (None stays None)."""
    return value.isoformat() if value else None


def amount_text(value: Decimal) -> str:
    """An amount as text with two decimals."""
    return str(value.quantize(Decimal("0.01")))


def export_portfolio() -> dict[str, Any]:
    """The whole portfolio as a canonical JSON-ready document (a fixed number of queries)."""
    programmes = list(
        Programme.objects.select_related("lead_ministry", "owner", "predecessor")
        .prefetch_related("organisation_links__organisation", "recommendation_links__recommendation")
        .order_by("code")
    )
    owners = sorted({p.owner for p in programmes if p.owner_id}, key=lambda user: user.username)
    roles_by_user: dict[int, list[str]] = {}
    for user_id, role in Group.objects.filter(user__in=owners).values_list("user", "name"):
        roles_by_user.setdefault(user_id, []).append(role)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "organisations": [
            {"short_name": o.short_name, "name": o.name, "kind": o.kind, "active": o.active}
            for o in Organisation.objects.order_by("short_name")
        ],
        "people": [
            {"username": u.username, "first_name": u.first_name, "last_name": u.last_name, "email": u.email,
             "active": u.is_active, "roles": sorted(roles_by_user.get(u.pk, []))}
            for u in owners
        ],
        "source_reports": [
            {"code": r.code, "title": r.title, "published": iso_date(r.published)}
            for r in SourceReport.objects.order_by("code")
        ],
        "recommendations": [
            {"code": r.code, "source_report": r.source_report.code, "area": r.area, "number": r.number,
             "text": r.text, "government_response": r.government_response, "response_note": r.response_note}
            for r in Recommendation.objects.select_related("source_report").order_by("code")
        ],
        "programmes": [_export_programme(p) for p in programmes],
        "funding_periods": [
            {"code": f.code, "programme": f.programme.code, "funder": f.funder.short_name,
             "instrument": f.instrument, "amount": amount_text(f.amount), "currency": f.currency, "status": f.status,
             "start": iso_date(f.start), "end": iso_date(f.end), "decision_reference": f.decision_reference,
             "renewal_decision": f.renewal_decision, "renewal_decision_date": iso_date(f.renewal_decision_date),
             "note": f.note}
            for f in FundingPeriod.objects.select_related("programme", "funder").order_by("code")
        ],
        **{part.section: part.export() for part in PARTS.values()},
    }


def _export_programme(p: Programme) -> dict[str, Any]:
    return {
        "code": p.code, "name": p.name, "description": p.description, "area": p.area,
        "lead_ministry": p.lead_ministry.short_name if p.lead_ministry_id else None,
        "owner": p.owner.username if p.owner_id else None,
        "status": p.status,
        "planned_start": iso_date(p.planned_start), "planned_end": iso_date(p.planned_end),
        "actual_start": iso_date(p.actual_start), "actual_end": iso_date(p.actual_end),
        "predecessor": p.predecessor.code if p.predecessor_id else None,
        "last_reviewed": iso_date(p.last_reviewed),
        "implementing_organisations": sorted(link.organisation.short_name for link in p.organisation_links.all()),
        "recommendations": sorted(
            ({"recommendation": link.recommendation.code, "note": link.note} for link in p.recommendation_links.all()),
            key=lambda item: item["recommendation"],
        ),
    }


class PortfolioImportError(Exception):
    """The document has problems; nothing was changed. `errors` lists each as 'section KEY: field: message'."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s); nothing was imported:\n" + "\n".join(errors))


class _Importer:
    """One import run: looks records up by key, applies changes and collects every error."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.errors: list[str] = []
        self.counts = {section: {"created": 0, "updated": 0, "unchanged": 0} for section in [*SECTIONS, *PARTS]}

    # -- reporting -------------------------------------------------------------------------------------------
    def error(self, section: str, key: Any, field: str | None, message: str) -> None:
        where = f"{section} {key}" + (f": {field}" if field else "")
        self.errors.append(f"{where}: {message}")

    def records(self, section: str) -> Iterable[tuple[Any, dict[str, Any]]]:
        """The section's records that are objects with a key and only known fields."""
        key_name, allowed = SECTIONS[section] if section in SECTIONS else (PARTS[section].key, PARTS[section].fields)
        items = self.document.get(section, [])
        if not isinstance(items, list):
            self.error(section, "", None, "must be a list")
            return
        seen = set()
        for position, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not item.get(key_name) or not isinstance(item[key_name], str):
                self.error(section, f"#{position}", key_name, "each record needs a non-empty text key")
                continue
            key = item[key_name]
            unknown = sorted(set(item) - set(allowed))
            if unknown:
                self.error(section, key, unknown[0], "unknown field")
            elif key in seen:
                self.error(section, key, key_name, "appears more than once")
            else:
                seen.add(key)
                yield key, item

    def save(self, section: str, key: Any, obj, values: dict[str, Any], count: bool = True):
        """Set values on obj and save it when anything changed; errors are collected, not raised.

        Values are cleaned first (text to dates and decimals), so a re-import of the same document compares equal
        and writes nothing, not even a history row.
        """
        created = obj.pk is None
        fields = [f.attname for f in obj._meta.concrete_fields]
        before = {name: getattr(obj, name) for name in fields}
        for name, value in values.items():
            setattr(obj, name, value)
        try:
            obj.full_clean()
            changed = created or any(getattr(obj, name) != before[name] for name in fields)
            if changed:
                with transaction.atomic():
                    obj.save()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.error(section, key, None if field == "__all__" else field, message)
            return None
        except DatabaseError as exc:
            self.error(section, key, None, f"the database refused the record: {exc}")
            return None
        if count:
            self.counts[section]["created" if created else "updated" if changed else "unchanged"] += 1
        return obj

    def lookup(self, section: str, key: Any, field: str, table: dict, value: Any, what: str):
        """Resolve a reference by key; an unknown key is an error naming the field."""
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            self.error(section, key, field, f"must be the text key of a {what}, got {value!r}")
            return None
        if value not in table:
            self.error(section, key, field, f"unknown {what} {value!r}")
        return table.get(value)

    # -- sections --------------------------------------------------------------------------------------------
    def run(self) -> dict[str, dict[str, int]]:
        if self.document.get("format") != FORMAT or self.document.get("format_version") != FORMAT_VERSION:
            raise PortfolioImportError(
                [f"document: format must be {FORMAT!r} version {FORMAT_VERSION} (see docs/portfolio-format.md)"]
            )
        unknown = sorted(set(self.document) - set(SECTIONS) - set(PARTS) - {"format", "format_version"})
        if unknown:
            raise PortfolioImportError([f"document: unknown section {name!r}" for name in unknown])
        self.import_organisations()
        self.import_people()
        self.import_source_reports()
        self.import_recommendations()
        self.import_programmes()
        self.import_funding_periods()
        for part in PARTS.values():
            part.load(self)
        if self.errors:
            raise PortfolioImportError(self.errors)
        return self.counts

    def import_organisations(self):
        existing = Organisation.objects.in_bulk(field_name="short_name")
        for key, item in self.records("organisations"):
            obj = existing.get(key) or Organisation(short_name=key)
            values = {"name": item.get("name", ""), "kind": item.get("kind", ""), "active": item.get("active", True)}
            self.save("organisations", key, obj, values)
        self.organisations = Organisation.objects.in_bulk(field_name="short_name")

    def import_people(self):
        User = get_user_model()
        existing = User.objects.in_bulk(field_name="username")
        groups = Group.objects.in_bulk(field_name="name")
        for key, item in self.records("people"):
            obj = existing.get(key)
            created = obj is None
            if created:
                obj = User(username=key, is_staff=True)
                obj.set_unusable_password()  # people set their own password with "forgot password" or an admin
            values = {"first_name": item.get("first_name", ""), "last_name": item.get("last_name", ""),
                      "email": item.get("email", ""), "is_active": item.get("active", True)}
            roles = [self.lookup("people", key, "roles", groups, role, "role") for role in item.get("roles", [])]
            saved = self.save("people", key, obj, values)
            # Roles are given to new accounts only: an import never changes what an existing account may do.
            if saved is not None and created:
                saved.groups.set([group for group in roles if group])
        self.people = User.objects.in_bulk(field_name="username")

    def import_source_reports(self):
        existing = SourceReport.objects.in_bulk(field_name="code")
        for key, item in self.records("source_reports"):
            obj = existing.get(key) or SourceReport(code=key)
            self.save("source_reports", key, obj, {"title": item.get("title", ""),
                                                    "published": item.get("published")})
        self.source_reports = SourceReport.objects.in_bulk(field_name="code")

    def import_recommendations(self):
        existing = Recommendation.objects.in_bulk(field_name="code")
        for key, item in self.records("recommendations"):
            report = self.lookup("recommendations", key, "source_report", self.source_reports,
                                 item.get("source_report"), "source report")
            if report is None:
                if not item.get("source_report"):
                    self.error("recommendations", key, "source_report", "is required")
                continue
            obj = existing.get(key) or Recommendation(code=key)
            values = {name: item.get(name, "") for name in RECOMMENDATION_FIELDS if name not in {"code",
                                                                                              "source_report"}}
            values["source_report_id"] = report.pk
            self.save("recommendations", key, obj, values)
        self.recommendations = Recommendation.objects.in_bulk(field_name="code")

    def import_programmes(self):
        items = dict(self.records("programmes"))
        existing = Programme.objects.in_bulk(field_name="code")
        for key in _predecessors_first(items, self):
            item = items[key]
            obj = existing.get(key) or Programme(code=key)
            lead = self.lookup("programmes", key, "lead_ministry", self.organisations, item.get("lead_ministry"),
                               "organisation")
            owner = self.lookup("programmes", key, "owner", self.people, item.get("owner"), "user")
            predecessor = self.lookup("programmes", key, "predecessor", existing, item.get("predecessor"),
                                      "programme")
            values = {name: item.get(name) for name in ("planned_start", "planned_end", "actual_start",
                                                         "actual_end", "last_reviewed")}
            values |= {name: item.get(name, "") for name in ("name", "description", "area")}
            values |= {"status": item.get("status", "planned"), "lead_ministry_id": lead.pk if lead else None,
                       "owner_id": owner.pk if owner else None,
                       "predecessor_id": predecessor.pk if predecessor else None}
            saved = self.save("programmes", key, obj, values)
            if saved is None:
                continue
            existing[key] = saved
            self.sync_links(key, saved, item)
        self.programmes = existing

    def sync_links(self, key: str, programme: Programme, item: dict[str, Any]):
        """Make the programme's recommendation and organisation links exactly those in the document."""
        wanted_recs = {}
        for link in item.get("recommendations", []):
            if not isinstance(link, dict) or set(link) - {"recommendation", "note"}:
                self.error("programmes", key, "recommendations", "each link is {recommendation, note}")
                continue
            rec = self.lookup("programmes", key, "recommendations", self.recommendations,
                              link.get("recommendation"), "recommendation")
            if rec:
                wanted_recs[rec.pk] = link.get("note", "")
        current = {link.recommendation_id: link for link in programme.recommendation_links.all()}
        for rec_id, link in current.items():
            if rec_id not in wanted_recs:
                link.delete()
        for rec_id, note in wanted_recs.items():
            link = current.get(rec_id) or ProgrammeRecommendation(programme=programme, recommendation_id=rec_id)
            self.save("programmes", key, link, {"note": note}, count=False)
        wanted_orgs = {
            org.pk for org in (
                self.lookup("programmes", key, "implementing_organisations", self.organisations, short_name,
                            "organisation")
                for short_name in item.get("implementing_organisations", [])
            ) if org
        }
        current_orgs = {link.organisation_id: link for link in programme.organisation_links.all()}
        for org_id, link in current_orgs.items():
            if org_id not in wanted_orgs:
                link.delete()
        for org_id in wanted_orgs - set(current_orgs):
            self.save("programmes", key, ProgrammeOrganisation(programme=programme, organisation_id=org_id), {},
                      count=False)

    def import_funding_periods(self):
        existing = FundingPeriod.objects.in_bulk(field_name="code")
        for key, item in self.records("funding_periods"):
            programme = self.lookup("funding_periods", key, "programme", self.programmes, item.get("programme"),
                                    "programme")
            funder = self.lookup("funding_periods", key, "funder", self.organisations, item.get("funder"),
                                 "organisation")
            if programme is None or funder is None:
                for field in ("programme", "funder"):
                    if not item.get(field):
                        self.error("funding_periods", key, field, "is required")
                continue
            if not isinstance(item.get("amount"), str):
                self.error("funding_periods", key, "amount", 'write the amount as text, e.g. "1250000.00"')
                continue
            obj = existing.get(key) or FundingPeriod(code=key)
            values = {name: item.get(name, "") for name in ("instrument", "currency", "status", "decision_reference",
                                                             "renewal_decision", "note")}
            values |= {name: item.get(name) for name in ("start", "end", "renewal_decision_date")}
            values |= {"amount": parse_amount_text(item.get("amount")), "programme_id": programme.pk,
                       "funder_id": funder.pk}
            self.save("funding_periods", key, obj, values)
        self.funding_periods = FundingPeriod.objects.in_bulk(field_name="code")


def parse_amount_text(value: str) -> Decimal | str:
    """Amounts are text such as "1250000.00" (JSON numbers would pass through binary floating point)."""
    try:
        return Decimal(value)
    except ArithmeticError:
        return value  # left for the field to refuse by name


def _predecessors_first(items: dict[str, dict], importer: _Importer) -> list[str]:
    """Order programme codes so each predecessor in the document comes before its successors."""
    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(code: str, path: tuple[str, ...]):
        if state.get(code) == "done":
            return
        if state.get(code) == "visiting":
            importer.error("programmes", code, "predecessor", "the predecessors form a cycle: " + " → ".join(path))
            return
        state[code] = "visiting"
        predecessor = items[code].get("predecessor")
        if predecessor in items:
            visit(predecessor, (*path, predecessor))
        state[code] = "done"
        ordered.append(code)

    for code in sorted(items):
        visit(code, (code,))
    return ordered


def import_portfolio(document: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Create or update every record in the document, all or nothing; returns counts per section."""
    if not isinstance(document, dict):
        raise PortfolioImportError(["document: must be a JSON object"])
    with transaction.atomic():
        return _Importer(document).run()
