"""Builders shared by the tests: the role accounts, programmes and funding periods in a line each, the POST data the
desk's forms send, and spreadsheets to import. The fixtures that use them stay in the conftest files."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from itertools import count

from openpyxl import Workbook

from programme_tracker.accounts import roles
from programme_tracker.accounts.services import create_account
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme

PASSWORD = "a-long-test-password-1"

# ---------------------------------------------------------------------------------------------------------------------
# Accounts and the portfolio

T = date(2026, 6, 1)  # the reference date of the rule tests
_numbers = count(1)


def day(offset: int) -> date:
    """T plus `offset` days."""
    return T + timedelta(days=offset)


def role_accounts() -> dict:
    """One staff account per role (user name: the role in lower case with hyphens), keyed by role name."""
    return {role: create_account(role.lower().replace(" ", "-"), role, password=PASSWORD)[0] for role in roles.ROLES}


def helpline_programme(ministry, owner) -> Programme:
    """An active programme (HELPLINE) led by `ministry` and owned by `owner`, with one committed funding period
    (HELPLINE-2025, 2025 and 2026)."""
    programme = Programme.objects.create(code="HELPLINE", name="Helpline", area="prevention", status="active",
                                         lead_ministry=ministry, owner=owner, planned_start=date(2025, 1, 1))
    FundingPeriod.objects.create(code="HELPLINE-2025", programme=programme, funder=ministry, instrument="subsidy",
                                 amount=Decimal("100000.00"), status="committed", start=date(2025, 1, 1),
                                 end=date(2026, 12, 31))
    return programme


def make_programme(owner, status="active", planned_start=None, planned_end=None, **fields) -> Programme:
    """A programme led by JenV and owned by `owner`, with a fresh code."""
    number = next(_numbers)
    return Programme.objects.create(
        code=fields.pop("code", f"P{number}"), name=fields.pop("name", f"Programme {number}"),
        area=fields.pop("area", "prevention"),
        status=status, lead_ministry=fields.pop("lead_ministry", Organisation.objects.get(short_name="JenV")),
        owner=owner, planned_start=planned_start, planned_end=planned_end, last_reviewed=fields.pop("last_reviewed", T),
        **fields,
    )


def fund(programme, start: date, end: date, status="committed", amount=Decimal("1000.00"), **fields) -> FundingPeriod:
    """A funding period of the programme from start to end (inclusive)."""
    return FundingPeriod.objects.create(
        programme=programme, funder=Organisation.objects.get(short_name="JenV"), instrument="subsidy",
        amount=amount, status=status, start=start, end=end, **fields,
    )


# ---------------------------------------------------------------------------------------------------------------------
# The desk's forms, posted the way the browser does

INLINE_PREFIXES = ("funding_periods", "recommendation_links", "organisation_links", "budget_lines")
# The money rows on the funding period's page (added by the finance module).
FUNDING_INLINE_PREFIXES = ("commitments", "reports_due", "tranches", "payments", "expenditure")


def management_form(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    """The hidden management fields of an inline formset."""
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def programme_form(**fields) -> dict[str, str]:
    """POST data for the programme page with no inline rows."""
    data = {"code": "", "name": "", "area": "prevention", "status": "planned", "description": "",
            "lead_ministry": "", "owner": "", "last_reviewed": "", "planned_start": "", "planned_end": "",
            "actual_start": "", "actual_end": "", "predecessor": "", "version": "0"}
    data.update({key: str(value) for key, value in fields.items()})
    for prefix in INLINE_PREFIXES:
        data.update(management_form(prefix))
    return data


def programme_form_for(programme, **changes) -> dict[str, str]:
    """POST data that re-saves an existing programme (and its existing funding rows unchanged) with changes."""
    data = programme_form(
        code=programme.code, name=programme.name, area=programme.area, status=programme.status,
        description=programme.description, lead_ministry=programme.lead_ministry_id or "",
        owner=programme.owner_id or "", planned_start=programme.planned_start or "",
        planned_end=programme.planned_end or "", version=programme.version,
    )
    periods = list(programme.funding_periods.order_by("start", "code"))
    data.update(management_form("funding_periods", total=len(periods), initial=len(periods)))
    for i, period in enumerate(periods):
        data.update(funding_row(i, period))
    data.update({key: str(value) for key, value in changes.items()})
    return data


def funding_row(i: int, period, **changes) -> dict[str, str]:
    """One inline funding-period row as the browser posts it."""
    row = {"id": period.pk, "programme": period.programme_id, "code": period.code, "funder": period.funder_id,
           "instrument": period.instrument, "amount": period.amount, "status": period.status,
           "start": period.start, "end": period.end, "renewal_decision": period.renewal_decision,
           "renewal_decision_date": period.renewal_decision_date or "", "version": period.version}
    row.update(changes)
    return {f"funding_periods-{i}-{key}": str(value) for key, value in row.items()}


def funding_form(period=None, **fields) -> dict[str, str]:
    """POST data for the funding period page."""
    data = {"code": "", "programme": "", "funder": "", "instrument": "subsidy", "status": "committed",
            "amount": "1000.00", "currency": "EUR", "start": "2026-01-01", "end": "2026-12-31",
            "decision_reference": "", "renewal_decision": "pending", "renewal_decision_date": "", "note": "",
            "version": "0"}
    if period is not None:
        data.update(code=period.code, programme=period.programme_id, funder=period.funder_id,
                    instrument=period.instrument, status=period.status, amount=period.amount,
                    currency=period.currency, start=period.start, end=period.end,
                    renewal_decision=period.renewal_decision, version=period.version)
    data.update(fields)
    for prefix in FUNDING_INLINE_PREFIXES:
        data.update(management_form(prefix))
    return {key: str(value) for key, value in data.items()}


def form_errors(response) -> str:
    """The text of a rendered admin page with the tags stripped, for asserting on error messages."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


class _FormParser(HTMLParser):
    """Collects what a browser would submit from one form: inputs, the selected options, text areas."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "file", "reset"):
                self.fields.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._multiple, self._options = name, "multiple" in attrs, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not self._multiple and self._options:
                chosen = [self._options[0][0]]  # a browser submits the first option of a single select
            self.fields += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def browser_form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """What a browser posts from the form with this id, as {name: [values]} (for the test client's post)."""
    parser = _FormParser(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


# ---------------------------------------------------------------------------------------------------------------------
# Spreadsheets to import

ROWS_PER_PROGRAMME = 200  # fiscal years 2000–2099, original and revised


def csv_bytes(text: str, encoding="utf-8") -> bytes:
    """A CSV file's content in the given encoding."""
    return text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    """An XLSX workbook whose first sheet holds `rows`."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def many_programmes(count: int) -> list[str]:
    """`count` programmes (codes BIG-0000, BIG-0001, …), created in one query; returns their codes.

    Ended, without an end date, so that no continuity rule finds anything in them: re-evaluating them after an import
    is quick.
    """
    ministry = Organisation.objects.get(short_name="JenV")
    codes = [f"BIG-{n:04d}" for n in range(count)]
    Programme.objects.bulk_create([Programme(code=code, name=f"Programme {code}", area="prevention",
                                             status="ended", lead_ministry=ministry) for code in codes])
    return codes


def budget_csv(rows: int, codes: list[str]) -> bytes:
    """`rows` budget lines over the programmes `codes` (ROWS_PER_PROGRAMME each), in Dutch notation."""
    lines = ["programme;fiscal year;kind;amount;revised on"]
    for n in range(rows):
        code, rest = codes[n // ROWS_PER_PROGRAMME], n % ROWS_PER_PROGRAMME
        kind = ("original", "revised")[rest % 2]
        lines.append(f"{code};{2000 + rest // 2};{kind};{n % 997 + 1}.{n % 1000:03d},50;"
                     f"{'01-02-2026' if kind == 'revised' else ''}")
    return ("\n".join(lines) + "\n").encode()
