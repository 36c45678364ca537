"""Finance pages of the desk: budget against actual (with XLSX and CSV downloads) and the spreadsheet import."""

import os
import tempfile
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from programme_tracker.finance.imports import KINDS, import_money
from programme_tracker.finance.reports import GROUPS, MEASURES, budget_against_actual, by_year, spending_projection
from programme_tracker.finance.spreadsheet import XLSX_CONTENT_TYPE, write_csv, write_xlsx


def download(name: str, headers, rows, file_format: str) -> HttpResponse:
    """A table as an XLSX or CSV download; every cell is safe to open in Excel."""
    if file_format == "xlsx":
        response = HttpResponse(write_xlsx(headers, rows, title=name), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(write_csv(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


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
    file_format = request.GET.get("format")
    if file_format in ("csv", "xlsx"):
        return _report_download(request.GET.get("table", "budget"), group_by, measure, lines, total, file_format)
    context = {
        **admin_site.each_context(request), "title": _("Budget against actual"), "lines": lines, "total": total,
        "group_by": group_by, "groups": list(GROUPS), "measures": MEASURES,
        "projections": spending_projection(timezone.localdate()),
        "measure": measure, "multi_year": by_year(lines, measure),
    }
    return TemplateResponse(request, "finance/budget_against_actual.html", context)


def _report_download(table, group_by, measure, lines, total, file_format):
    """One table of the page as a file: `budget` (the default), `multi-year` or `projection`."""
    if table == "multi-year":
        years, rows, totals = by_year(lines, measure)
        return download(f"{measure}-by-{group_by}-and-year", [group_by, *years, _("all years")],
                        [*([group, *amounts, row_total] for group, amounts, row_total in rows),
                         [_("total"), *totals]], file_format)
    if table == "projection":
        headers = ["funding period", "programme", "start", "end", "committed", "spent", "reported until",
                   "per 30 days", "projected at the end", "projected %"]
        rows = ([p.code, p.programme, p.start, p.end, p.committed, p.spent, p.reported_until, p.per_month,
                 p.projected, p.projected_share] for p in spending_projection(timezone.localdate()))
        return download("spending-projection", headers, rows, file_format)
    rows = [[line.group, line.year, *(line.amounts[m] for m in MEASURES)] for line in lines]
    rows.append([_("total"), None, *(total.amounts[m] for m in MEASURES)])
    return download(f"budget-against-actual-by-{group_by}", [group_by, "year", *MEASURES], rows, file_format)


# -- spreadsheet import ------------------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# An uploaded file waits here between the dry run and the commit, named by a random token kept in the session.
UPLOADS = os.path.join(tempfile.gettempdir(), "programme-tracker-imports")
KIND_LABELS = {"budget-lines": gettext_lazy("Budget lines"), "payments": gettext_lazy("Payments"),
               "expenditure": gettext_lazy("Expenditure")}


DECIMAL_MARKS = [("", gettext_lazy("detect from the file")), (",", gettext_lazy("comma (1.234,56)")),
                 (".", gettext_lazy("point (1,234.56)"))]


class ImportForm(forms.Form):
    """What to import, the file, and how to read it (which sheet, which decimal separator)."""

    # The desk's own widgets: Unfold's script fills the file widget's name box, which a plain file input lacks
    # (it then wrote the file's name into the next text box on the page: the sheet).
    kind = forms.ChoiceField(label=gettext_lazy("Records"), choices=list(KIND_LABELS.items()),
                             widget=UnfoldAdminSelectWidget)
    file = forms.FileField(label=gettext_lazy("Spreadsheet (XLSX or CSV)"), widget=UnfoldAdminFileFieldWidget)
    sheet = forms.CharField(label=gettext_lazy("Sheet (of an XLSX file with several)"), required=False,
                            max_length=100, widget=UnfoldAdminTextInputWidget)
    decimal_mark = forms.ChoiceField(label=gettext_lazy("Decimal separator"), choices=DECIMAL_MARKS,
                                     required=False, initial="", widget=UnfoldAdminRadioSelectWidget)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB; split it."))
        return upload


def _may_import(user, kind) -> bool:
    model = KINDS[kind]._meta.model._meta
    return user.has_perms([f"{model.app_label}.add_{model.model_name}", f"{model.app_label}.change_{model.model_name}"])


def _held_path(token: str) -> str:
    return os.path.join(UPLOADS, f"{token}.upload")


def _hold(data: bytes) -> str:
    """Keep an uploaded file for the commit; returns its token. Files older than a day are cleared away."""
    os.makedirs(UPLOADS, mode=0o700, exist_ok=True)
    cutoff = timezone.now().timestamp() - 86400
    for entry in os.scandir(UPLOADS):
        if entry.name.endswith(".upload") and entry.stat().st_mtime < cutoff:
            os.remove(entry.path)
    token = uuid.uuid4().hex
    with open(_held_path(token), "wb") as held:
        held.write(data)
    return token


def import_view(request, admin_site):
    """Upload a spreadsheet, see the dry run (every change and every error by row and column), then commit it."""
    if not any(_may_import(request.user, kind) for kind in KINDS):
        raise PermissionDenied
    context = {**admin_site.each_context(request), "title": _("Import money records from a spreadsheet"),
               "kinds": [(kind, KIND_LABELS[kind], KINDS[kind].column_names(), KINDS[kind].required)
                         for kind in KINDS]}
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("token"):
        return _commit(request, context)
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        if not _may_import(request.user, kind):
            raise PermissionDenied
        data = upload.read()
        reading = {name: form.cleaned_data[name] or None for name in ("sheet", "decimal_mark")}  # how to read it
        report = import_money(kind, data, upload.name, user=request.user, **reading)
        if report.ok:
            token = _hold(data)
            request.session["finance_import"] = {"token": token, "kind": kind, "filename": upload.name, **reading}
            context["token"] = token
        context |= {"report": report, "filename": upload.name, "kind_label": KIND_LABELS[kind]}
    context["form"] = form
    return TemplateResponse(request, "finance/import.html", context)


def _commit(request, context):
    held = request.session.get("finance_import") or {}
    if held.get("token") != request.POST["token"] or not os.path.exists(_held_path(held["token"])):
        messages.error(request, _("That upload has expired; upload the file again."))
        return redirect("finance-import")
    kind = held["kind"]
    if not _may_import(request.user, kind):
        raise PermissionDenied
    with open(_held_path(held["token"]), "rb") as file:
        data = file.read()
    report = import_money(kind, data, held["filename"], user=request.user, commit=True,
                          sheet=held.get("sheet"), decimal_mark=held.get("decimal_mark"))
    if not report.ok:  # the stored records changed since the dry run in a way that makes a row wrong
        context |= {"report": report, "filename": held["filename"], "kind_label": KIND_LABELS[kind],
                    "form": ImportForm()}
        return TemplateResponse(request, "finance/import.html", context)
    os.remove(_held_path(held["token"]))
    del request.session["finance_import"]
    messages.success(request, _("Imported %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d "
                                "unchanged.") % {"file": held["filename"], "created": report.created,
                                                 "updated": report.updated, "unchanged": report.unchanged})
    model = KINDS[kind]._meta.model._meta
    return redirect(reverse(f"admin:{model.app_label}_{model.model_name}_changelist"))


def export_view(request, admin_site, kind):
    """The stored records of one kind in the import's columns (XLSX or CSV), to edit and import again."""
    if kind not in KINDS:
        raise PermissionDenied
    model = KINDS[kind]._meta.model._meta
    if not request.user.has_perm(f"{model.app_label}.view_{model.model_name}"):
        raise PermissionDenied
    resource = KINDS[kind]()
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return download(kind, resource.column_names(), resource.export_rows(), file_format)
