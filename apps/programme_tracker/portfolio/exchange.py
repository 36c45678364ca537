"""Portfolio exchange: the whole register as one documented JSON document (docs/portfolio-format.md).

`export_portfolio()` yields a canonical document: sections and lists sorted by code, amounts as strings with two
decimals, dates as ISO text. `read_document()` reads one from a file's bytes, refusing what would harm the server
(see below); `import_portfolio()` creates or updates by code, all-or-nothing, and reports every problem it finds as
"section KEY: field: message". Export → import into an empty site → export is identical.

A document can come from anywhere, so it cannot take over accounts (issue 12): it creates people only as staff
without a role or in the roles IMPORTABLE_ROLES names (never Administrator, never a superuser), and changes an
existing account (names, e-mail, active, roles) only when the import is run to update accounts, listing each change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from programme_tracker.accounts import roles as account_roles
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
                    "planned_end", "actual_start", "actual_end", "predecessor", "last_reviewed", "public",
                    "money_public", "implementing_organisations", "recommendations")
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
# The JSON type of each field of the sections above (amounts have their own check). References are checked when they
# are looked up (`_Importer.lookup`), which also says when one is required.
TEXT, REFERENCE, DATE, BOOLEAN, WHOLE_NUMBER, TEXTS, LINKS = ("text", "reference", "date", "boolean", "whole number",
                                                            "texts", "links")
FIELD_TYPES = {
    **dict.fromkeys(("short_name", "name", "kind", "username", "first_name", "last_name", "email", "code", "title",
                     "area", "text", "government_response", "response_note", "description", "status", "instrument",
                     "currency", "decision_reference", "renewal_decision", "note"), TEXT),
    **dict.fromkeys(("source_report", "lead_ministry", "owner", "predecessor", "programme", "funder"), REFERENCE),
    **dict.fromkeys(("published", "planned_start", "planned_end", "actual_start", "actual_end", "last_reviewed",
                     "start", "end", "renewal_decision_date"), DATE),
    "active": BOOLEAN, "public": BOOLEAN, "money_public": BOOLEAN, "number": WHOLE_NUMBER, "roles": TEXTS,
    "implementing_organisations": TEXTS,
    "recommendations": LINKS,
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the digits 0-9 only: Django's date parsing takes any digit
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")

# The roles an import gives: never Administrator (nor superuser status), which only an administrator gives in Users.
IMPORTABLE_ROLES = (account_roles.COORDINATOR, account_roles.FINANCE_OFFICER, account_roles.MONITOR,
                    account_roles.TASK_FORCE_MEMBER)
# An account's fields an import compares (document field → User attribute).
ACCOUNT_FIELDS = {"first_name": "first_name", "last_name": "last_name", "email": "email", "active": "is_active"}




@dataclass(frozen=True)
class Part:
    """A section another module adds to the document (the finance module adds the money), after the portfolio's.

    `export(name_of)` returns its records, naming people with `name_of` (user names, or pseudonyms in an export
    without people); `load(importer)` imports them with the importer's lookups and error list. `people()` gives
    the accounts its records refer to, which the `people` section then lists beside the programmes' owners.
    """

    section: str
    key: str
    fields: tuple[str, ...]
    export: Callable[[Callable], list[dict[str, Any]]]
    load: Callable[[_Importer], None]
    people: Callable[[], Iterable] = tuple


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


def pseudonym(user) -> str:
    """A reference to a person that is the same in every export of this site but names no one: a keyed hash of
    the account's id (whoever holds the site's secret key can match it to the account; the document alone cannot)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"person:{user.pk}".encode(), hashlib.sha256).hexdigest()
    return f"person-{digest[:12]}"


def export_portfolio(*, without_people: bool = False) -> dict[str, Any]:
    """The whole portfolio as a canonical JSON-ready document (a fixed number of queries).

    `without_people`: no names or e-mail addresses; each person is a pseudonymous reference (`pseudonym`), so the
    document still shows which programmes share an owner.
    """
    programmes = list(
        Programme.objects.select_related("lead_ministry", "owner", "predecessor")
        .prefetch_related("organisation_links__organisation", "recommendation_links__recommendation")
        .order_by("code")
    )
    name_of = pseudonym if without_people else (lambda user: user.username)
    owners = sorted({p.owner for p in programmes if p.owner_id} | {user for part in PARTS.values()
                                                                    for user in part.people()}, key=name_of)
    roles_by_user: dict[int, list[str]] = {}
    # Only the roles an import gives: the export of one site imports into another.
    for user_id, role in Group.objects.filter(user__in=owners, name__in=IMPORTABLE_ROLES).values_list("user", "name"):
        roles_by_user.setdefault(user_id, []).append(role)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "organisations": [
            {"short_name": o.short_name, "name": o.name, "kind": o.kind, "active": o.active}
            for o in Organisation.objects.order_by("short_name")
        ],
        "people": [
            {"username": name_of(u), "first_name": "" if without_people else u.first_name,
             "last_name": "" if without_people else u.last_name, "email": "" if without_people else u.email,
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
        "programmes": [_export_programme(p, name_of) for p in programmes],
        "funding_periods": [
            {"code": f.code, "programme": f.programme.code, "funder": f.funder.short_name,
             "instrument": f.instrument, "amount": amount_text(f.amount), "currency": f.currency, "status": f.status,
             "start": iso_date(f.start), "end": iso_date(f.end), "decision_reference": f.decision_reference,
             "renewal_decision": f.renewal_decision, "renewal_decision_date": iso_date(f.renewal_decision_date),
             "note": f.note}
            for f in FundingPeriod.objects.select_related("programme", "funder").order_by("code")
        ],
        **{part.section: part.export(name_of) for part in PARTS.values()},
    }


def _export_programme(p: Programme, name_of) -> dict[str, Any]:
    return {
        "code": p.code, "name": p.name, "description": p.description, "area": p.area,
        "lead_ministry": p.lead_ministry.short_name if p.lead_ministry_id else None,
        "owner": name_of(p.owner) if p.owner_id else None,
        "status": p.status,
        "planned_start": iso_date(p.planned_start), "planned_end": iso_date(p.planned_end),
        "actual_start": iso_date(p.actual_start), "actual_end": iso_date(p.actual_end),
        "predecessor": p.predecessor.code if p.predecessor_id else None,
        "last_reviewed": iso_date(p.last_reviewed),
        "public": p.published, "money_public": p.money_published,
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

    def __init__(self, document: dict[str, Any], update_accounts: bool = False):
        self.document = document
        self.update_accounts = update_accounts
        self.errors: list[str] = []
        self.counts = {section: {"created": 0, "updated": 0, "unchanged": 0} for section in [*SECTIONS, *PARTS]}
        self.account_changes: list[str] = []  # each change made to an existing account
        self.accounts_kept: list[str] = []  # existing accounts the document differs from, left as they are

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
            elif section not in SECTIONS or self.of_right_types(section, key, item):
                seen.add(key)
                yield key, item

    def of_right_types(self, section: str, key: str, item: dict[str, Any], types: dict[str, str] = FIELD_TYPES) -> bool:
        """Whether each field has its JSON type (text, a date as text, true or false, …); reports each that has not."""
        right = True
        for name, value in item.items():
            kind = types.get(name)
            problem = type_problem(kind, value) if kind else None
            if problem:
                self.error(section, key, name, problem)
                right = False
        return right

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
        """Create new accounts (staff, in importable roles only); change existing ones only with update_accounts."""
        User = get_user_model()
        existing = User.objects.prefetch_related("groups").in_bulk(field_name="username")
        by_folded_name = {username.casefold(): username for username in existing}
        groups = Group.objects.in_bulk(IMPORTABLE_ROLES, field_name="name")
        for key, item in self.records("people"):
            roles = self.roles_of(key, item.get("roles", []), groups)
            values = {ACCOUNT_FIELDS[name]: item.get(name, True if name == "active" else "") for name in ACCOUNT_FIELDS}
            account = existing.get(key)
            if account is None:
                if key.casefold() in by_folded_name:  # 'Admin' beside 'admin' would pass for it in every list
                    self.error("people", key, "username", f"differs only in case from the existing account "
                                                          f"{by_folded_name[key.casefold()]!r}")
                    continue
                account = User(username=key, is_staff=True, is_superuser=False)
                account.set_unusable_password()  # people set their own password with "forgot password" or an admin
                saved = self.save("people", key, account, values)
                if saved is not None and roles is not None:
                    saved.groups.set(roles)
                continue
            self.update_account(key, account, values, roles)
        self.people = User.objects.in_bulk(field_name="username")

    def roles_of(self, key: str, names: list[str], groups: dict[str, Group]) -> list[Group] | None:
        """The groups of the roles a person's record names; None (and an error) when it names one an import never
        gives or that does not exist."""
        found = []
        for name in names:
            if name in groups:
                found.append(groups[name])
            elif name == account_roles.ADMINISTRATOR:
                self.error("people", key, "roles", f"an import never gives the role {name!r}: an administrator gives "
                                                   f"it in Users")
                return None
            else:
                self.error("people", key, "roles", f"unknown role {name!r}; an import gives "
                                                   f"{', '.join(map(repr, IMPORTABLE_ROLES))}")
                return None
        return found

    def update_account(self, key: str, account, values: dict[str, Any], roles: list[Group] | None) -> None:
        """Bring an existing account in line with the document, if the import may; list what changes."""
        if roles is None:
            return
        held = {group.name for group in account.groups.all()}
        changes = [(name, getattr(account, attribute), values[attribute])
                   for name, attribute in ACCOUNT_FIELDS.items() if getattr(account, attribute) != values[attribute]]
        old_roles, new_roles = sorted(held & set(IMPORTABLE_ROLES)), sorted(group.name for group in roles)
        if old_roles != new_roles:
            changes.append(("roles", old_roles, new_roles))
        if not changes:
            self.counts["people"]["unchanged"] += 1
            return
        described = "; ".join(f"{name} {old!r} → {new!r}" for name, old, new in changes)
        if not self.update_accounts:
            self.accounts_kept.append(f"people {key}: not changed ({described}); an import changes existing accounts "
                                      f"only with --update-accounts")
            self.counts["people"]["unchanged"] += 1
            return
        if account.is_superuser or account_roles.ADMINISTRATOR in held:
            self.error("people", key, None, f"an import never changes an administrator's account ({described}); "
                                            f"change it in Users")
            return
        if self.save("people", key, account, values, count=False) is None:
            return
        # The roles an import gives are set as the document says; any other group the account is in stays.
        account.groups.remove(*[group for group in account.groups.all() if group.name in IMPORTABLE_ROLES])
        account.groups.add(*roles)
        self.account_changes += [f"people {key}: {name}: {old!r} → {new!r}" for name, old, new in changes]
        self.counts["people"]["updated"] += 1

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
                       "predecessor_id": predecessor.pk if predecessor else None,
                       # A file from before these flags leaves them as they are.
                       "published": item.get("public", obj.published),
                       "money_published": item.get("money_public", obj.money_published)}
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
            if (not isinstance(link, dict) or set(link) - {"recommendation", "note"}
                    or not isinstance(link.get("note", ""), str)):
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


def parse_amount_text(value: str) -> Decimal | _Unreadable:
    """Amounts are text such as "1250000.00" (JSON numbers would pass through binary floating point).

    Text that is not such an amount (also one written with other digits than 0-9, which Decimal would read) is
    returned as it is for the field to refuse by name: "“lots” value must be a decimal number."
    """
    if not _AMOUNT.fullmatch(value.strip()):
        return _Unreadable(value)  # not text: a decimal field cannot read it and quotes it as it was written
    return Decimal(value.strip())


def type_problem(kind: str, value: Any) -> str | None:
    """What is wrong with a field's JSON value for its type, or None."""
    if kind == TEXT and not isinstance(value, str):
        return "must be text"
    if kind == DATE and value is not None and not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return f"must be a date as text, such as \"2026-03-31\", or null; got {_short(value)}"
    if kind == BOOLEAN and not isinstance(value, bool):
        return f"must be true or false, got {_short(value)}"
    if kind == WHOLE_NUMBER and (isinstance(value, bool) or not isinstance(value, int)):
        return f"must be a whole number, got {_short(value)}"
    if kind == TEXTS and not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
        return "must be a list of texts"
    if kind == LINKS and not isinstance(value, list):
        return "must be a list of links"
    return None


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


@dataclass
class PortfolioImport:
    """What an import did, or in a dry run would do: counts per section (also `result[section]`), each change to an
    existing account, and the existing accounts the document differs from that were left as they are."""

    counts: dict[str, dict[str, int]]
    account_changes: list[str] = field(default_factory=list)
    accounts_kept: list[str] = field(default_factory=list)
    dry_run: bool = False

    def __getitem__(self, section: str) -> dict[str, int]:
        return self.counts[section]


def import_portfolio(document: dict[str, Any], *, update_accounts: bool = False,
                     dry_run: bool = False) -> PortfolioImport:
    """Create or update every record in the document, all or nothing (nothing at all in a dry run).

    Existing accounts are changed only with `update_accounts`; never an administrator's or a superuser's.
    """
    if not isinstance(document, dict):
        raise PortfolioImportError(["document: must be a JSON object"])
    with transaction.atomic():
        importer = _Importer(document, update_accounts=update_accounts)
        counts = importer.run()
        if dry_run:
            transaction.set_rollback(True)
    return PortfolioImport(counts, importer.account_changes, importer.accounts_kept, dry_run)


# -- reading a document ----------------------------------------------------------------------------------------
# A document is refused, with the place named, when it is larger than the site's `import_max_megabytes`, is not
# UTF-8, holds more values than MAX_VALUES (each takes some 60 bytes or more in memory: the size limit alone would let
# 25 MB of `{}` take 500 MB), is nested deeper than MAX_DEPTH (the format's deepest value is at 5), has a text
# longer than MAX_TEXT, a number JSON does not allow (NaN, Infinity, 1e400, a thousand digits) or the same key twice
# in one object (json would keep the last silently: it overwrote one programme with another's fields).
MAX_VALUES = 2_000_000
MAX_DEPTH = 10
MAX_TEXT = 100_000
MAX_NUMBER_DIGITS = 30
MAX_KEYS = 1_000  # in one object: a record has at most 15 fields, the document 10 sections
MAX_LISTED_PROBLEMS = 100


class _Unreadable:
    """A value the document holds that its field cannot (a number JSON does not allow, an amount not written with the
    digits 0-9), kept to be refused by the place it is found; str() is what the document says."""

    def __init__(self, text: str, problem: str = ""):
        self.text, self.problem = text, problem

    def __str__(self):
        return self.text


class _DuplicateKey(ValueError):
    """An object of the document has the same key twice (or far too many keys)."""


def largest_document() -> int:
    """The size in bytes of the largest document an import reads (the site setting import_max_megabytes)."""
    return settings.IMPORT_MAX_MEGABYTES * 1024 * 1024


def check_document_size(size: int) -> None:
    """Refuse a document of `size` bytes larger than an import reads (call it before reading the file)."""
    if size > largest_document():
        raise PortfolioImportError([f"document: the file is {size / 1024 / 1024:,.1f} MB, larger than the "
                                    f"{settings.IMPORT_MAX_MEGABYTES} MB an import reads (the site setting "
                                    f"import_max_megabytes)"])


def read_document(data: bytes) -> dict[str, Any]:
    """The portfolio document in a file's bytes; PortfolioImportError naming the place of every problem."""
    check_document_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PortfolioImportError([f"document: line {line}, column {column}: not UTF-8 (byte "
                                    f"0x{data[exc.start]:02X}); save the file as UTF-8"]) from None
    # About as many values as these marks (more when texts hold them): counted before json makes objects of them.
    values = text.count(",") + text.count(":") + text.count("[") + text.count("{")
    if values > MAX_VALUES:
        raise PortfolioImportError([f"document: more than {MAX_VALUES:,} values (found about {values:,}); a "
                                    f"portfolio document holds far fewer"])
    try:
        document = json.loads(text, object_pairs_hook=_without_duplicate_keys, parse_constant=_not_a_number,
                              parse_int=_whole_number, parse_float=_decimal_number)
    except json.JSONDecodeError as exc:
        raise PortfolioImportError([f"document: line {exc.lineno}, column {exc.colno}: not valid JSON: "
                                    f"{exc.msg}"]) from None
    except _DuplicateKey as exc:
        raise PortfolioImportError([f"document: {exc}"]) from None
    except RecursionError:  # json nests a call per level and gives up near a thousand
        line, column = _too_deep_at(text)
        raise PortfolioImportError([f"document: line {line}, column {column}: nested deeper than {MAX_DEPTH} "
                                    f"levels"]) from None
    if not isinstance(document, dict):
        raise PortfolioImportError(["document: must be a JSON object"])
    problems = _check_values(document)
    if problems:
        raise PortfolioImportError(problems)
    return document


def _without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the document, refused when it has a key twice (json keeps the last silently) or more keys than
    any object of the format has."""
    if len(pairs) > MAX_KEYS:
        raise _DuplicateKey(f"an object has {len(pairs):,} keys (at most {MAX_KEYS:,}); the format's have a few")
    document = dict(pairs)
    if len(document) == len(pairs):
        return document
    seen = set()
    twice = next(key for key, _value in pairs if key in seen or seen.add(key))
    if "format" in document:
        raise _DuplicateKey(f"the section {_short(twice)} appears twice")
    names = [name for name in ("code", "short_name", "username", "programme", "funding_period", "recommendation",
                               "reference") if isinstance(document.get(name), str)]
    record = f"the record with {names[0]} {_short(document[names[0]])}" if names else "an object"
    raise _DuplicateKey(f"{record} has the field {_short(twice)} twice")


def _not_a_number(name: str) -> _Unreadable:
    return _Unreadable(name, f"{name} is not a number JSON allows")


def _whole_number(text: str) -> int | _Unreadable:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:  # int() of a 100,000-digit text stops with a ValueError
        return _Unreadable(text, f"a number of {len(text.lstrip('-')):,} digits")
    return int(text)


def _decimal_number(text: str) -> float | _Unreadable:
    number = float(text)
    if not math.isfinite(number):
        return _Unreadable(text, f"{_short(text)} is too large a number")
    return number


def _short(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it, cut short (a hostile document can hold megabytes in one text)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _too_deep_at(text: str) -> tuple[int, int]:
    """Line and column where the document is first nested deeper than MAX_DEPTH (texts skipped)."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                return line, match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        elif token in "]}":
            depth -= 1
    return 1, 1


def _check_values(document: Any) -> list[str]:
    """Every value nested too deeply, too long a text and number JSON does not allow, by its place."""
    problems: list[str] = []
    stack = [iter([((), document)])]  # one iterator per level: the walk holds no copy of a long list
    while stack and len(problems) <= MAX_LISTED_PROBLEMS:
        try:
            path, value = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        if isinstance(value, _Unreadable):
            problems.append(f"{_place(document, path)}: {value.problem}")
        elif isinstance(value, str) and len(value) > MAX_TEXT:
            problems.append(f"{_place(document, path)}: a text of {len(value):,} characters (at most {MAX_TEXT:,})")
        elif isinstance(value, dict | list) and len(path) >= MAX_DEPTH:
            problems.append(f"{_place(document, path)}: nested deeper than {MAX_DEPTH} levels")
        elif isinstance(value, dict | list):
            stack.append(_children(path, value))
    if len(problems) > MAX_LISTED_PROBLEMS:
        problems[MAX_LISTED_PROBLEMS:] = ["document: more problems than these; correct these first"]
    return problems


def _children(path: tuple, value: dict | list) -> Iterator[tuple[tuple, Any]]:
    """(place, value) of each item of an object or a list."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        yield (*path, key), item


def _place(document: Any, path: tuple) -> str:
    """A value's place in the document as the import's messages name it: `programmes COSA: recommendations #1: note`."""
    if not path:
        return "document"
    section, *rest = path
    words = [str(section) if isinstance(section, str) else f"#{section + 1}"]
    if rest and isinstance(rest[0], int) and isinstance(section, str):
        key_name = SECTIONS[section][0] if section in SECTIONS else PARTS[section].key if section in PARTS else ""
        record = document[section][rest[0]]
        key = record.get(key_name) if isinstance(record, dict) else None
        words[0] += f" {key}" if isinstance(key, str) and len(key) <= 60 else f" #{rest[0] + 1}"
        rest = rest[1:]
    words += [_short(step, 40).strip("'") if isinstance(step, str) else f"#{step + 1}" for step in rest]
    return ": ".join(words)
