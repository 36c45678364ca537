"""The desk pages. Thin: each reads its filters, asks its module for the figures and renders a template."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme_tracker.accounts.models import ApiToken, SavedView
from programme_tracker.accounts.services import (
    LONGEST_TOKEN_DAYS,
    create_token,
    delete_view,
    is_desk_address,
    record_visit,
    revoke_token,
    save_view,
)
from programme_tracker.continuity.models import Alert
from programme_tracker.core import audit
from programme_tracker.core.documents import CONTENT_TYPES, WRITERS
from programme_tracker.core.models import EARLIEST, LATEST, AuditEvent, ConcurrentEditError
from programme_tracker.desk import (
    coverage,
    dashboard,
    ending,
    inbox,
    programme,
    progress,
    report,
    search,
    task_force,
    timeline,
)
from programme_tracker.desk.access import ALERTS, FUNDING, HISTORY, MONEY, PAGES, can, desk_page
from programme_tracker.desk.filters import ProgrammeFilters, is_id
from programme_tracker.desk.snapshot import snapshot
from programme_tracker.finance.views import download
from programme_tracker.notifications.services import unread_count
from programme_tracker.portfolio.models import Programme
from programme_tracker.taskforce import minutes
from programme_tracker.taskforce import services as task_force_services
from programme_tracker.taskforce.forms import ACTION_FIELDS, DECISION_FIELDS, Options, OutcomeForm
from programme_tracker.taskforce.meeting import walk
from programme_tracker.taskforce.models import AgendaItem, Meeting


@desk_page("dashboard")
def dashboard_view(request, desk):
    """The portfolio at a glance."""
    today = timezone.localdate()
    figures = dashboard.dashboard(today, show_money=can(request, MONEY), show_alerts=can(request, ALERTS),
                                  show_task_force=can(request, PAGES["task-force"]))
    since = record_visit(request.user)
    recent = inbox.since_last_visit(request.user, since) if figures["show_alerts"] else None
    return TemplateResponse(request, "desk/dashboard.html", {**desk, "title": _("Portfolio dashboard"),
                                                             "today": today, "since": since, "recent": recent,
                                                             **figures})


@desk_page("ending")
def ending_view(request, desk):
    """The programmes whose secured funding ends in a quarter (`?quarter=2027-1`; the next eight by default): the
    amount at stake, the owner and lead ministry, and what the task force has on its way."""
    today = timezone.localdate()
    quarters = ending.next_quarters(today)
    chosen = ending.parse_quarter(request.GET.get("quarter", ""), quarters)
    rows = ending.ending(snapshot(today), [chosen] if chosen else quarters)
    return TemplateResponse(request, "desk/ending.html", {
        **desk, "title": _("Secured funding ending"), "today": today, "rows": rows, "chosen": chosen,
        "quarters": [(ending.quarter_key(*q), ending.quarter_label(*q)) for q in quarters],
        "chosen_key": ending.quarter_key(*chosen) if chosen else "",
        "chosen_label": ending.quarter_label(*chosen) if chosen else "", "show_money": can(request, FUNDING),
        "total": sum(row.amount for row in rows), "waiting": sum(1 for row in rows if not row.settled),
    })


@desk_page("timeline")
def timeline_view(request, desk):
    """Programmes and their funding periods as a Gantt chart, filtered and paged."""
    today = timezone.localdate()
    filters = ProgrammeFilters.from_request(request)
    window = timeline.window_from(request.GET, today)
    page, rows = timeline.timeline_page(filters.apply(Programme.objects.all(), today), request.GET.get("page"),
                                        window.end)
    return TemplateResponse(request, "desk/timeline.html", {
        **desk, "title": _("Funding timeline"), "today": today, "filters": filters, "page": page, "rows": rows,
        "chart": timeline.chart_data(rows, today, window), "legend": _legend(), "window": window,
        "zooms": [(zoom, _query(request, window.query(zoom=zoom.key, **{"from": ""})))
                  for zoom in timeline.ZOOMS.values()],
        "earlier": _query(request, window.shifted(-1).query()), "later": _query(request, window.shifted(1).query()),
        "back_to_today": _query(request, window.query(**{"from": ""})) if window.moved else "",
    })


def _query(request, change: dict) -> str:
    """The page's query string with `change` applied (empty values removed) and the page number reset."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in change.items():
        query.pop(name, None)
        if value:
            query[name] = value
    return "?" + query.urlencode()


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
        "programme_kinds": [(kind, coverage.PROGRAMME_LABELS[kind]) for kind in coverage.PROGRAMME_KINDS],
        "horizon_days": (snapshot(today).horizon - today).days,
    })


def _may_act(request) -> bool:
    """Whether the person acknowledges, dismisses and reassigns alerts (monitors only read them)."""
    return request.user.has_perm("continuity.change_alert")


@desk_page("inbox")
def inbox_view(request, desk):
    """Alerts, the person's own first, with acknowledge, dismiss and reassign on each row (their forms once)."""
    filters = inbox.InboxFilters.from_request(request)
    may_act = _may_act(request)
    since = record_visit(request.user)
    return TemplateResponse(request, "desk/inbox.html", {
        **desk, "title": _("Alert inbox"), "filters": filters, "since": since,
        "page": inbox.inbox_page(request.user, filters, request.GET.get("page"), since),
        "unread": unread_count(request.user), "may_act": may_act, "assignees": inbox.assignees() if may_act else [],
        "next_query": urlencode({"next": request.get_full_path()}),
        "dialogs": [(action, inbox.ACTIONS[action]) for action in ("dismiss", "reassign")],
        "extra_filters": [("alert", filters.alert)] if filters.alert else [],
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
    file_format, name = request.GET.get("format"), f"monitoring-report-{day.isoformat()}"
    if file_format == "xlsx":
        headers, rows = report.report_rows(groups)
        return download(request, name, headers, rows, "xlsx", heading=report.report_title(day))
    if file_format in WRITERS:
        written = report.document(groups, counts, day, can(request, ALERTS), (request.LANGUAGE_CODE or "en")[:2])
        return _document_download(request, name, written, file_format)
    return TemplateResponse(request, "desk/report.html", {
        **desk, "title": _("Monitoring report"), "day": day, "today": today, "groups": groups,
        "report_title": report.report_title(day),
        "counts": [(kind, coverage.COVERAGE_LABELS[kind], counts[kind]) for kind in coverage.KINDS],
        "show_alerts": can(request, ALERTS),
    })


@desk_page("task-force")
def task_force_view(request, desk):
    """The task force's next meeting, open actions and latest decisions."""
    today = timezone.localdate()
    return TemplateResponse(request, "desk/task_force.html", {**desk, "title": _("Task force"), "today": today,
                                                              **task_force.task_force_page(today)})


def _may_record(request) -> bool:
    """Whether the person records outcomes, decisions and actions in meeting mode (the secretary; members read)."""
    return request.user.has_perms(("taskforce.change_agendaitem", "taskforce.add_decision",
                                   "taskforce.add_actionitem"))


def _meeting_item(item: AgendaItem, form: OutcomeForm | None, number: int, **extra) -> dict:
    """What one item's part of meeting mode needs."""
    return {"item": item, "form": form, "number": number, "may_record": form is not None, **extra}


@desk_page("meeting")
def meeting_view(request, desk, pk):
    """Meeting mode: the agenda walked item by item, each with its subject's facts and the outcome recorded."""
    meeting = get_object_or_404(Meeting, pk=pk)
    may_record = _may_record(request) and meeting.status != Meeting.Status.CANCELLED
    items = walk(meeting, timezone.localdate(meeting.starts_at), money=can(request, FUNDING))
    options = Options() if may_record else None
    return TemplateResponse(request, "desk/meeting.html", {
        **desk, "title": _("Meeting mode: %(meeting)s") % {"meeting": meeting}, "meeting": meeting,
        "items": [_meeting_item(item, OutcomeForm(item=item, options=options) if may_record else None, number)
                  for number, item in enumerate(items, start=1)],
        "kinds": [("agenda", _("Agenda")), ("minutes", _("Minutes"))], "formats": list(WRITERS),
        "languages": ("nl", "en"), "may_add": may_record,
    })


@require_http_methods(["POST"])
@desk_page("meeting")
def meeting_item_view(request, desk, pk, item_id):
    """Record one item's outcome. htmx gets the item's part back (with the errors on their fields); a plain form
    is redirected to the item, its errors shown as messages."""
    if not _may_record(request):
        raise PermissionDenied
    item = get_object_or_404(AgendaItem, pk=item_id, meeting_id=pk)
    options = Options()
    form = OutcomeForm(request.POST, item=item, options=options)
    saved, conflict = False, ""
    if form.is_valid():
        try:
            task_force_services.record_outcome(
                item.pk, actor=request.user, version=form.cleaned_data["version"],
                outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"],
                decision=form.part("decision", DECISION_FIELDS), action=form.part("action", ACTION_FIELDS))
            saved = True
        except ConcurrentEditError:
            conflict = _changed_meanwhile(item)
            form.add_error(None, conflict)
        except ValidationError as exc:
            form.record_error(exc)
    if not request.headers.get("HX-Request"):
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{capfirst(label)}: {' '.join(errors)}" if label else " ".join(errors))
        if saved:
            messages.success(request, _("Recorded."))
        return redirect(reverse("desk:meeting", args=[pk]) + f"#item-{item.pk}")
    meeting = item.meeting
    # Numbered as on the page, which leaves out the dropped items (this one stays, to show what was recorded).
    items = [found for found in walk(meeting, timezone.localdate(meeting.starts_at), money=can(request, FUNDING),
                                     dropped=True)
             if found.outcome != AgendaItem.Outcome.DROPPED or found.pk == item.pk]
    number, fresh = next((n, found) for n, found in enumerate(items, start=1) if found.pk == item.pk)
    if saved:
        form = OutcomeForm(item=fresh, options=options)
    elif conflict:
        # What was typed, against the item as the other person left it (shown above the form): sent again, it
        # is recorded over what they recorded, which the secretary has now seen.
        data = request.POST.copy()
        data[form.add_prefix("version")] = fresh.version
        form = OutcomeForm(data, item=fresh, options=options)
        form.is_valid()
        form.add_error(None, conflict)
    return TemplateResponse(request, "desk/_meeting_item.html", _meeting_item(fresh, form, number, saved=saved))


@require_http_methods(["POST"])
@desk_page("meeting")
def meeting_add_item_view(request, desk, pk):
    """Add an item by hand at the end of the agenda, then show it on the page."""
    if not _may_record(request):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting, pk=pk)
    try:
        item = task_force_services.add_item(meeting.pk, actor=request.user, title=request.POST.get("title", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("desk:meeting", args=[pk]) + "#add-item")
    messages.success(request, _("Added to the agenda."))
    return redirect(reverse("desk:meeting", args=[pk]) + f"#item-{item.pk}")


def _changed_meanwhile(item: AgendaItem) -> str:
    """Who recorded the item since the page was opened, and when (in the site's time), and what to do now."""
    latest = item.history.order_by("-history_date", "-history_id").first()
    who = (latest.history_user.get_full_name() or latest.history_user.get_username()) if latest and \
        latest.history_user else _("someone else")
    when = date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT") if latest else ""
    return _("%(who)s recorded this item at %(when)s, after you opened the page; what they recorded is shown here. "
             "Record the outcome again to replace it with yours, which is kept in the form.") % {"who": who,
                                                                                               "when": when}


@desk_page("meeting")
def meeting_document_view(request, desk, pk, kind, file_format):
    """The meeting's agenda or minutes as DOCX or PDF, in Dutch or English (`?language=`, else the page's)."""
    if kind not in minutes.KINDS or file_format not in WRITERS:
        raise Http404
    meeting = get_object_or_404(Meeting, pk=pk)
    language = request.GET.get("language", "")
    language = language if language in ("nl", "en") else (request.LANGUAGE_CODE or "en")[:2]
    document = minutes.document_for(meeting, kind, language, money=can(request, FUNDING))
    return _document_download(request, minutes.filename(meeting, kind, language), document, file_format)


def _document_download(request, name: str, document, file_format: str) -> HttpResponse:
    """A document as a DOCX or PDF download, recorded as an export in the audit record."""
    audit.record(AuditEvent.Kind.EXPORT, user=request.user, detail=f"{name}.{file_format}", request=request)
    response = HttpResponse(WRITERS[file_format](document), content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def _period(request, today: date) -> tuple[date, date, list[str]]:
    """The progress report's period from `?start=` and `?end=` (ISO dates), by default this year up to and
    including today; with the reasons a given period was not taken."""
    errors, found = [], {}
    defaults = {"start": today.replace(month=1, day=1), "end": today}
    wrong = {"start": _("Give the first day of the period as a date from %(first)s to %(last)s."),
             "end": _("Give the last day of the period as a date from %(first)s to %(last)s.")}
    for name, default in defaults.items():
        text = request.GET.get(name, "")
        try:
            day = parse_date(text) if text else default
        except ValueError:
            day = None
        if day is None or not EARLIEST <= day <= LATEST:
            errors.append(wrong[name] % {"first": EARLIEST.year, "last": LATEST.year})
            day = default
        found[name] = day
    if found["end"] < found["start"]:
        errors.append(_("The period ends before it starts."))
    elif (found["end"] - found["start"]).days > progress.LONGEST_PERIOD_DAYS:
        errors.append(_("Choose a period of ten years at most."))
    if errors:
        return defaults["start"], defaults["end"], errors
    return found["start"], found["end"], errors


@desk_page("progress")
def progress_view(request, desk):
    """The progress report for a period; `?format=xlsx`, `docx` or `pdf` downloads it."""
    today = timezone.localdate()
    start, end, errors = _period(request, today)
    money = can(request, MONEY)
    found = progress.progress(start, end)
    file_format = request.GET.get("format")
    name = slugify(f"{_('Progress report')} {start.isoformat()} {end.isoformat()}")
    if file_format == "xlsx" and not errors:
        return download(request, name, progress.headers(money), progress.rows(found, money), "xlsx")
    if file_format in WRITERS and not errors:
        written = progress.document(found, start, end, money, (request.LANGUAGE_CODE or "en")[:2])
        return _document_download(request, name, written, file_format)
    return TemplateResponse(request, "desk/progress.html", {
        **desk, "title": _("Progress report"), "start": start, "end": end, "errors": errors, "rows": found,
        # What was typed stays in the fields after a refusal, to be corrected.
        "typed": {name: request.GET.get(name, "")[:40] for name in ("start", "end")} if errors else {},
        "money": money, "formats": ("xlsx", *WRITERS), "decisions": progress.decisions_taken(start, end),
    }, status=400 if errors else 200)


@desk_page("search")
def search_view(request, desk):
    """One search across programmes, organisations, recommendations, alerts and decisions (`?q=`)."""
    term = search.clean(request.GET.get("q", ""))
    groups = search.search(request.user, term)
    return TemplateResponse(request, "desk/search.html", {
        **desk, "title": _("Search"), "term": term, "groups": groups, "total": sum(g.total for g in groups)})


def _remove_own(request, field: str, remove, done: str, page: str) -> HttpResponseRedirect:
    """Remove one of the person's own records (the id in POST `field`) with `remove(user, id)`, then back to the
    page; an id that is not theirs, or not an id, changes nothing."""
    pk = request.POST[field]
    if is_id(pk) and remove(request.user, int(pk)):
        messages.success(request, done)
    return HttpResponseRedirect(reverse(page))


@require_http_methods(["GET", "POST"])
@desk_page("saved-views")
def saved_views_view(request, desk):
    """The person's saved views. POST `name` and `path` saves the page at `path` under that name and goes back
    there; POST `delete` (an id) deletes one."""
    if request.method == "POST":
        if "delete" in request.POST:
            return _remove_own(request, "delete", delete_view, _("The saved view is deleted."), "desk:saved-views")
        try:
            view = save_view(request.user, request.POST.get("name", ""), request.POST.get("path", ""))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            back = request.POST.get("path", "")
            return HttpResponseRedirect(back if is_desk_address(back) else reverse("desk:saved-views"))
        messages.success(request, _("Saved as “%(name)s”; it is in your sidebar under Saved views.") % {
            "name": view.name})
        return HttpResponseRedirect(view.path)
    return TemplateResponse(request, "desk/saved_views.html", {
        **desk, "title": _("Saved views"), "views": SavedView.objects.filter(user=request.user)})


@require_http_methods(["GET", "POST"])
@desk_page("api-tokens")
def api_tokens_view(request, desk):
    """The person's API tokens. POST `name`, `scope` and `days` makes one and shows it once (this answer only, not
    stored, not cached); POST `revoke` (an id) revokes one at once."""
    created, errors = "", {}
    if request.method == "POST":
        if "revoke" in request.POST:
            return _remove_own(request, "revoke", revoke_token, _("The token is revoked: it no longer works."),
                               "desk:api-tokens")
        days = request.POST.get("days", "")
        try:
            record, created = create_token(request.user, request.POST.get("name", ""), request.POST.get("scope", ""),
                                           int(days) if is_id(days) else -1)
            audit.record(AuditEvent.Kind.API_TOKEN, user=request.user,
                         detail=f"{record.prefix}… {record.get_scope_display()}, until {record.expires_at:%Y-%m-%d}",
                         request=request)
        except ValidationError as exc:
            errors = exc.message_dict
    calendar_url = ""
    if created and ApiToken.objects.filter(user=request.user, scope=ApiToken.Scope.CALENDAR,
                                           prefix=created[:10]).exists():
        calendar_url = request.build_absolute_uri(reverse("api-calendar", args=[created]))
    response = TemplateResponse(request, "desk/api_tokens.html", {
        **desk, "title": _("API tokens"), "created": created, "errors": errors, "calendar_url": calendar_url,
        "tokens": ApiToken.objects.filter(user=request.user), "now": timezone.now(),
        "scopes": ApiToken.Scope.choices, "longest": LONGEST_TOKEN_DAYS,
        "typed": request.POST if errors else {}}, status=400 if errors else 200)
    response["Cache-Control"] = "no-store"  # the page may hold a token, shown once
    return response


# The checker the statement names; tests/a11y checks it is the one package-lock.json pins.
AXE_CORE_VERSION = "4.14.1"


@desk_page("accessibility")
def accessibility_view(request, desk):
    """The accessibility statement: the standard, how the desk is tested, what is known not to meet it, and where
    to report a problem (the headings of the Dutch government's model statement)."""
    return TemplateResponse(request, "desk/accessibility.html", {
        **desk, "title": _("Accessibility statement"), "contact": settings.MAIL_REPLY_TO,
        "checker": AXE_CORE_VERSION,
    })
