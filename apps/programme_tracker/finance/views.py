"""The budget-against-actual page of the desk, and its CSV download (safe to open in Excel)."""

import csv

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from programme_tracker.finance.reports import GROUPS, MEASURES, budget_against_actual, by_year, spending_projection

# Spreadsheet programs run a cell starting with one of these as a formula; such cells are written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as written, never runs."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@permission_required("finance.view_budgetline", raise_exception=True)
def budget_against_actual_view(request, admin_site):
    """Budget, committed, paid and spent per group and fiscal year, with the grand total, and the burn rate of the
    running funding periods; `?format=csv` downloads the first table."""
    group_by = request.GET.get("group_by", "programme")
    if group_by not in GROUPS:
        group_by = "programme"
    lines, total = budget_against_actual(group_by)
    measure = request.GET.get("measure", "budget")
    if measure not in MEASURES:
        measure = "budget"
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="budget-against-actual-by-{group_by}.csv"'
        writer = csv.writer(response)
        writer.writerow([group_by, "year", *MEASURES])
        for line in lines:
            writer.writerow([safe_cell(line.group), line.year, *(line.amounts[m] for m in MEASURES)])
        writer.writerow(["total", "", *(total.amounts[m] for m in MEASURES)])
        return response
    context = {
        **admin_site.each_context(request), "title": _("Budget against actual"), "lines": lines, "total": total,
        "group_by": group_by, "groups": list(GROUPS), "measures": MEASURES,
        "projections": spending_projection(timezone.localdate()),
        "measure": measure, "multi_year": by_year(lines, measure),
    }
    return TemplateResponse(request, "finance/budget_against_actual.html", context)
