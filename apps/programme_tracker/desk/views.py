"""The desk pages. Thin: each reads its filters, asks its module for the figures and renders a template."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme_tracker.continuity.models import Alert
from programme_tracker.core.models import EARLIEST, LATEST
from programme_tracker.desk import coverage, dashboard, inbox, programme, report, task_force, timeline
from programme_tracker.desk.access import ALERTS, FUNDING, HISTORY, MONEY, PAGES, can, desk_page
from programme_tracker.desk.filters import ProgrammeFilters
from programme_tracker.desk.snapshot import snapshot
from programme_tracker.finance.views import download
from programme_tracker.notifications.services import unread_count
from programme_tracker.portfolio.models import Programme


@desk_page("dashboard")
def dashboard_view(request, desk):
    """The portfolio at a glance."""
    today = timezone.localdate()
    figures = dashboard.dashboard(today, show_money=can(request, MONEY), show_alerts=can(request, ALERTS),
                                  show_task_force=can(request, PAGES["task-force"]))
    return TemplateResponse(request, "desk/dashboard.html", {**desk, "title": _("Portfolio dashboard"),
                                                             "today": today, **figures})


@desk_page("timeline")
def timeline_view(request, desk):
    """Programmes and their funding periods as a Gantt chart, filtered and paged."""
    today = timezone.localdate()
    filters = ProgrammeFilters.from_request(request)
    page, rows = timeline.timeline_page(filters.apply(Programme.objects.all(), today), request.GET.get("page"))
    return TemplateResponse(request, "desk/timeline.html", {
        **desk, "title": _("Funding timeline"), "today": today, "filters": filters, "page": page, "rows": rows,
        "chart": timeline.chart_data(rows, today), "legend": _legend(),
    })


def _legend():
    """The timeline's colours in words."""
    return [(timeline.KIND_COLOURS[kind], label) for kind, label in timeline.KIND_LABELS.items()]


@desk_page("coverage")
def coverage_view(request, desk):
    """Recommendations against the programmes implementing them, coloured by coverage."""
    today = timezone.localdate()
    filters = ProgrammeFilters.from_request(request)
    wanted = request.GET.get("coverage", "")
    wanted = wanted if wanted in coverage.KINDS else ""
    page, columns, areas = coverage.matrix(snapshot(today), filters.apply(Programme.objects.all(), today),
                                           request.GET.get("page"), wanted)
    return TemplateResponse(request, "desk/coverage.html", {
        **desk, "title": _("Coverage matrix"), "today": today, "filters": filters, "page": page,
        "columns": columns, "areas": areas, "wanted": wanted, "wanted_filter": [("coverage", wanted)] if wanted else [],
        "kinds": [(kind, coverage.COVERAGE_LABELS[kind]) for kind in coverage.KINDS],
    })


def _may_act(request) -> bool:
    """Whether the person acknowledges, dismisses and reassigns alerts (monitors only read them)."""
    return request.user.has_perm("continuity.change_alert")


@desk_page("inbox")
def inbox_view(request, desk):
    """Alerts, the person's own first, with acknowledge, dismiss and reassign on each row (their forms once)."""
    filters = inbox.InboxFilters.from_request(request)
    may_act = _may_act(request)
    return TemplateResponse(request, "desk/inbox.html", {
        **desk, "title": _("Alert inbox"), "filters": filters, "page": inbox.inbox_page(request.user, filters,
                                                                                         request.GET.get("page")),
        "unread": unread_count(request.user), "may_act": may_act, "assignees": inbox.assignees() if may_act else [],
        "next_query": urlencode({"next": request.get_full_path()}),
        "dialogs": [(action, inbox.ACTIONS[action]) for action in ("dismiss", "reassign")],
    })


def _back(request, target: str) -> str:
    """Where to return after acting: `target` when it is on this site, otherwise the inbox."""
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if target and safe else reverse("desk:inbox")


@require_http_methods(["GET", "POST"])
@desk_page("inbox")
def inbox_act_view(request, desk, alert_id, action):
    """One action on one alert. GET: its form on a page of its own (the inbox's dialog without JavaScript). POST:
    do it; htmx gets the row back (and the unread count), a plain form is redirected."""
    if not _may_act(request):
        raise PermissionDenied
    if request.method == "GET":
        if action not in inbox.ACTIONS:
            raise Http404
        alert = get_object_or_404(inbox.inbox_alerts(request.user, inbox.InboxFilters(state="all")), pk=alert_id)
        return TemplateResponse(request, "desk/inbox_action.html", {
            **desk, "title": inbox.ACTIONS[action], "alert": alert, "action": action,
            "assignees": inbox.assignees(), "back": _back(request, request.GET.get("next", "")),
        })
    alert = get_object_or_404(Alert, pk=alert_id)
    error = ""
    try:
        inbox.act(alert, request.user, action, request.POST)
    except ValidationError as exc:
        error = "; ".join(exc.messages)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        elif action in inbox.DONE:
            messages.success(request, inbox.DONE[action] % {"alert": f"{alert.rule_title} · {alert.subject_label}"})
        return redirect(_back(request, request.POST.get("next", "")))
    alert = inbox.inbox_alerts(request.user, inbox.InboxFilters(state="all")).get(pk=alert_id)
    inbox.with_follow_up([alert], request.user)
    return TemplateResponse(request, "desk/_alert_row.html", {
        "alert": alert, "error": error, "may_act": True, "unread": unread_count(request.user), "swap_unread": True,
        "next_query": urlencode({"next": reverse("desk:inbox")}),
    })


@desk_page("programme")
def programme_view(request, desk, pk):
    """One programme on one page."""
    today = timezone.localdate()
    context = programme.programme_page(pk, today, funding=can(request, FUNDING), money=can(request, MONEY),
                                       alerts=can(request, ALERTS), history=can(request, HISTORY))
    context["may_change"] = request.user.has_perm("portfolio.change_programme")
    return TemplateResponse(request, "desk/programme.html", {
        **desk, **context, "title": str(context["programme"]), "today": today})


def _reference_date(request, today: date) -> date:
    """The report's reference date from `?date=YYYY-MM-DD` (today when absent, not a date or outside the years
    the register holds)."""
    try:
        day = parse_date(request.GET.get("date", ""))
    except ValueError:
        return today
    return day if day and EARLIEST <= day <= LATEST else today


@desk_page("report")
def report_view(request, desk):
    """The state of implementation per recommendation on a reference date; `?format=xlsx` downloads it."""
    today = timezone.localdate()
    day = _reference_date(request, today)
    groups, counts = report.monitoring_report(day, today, with_alerts=can(request, ALERTS))
    if request.GET.get("format") == "xlsx":
        headers, rows = report.report_rows(groups)
        return download(request, f"monitoring-report-{day.isoformat()}", headers, rows, "xlsx")
    return TemplateResponse(request, "desk/report.html", {
        **desk, "title": _("Monitoring report"), "day": day, "today": today, "groups": groups,
        "counts": [(kind, coverage.COVERAGE_LABELS[kind], counts[kind]) for kind in coverage.KINDS],
        "show_alerts": can(request, ALERTS),
    })


@desk_page("task-force")
def task_force_view(request, desk):
    """The task force's next meeting, open actions and latest decisions."""
    today = timezone.localdate()
    return TemplateResponse(request, "desk/task_force.html", {**desk, "title": _("Task force"), "today": today,
                                                              **task_force.task_force_page(today)})
