"""Helpers for posting admin forms the way the browser does."""

import re

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
           "version": period.version}
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
