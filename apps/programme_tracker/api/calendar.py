"""A person's calendar feed (RFC 5545): the dates that concern them, for their calendar program to subscribe to;
with ?programme= or ?ministry=, the dates of one programme or of a ministry's programmes (for coordinators).

The secret address carries a token of its own (scope "calendar", made in the desk, revocable) because a calendar
program cannot send a header. Every event has a UID that stays the same from one fetch to the next, so calendar
programs update an event rather than add it again; a meeting's is the one its invitation uses.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from programme_tracker.accounts.models import ApiToken
from programme_tracker.accounts.services import token_user
from programme_tracker.finance.models import ReportDue, Tranche
from programme_tracker.portfolio.models import (
    SECURED_FUNDING_STATUSES,
    FundingPeriod,
    Organisation,
    Programme,
    RenewalDecision,
)
from programme_tracker.taskforce.invitation import event_host, meeting_event
from programme_tracker.taskforce.models import ActionItem, Meeting

LOOK_BACK = timedelta(days=60)  # past dates kept in the feed, so that a late item is still seen


def _day(calendar: Calendar, uid: str, day: date, summary: str, description: str = "") -> None:
    """An all-day event."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a deadline, not a busy time
    calendar.add_component(event)


def feed(user, today: date, programmes: Q | None = None, title: str = "") -> bytes:
    """The person's dates: the ends of the secured funding of the programmes they own and the days their renewal
    decisions are due, those programmes' planned tranches and reports due, the task force's meetings and their
    own open action items (each kind only when they may read it). With `programmes` (a filter of programmes), the
    funding dates of those programmes instead, whoever owns them: a programme's or a ministry's feed. A few
    queries, one per kind."""
    host = event_host()
    since = today - LOOK_BACK
    personal = programmes is None
    programmes = Q(owner=user) if personal else programmes
    calendar = Calendar()
    calendar.add("prodid", "-//Programme Tracker//Calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title or _("Programme Tracker: my dates"))
    chosen = Programme.objects.filter(programmes).values("pk")
    if user.has_perm("portfolio.view_fundingperiod"):
        notice = timedelta(days=settings.CONTINUITY["renewal_notice_days"])
        for period in FundingPeriod.objects.filter(programme__in=chosen, status__in=SECURED_FUNDING_STATUSES,
                                                   end__gte=since).select_related("programme"):
            _day(calendar, f"funding-end-{period.pk}@{host}", period.end,
                 _("Secured funding ends: %(code)s") % {"code": period.code}, str(period.programme))
            if period.renewal_decision == RenewalDecision.PENDING and period.end - notice >= since:
                _day(calendar, f"renewal-due-{period.pk}@{host}", period.end - notice,
                     _("Renewal decision due: %(code)s") % {"code": period.code}, str(period.programme))
    if user.has_perm("finance.view_tranche"):
        for tranche in Tranche.objects.filter(funding_period__programme__in=chosen, planned_on__gte=since) \
                .select_related("funding_period"):
            _day(calendar, f"tranche-{tranche.pk}@{host}", tranche.planned_on,
                 _("Tranche planned: %(code)s") % {"code": tranche.funding_period.code})
    if user.has_perm("finance.view_reportdue"):
        for report in ReportDue.objects.filter(funding_period__programme__in=chosen, due_on__gte=since,
                                               received_on__isnull=True).select_related("funding_period"):
            _day(calendar, f"report-due-{report.pk}@{host}", report.due_on,
                 _("Report due: %(report)s") % {"report": report})
    if personal and user.has_perm("taskforce.view_meeting"):
        # A moment, not starts_at__date: MariaDB converts time zones only with its zone tables loaded.
        since_start = timezone.make_aware(datetime.combine(since, time.min))
        for meeting in Meeting.objects.filter(starts_at__gte=since_start).exclude(status=Meeting.Status.CANCELLED):
            calendar.add_component(meeting_event(meeting))  # as its invitation: one event in the calendar
    if personal and user.has_perm("taskforce.view_actionitem"):
        for action in ActionItem.objects.filter(owner=user, state=ActionItem.State.OPEN, due_on__gte=since):
            _day(calendar, f"action-{action.reference}@{host}", action.due_on,
                 _("Action due: %(what)s") % {"what": action.what})
    return calendar.to_ical()


def _subject(request) -> tuple[Q | None, str]:
    """?programme=CODE or ?ministry=SHORT-NAME: the programmes of a programme's or a ministry's feed, and its name;
    neither: the person's own feed. An unknown code is a 404."""
    code, ministry = request.GET.get("programme"), request.GET.get("ministry")
    if code:
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            raise Http404
        return Q(pk=programme.pk), _("Programme Tracker: %(code)s") % {"code": programme.code}
    if ministry:
        organisation = Organisation.objects.filter(short_name=ministry).first()
        if organisation is None:
            raise Http404
        return Q(lead_ministry=organisation), _("Programme Tracker: programmes led by %(ministry)s") % {
            "ministry": organisation.short_name}
    return None, ""


@csrf_exempt  # a GET feed opened by calendar programs; any other method is refused below, not by the CSRF page
@require_safe
def calendar_view(request, token: str):
    """The feed of the person whose calendar token this is (or, with ?programme= or ?ministry=, of a programme or a
    ministry's programmes, as far as the person may read them); 404 for any other token (nothing to learn)."""
    record = token_user(token)
    if record is None or record.scope != ApiToken.Scope.CALENDAR:
        raise Http404
    programmes, title = _subject(request)
    response = HttpResponse(feed(record.user, timezone.localdate(), programmes, title),
                            content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
