"""Finance pages of the desk: budget against actual (with XLSX and CSV downloads) and the spreadsheet import (the
upload, then the import's own page: its progress while a background job checks or imports it, then its report)."""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from unfold.widgets import (
    UnfoldAdminFileFieldWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextInputWidget,
)

from programme_tracker.accounts.roles import is_administrator
from programme_tracker.core import audit
from programme_tracker.core.models import AuditEvent
from programme_tracker.finance import services
from programme_tracker.finance.imports import KINDS, ImportReport
from programme_tracker.finance.models import SpreadsheetImport
from programme_tracker.finance.progress import CHECKING, READING, SAVING, Snapshot
from programme_tracker.finance.reports import (
    GROUPS,
    MEASURES,
    UNDER_PLAN_PERCENT,
    budget_against_actual,
    by_year,
    spending_projection,
)
from programme_tracker.finance.spreadsheet import (
    XLSX_CONTENT_TYPE,
    SpreadsheetError,
    check_file_size,
    write_csv,
    write_xlsx,
)


def download(request, name: str, headers, rows, file_format: str, heading: str = "") -> HttpResponse:
    """A table as an XLSX or CSV download; every cell is safe to open in Excel; the XLSX has `heading` above the
    table. Each download is an export in the audit record."""
    audit.record(AuditEvent.Kind.EXPORT, user=request.user, detail=f"{name}.{file_format}", request=request)
    if file_format == "xlsx":
        response = HttpResponse(write_xlsx(headers, rows, title=name, heading=heading),
                                content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(write_csv(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


# The page's words for the groups and measures (the keys stay in the address and the files).
GROUP_LABELS = {"programme": gettext_lazy("programme"), "ministry": gettext_lazy("lead ministry"),
                "area": gettext_lazy("area")}
MEASURE_LABELS = {"budget": gettext_lazy("budget"), "committed": gettext_lazy("committed"),
                  "paid": gettext_lazy("paid"), "spent": gettext_lazy("spent")}


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
        return _report_download(request, request.GET.get("table", "budget"), group_by, measure, lines, total,
                                file_format)
    context = {
        "under_plan": UNDER_PLAN_PERCENT,
        **admin_site.each_context(request), "title": _("Budget against actual"), "lines": lines, "total": total,
        "group_by": group_by, "group_label": GROUP_LABELS[group_by], "measure_label": MEASURE_LABELS[measure],
        "groups": [(key, GROUP_LABELS[key]) for key in GROUPS], "measures": [(key, MEASURE_LABELS[key]) for key in
                                                                            MEASURES],
        "projections": spending_projection(timezone.localdate()),
        "measure": measure, "multi_year": by_year(lines, measure),
    }
    return TemplateResponse(request, "finance/budget_against_actual.html", context)


def _report_download(request, table, group_by, measure, lines, total, file_format):
    """One table of the page as a file: `budget` (the default), `multi-year` or `projection`."""
    if table == "multi-year":
        years, rows, totals = by_year(lines, measure)
        return download(request, f"{measure}-by-{group_by}-and-year",
                        [str(GROUP_LABELS[group_by]), *years, _("all years")],
                        [*([group, *amounts, row_total] for group, amounts, row_total in rows),
                         [_("total"), *totals]], file_format)
    if table == "projection":
        headers = [_("funding period"), _("programme"), _("start"), _("end"), _("committed"), _("spent"),
                   _("reported until"), _("per 30 days"), _("projected at the end"), _("of the committed amount")]
        rows = ([p.code, p.programme, p.start, p.end, p.committed, p.spent, p.reported_until, p.per_month,
                 p.projected, p.projected_share] for p in spending_projection(timezone.localdate()))
        return download(request, "spending-projection", headers, rows, file_format)
    rows = [[line.group, line.year, *(line.amounts[m] for m in MEASURES)] for line in lines]
    rows.append([_("total"), None, *(total.amounts[m] for m in MEASURES)])
    # Headers in the reader's language; the file names and the amounts stay as machines read them.
    headers = [str(GROUP_LABELS[group_by]), _("fiscal year"), *(str(MEASURE_LABELS[m]) for m in MEASURES)]
    return download(request, f"budget-against-actual-by-{group_by}", headers, rows, file_format)


# -- spreadsheet import ------------------------------------------------------------------------------------------
KIND_LABELS = {"budget-lines": gettext_lazy("Budget lines"), "payments": gettext_lazy("Payments"),
               "expenditure": gettext_lazy("Expenditure")}


DECIMAL_MARKS = [("", gettext_lazy("detect from the file")), (",", gettext_lazy("comma (1.234,56)")),
                 (".", gettext_lazy("point (1,234.56)"))]
RECENT_IMPORTS = 20  # listed on the upload page, to find a running import again


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
        try:  # refused before it is kept: the site's import_max_megabytes
            check_file_size(upload.size)
        except SpreadsheetError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


def _may_import_anything(user) -> bool:
    return any(services.may_import(user, kind) for kind in KINDS)


def _import_context(request, admin_site, **context) -> dict:
    """What every import page shows: the desk's frame and the columns of each kind of file."""
    return {**admin_site.each_context(request), "title": _("Import money records from a spreadsheet"),
            "kinds": [(kind, KIND_LABELS[kind], KINDS[kind].column_names(), KINDS[kind].required)
                      for kind in KINDS], **context}


def import_view(request, admin_site):
    """Upload a spreadsheet: its dry run runs in the background, and the browser goes to the import's own page."""
    if not _may_import_anything(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        if not services.may_import(request.user, kind):
            raise PermissionDenied
        spreadsheet = services.upload_spreadsheet(request.user, kind, upload.name, upload.read(),
                                                  sheet=form.cleaned_data["sheet"].strip(),
                                                  decimal_mark=form.cleaned_data["decimal_mark"])
        return redirect("finance-import-status", spreadsheet.public_id)
    recent = SpreadsheetImport.objects.select_related("uploaded_by")
    if not is_administrator(request.user):
        recent = recent.filter(uploaded_by=request.user)
    return TemplateResponse(request, "finance/import.html", _import_context(
        request, admin_site, form=form, recent=recent[:RECENT_IMPORTS], kind_labels=KIND_LABELS))


def _followed(request, public_id) -> SpreadsheetImport:
    """The import at this address, if the person may follow it: 404 for someone else's (not even its existence is
    shown), 403 for those who import nothing."""
    if not _may_import_anything(request.user):
        raise PermissionDenied
    spreadsheet = get_object_or_404(SpreadsheetImport.objects.select_related("uploaded_by"), public_id=public_id)
    if not services.may_follow(request.user, spreadsheet):
        raise Http404
    return spreadsheet


def _reads_only(view):
    """For the pages that follow a running import: their requests write nothing, not even the session, which
    SESSION_SAVE_EVERY_REQUEST saves on every request. On SQLite the import's transaction holds the database's only
    write lock: a poll that saved the session would wait for the import to end, and the bar would stand still."""

    @wraps(view)
    def reading(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        request.session.save = _not_saved
        return response

    return reading


def _not_saved(must_create=False):
    """The session is not saved again (its expiry is extended by the next other page)."""


@_reads_only
def import_status_view(request, admin_site, public_id):
    """An import's own page: a progress bar while its dry run or commit runs (htmx polls it), its report when done."""
    spreadsheet = _followed(request, public_id)
    model = KINDS[spreadsheet.kind].model._meta
    context = _import_context(request, admin_site, spreadsheet=spreadsheet, kind_label=KIND_LABELS[spreadsheet.kind],
                              may_confirm=spreadsheet.uploaded_by_id == request.user.pk
                              and services.may_import(request.user, spreadsheet.kind),
                              records_list=f"admin:{model.app_label}_{model.model_name}_changelist")
    if spreadsheet.in_progress:
        context |= _progress(spreadsheet)
    else:
        context |= {"report": ImportReport.from_dict(spreadsheet.report) if spreadsheet.report else None,
                    "form": ImportForm(initial={"kind": spreadsheet.kind})}
    return TemplateResponse(request, "finance/import_status.html", context)


@_reads_only
def import_progress_view(request, admin_site, public_id):
    """The progress bar of an import's page, as htmx polls it; once the job has ended, the browser is sent to the
    page again, which then shows the report."""
    spreadsheet = _followed(request, public_id)
    page = reverse("finance-import-status", args=[spreadsheet.public_id])
    if not request.headers.get("HX-Request"):
        return redirect(page)
    if not spreadsheet.in_progress:
        response = HttpResponse()
        response["HX-Redirect"] = page
        return response
    return TemplateResponse(request, "finance/_import_progress.html", _progress(spreadsheet))


def _progress(spreadsheet: SpreadsheetImport) -> dict:
    """The figures of the progress bar, with the stage and the time left in words."""
    progress = services.progress_of(spreadsheet) if spreadsheet.state in SpreadsheetImport.RUNNING else Snapshot()
    committing = spreadsheet.state in (SpreadsheetImport.State.WAITING_TO_IMPORT, SpreadsheetImport.State.IMPORTING)
    if spreadsheet.state in SpreadsheetImport.WAITING:
        stage = _("Waiting for a worker to take the job…")
    elif progress.stage == READING:
        stage = _("Reading the file…")
    elif progress.stage == CHECKING:
        stage = _("Checking and saving the rows…") if committing else _("Checking the rows (dry run)…")
    elif progress.stage == SAVING:
        stage = _("Saving the rows…") if committing else _("Finishing the dry run…")
    else:
        stage = _("Started…")
    return {"spreadsheet": spreadsheet, "progress": progress, "stage": stage, "committing": committing,
            "time_left": _time_left(progress.seconds_left)}


def _time_left(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return ngettext("about %(seconds)d second", "about %(seconds)d seconds", seconds) % {"seconds": seconds}
    minutes = round(seconds / 60)
    return ngettext("about %(minutes)d minute", "about %(minutes)d minutes", minutes) % {"minutes": minutes}


@require_POST
def import_commit_view(request, admin_site, public_id):
    """Import the rows of a checked file (its uploader confirms the dry run): the commit runs in the background."""
    spreadsheet = _followed(request, public_id)
    if spreadsheet.uploaded_by_id != request.user.pk or not services.may_import(request.user, spreadsheet.kind):
        raise PermissionDenied  # an administrator follows someone else's import but does not confirm it
    if not services.confirm_import(request.user, spreadsheet):
        spreadsheet.refresh_from_db()
        if spreadsheet.state == SpreadsheetImport.State.CHECKED:
            messages.error(request, _("The job queue cannot be reached; nothing was imported. Try again in a few "
                                      "minutes."))
        else:
            messages.error(request, _("This file is not waiting to be imported (it was confirmed already, or its "
                                      "dry run found problems); nothing more was started."))
    return redirect("finance-import-status", spreadsheet.public_id)


def export_view(request, admin_site, kind):
    """The stored records of one kind in the import's columns (XLSX or CSV), to edit and import again."""
    if kind not in KINDS:
        raise PermissionDenied
    model = KINDS[kind].model._meta
    if not request.user.has_perm(f"{model.app_label}.view_{model.model_name}"):
        raise PermissionDenied
    records = KINDS[kind]
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return download(request, kind, records.column_names(), records.export_rows(), file_format)
