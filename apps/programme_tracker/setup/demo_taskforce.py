"""The demo's task force: a year of meetings, decisions with their actions, and the loose ends the task-force rules
catch: an action three weeks late, a decision past its deadline with work still open, and the minutes of the last
meeting not approved. The next meeting is planned, with an agenda that the secretary lets the register propose.

Like the rest of the demo, dates are relative to the day it is loaded and loading again changes nothing.
"""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from programme_tracker.continuity.choices import ACTIVE_STATES, Severity
from programme_tracker.continuity.models import Alert
from programme_tracker.portfolio.models import Organisation, Programme
from programme_tracker.taskforce.agenda import RECOMMENDATION_RULES
from programme_tracker.taskforce.figures import TASK_FORCE_RULES
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting, Member
from programme_tracker.taskforce.services import number, record_decision

MARK = "[Demo data.]"


def load_demo_task_force(today: date, refresh) -> None:
    """Members, meetings, decisions and actions of the demo task force (`refresh` creates or updates a record)."""
    people = get_user_model().objects.in_bulk(["coordinator", "member", "a.jansen", "m.devries"], field_name="username")
    jenv, vws = (Organisation.objects.get(short_name=name) for name in ("JenV", "VWS"))
    since = today - timedelta(days=400)
    for username, organisation, role in (("a.jansen", jenv, Member.Role.CHAIR),
                                         ("coordinator", jenv, Member.Role.SECRETARY),
                                         ("m.devries", vws, Member.Role.MEMBER),
                                         ("member", vws, Member.Role.MEMBER)):
        refresh(Member, {"person": people[username]}, {"since": since, "organisation": organisation, "role": role})

    def at(days: int) -> datetime:
        return timezone.make_aware(datetime.combine(today + timedelta(days=days), time(10)))

    # Found again by their place, which numbers them: their dates move with the day the demo is loaded.
    held = [refresh(Meeting, {"place": f"Den Haag, Turfmarkt 147 (meeting {n}) {MARK}"},
                    {"starts_at": at(days), "status": Meeting.Status.HELD,
                     "agenda_published_on": today + timedelta(days=days - 7),
                     # The last meeting's minutes wait for approval: minutes-not-approved.
                     "minutes_approved_on": today + timedelta(days=days + 28) if days < -60 else None})
            for n, days in enumerate((-330, -240, -150, -60), start=1)]
    upcoming = refresh(Meeting, {"place": f"Den Haag, Turfmarkt 147 (meeting 5) {MARK}"},
                       {"starts_at": timezone.make_aware(datetime.combine(today, time(14))),
                        "status": Meeting.Status.PLANNED,
                        "online_link": "https://example.invalid/task-force"})
    for position, title in ((1, "Opening, and the minutes of the last meeting"), (99, "Any other business")):
        refresh(AgendaItem, {"meeting": upcoming, "title": title}, {"position": position})

    helpline = Programme.objects.get(code="STOP-IT-NOW")
    renew = _decision(held[2], Decision.Kind.CONTINUE_FUNDING, people["coordinator"], deadline=today - timedelta(30),
                      text=f"Ask the Ministry of VWS to decide on renewing the Stop it Now! helpline before its "
                           f"funding ends. {MARK}", programmes=[helpline], organisation=vws)
    # Three weeks late, with its decision past the deadline: action-overdue and decision-not-implemented.
    refresh(ActionItem, {"decision": renew, "what": "Ask VWS in writing for the renewal decision"},
            {"owner": people["member"], "organisation": vws, "due_on": today - timedelta(days=21)})
    refresh(ActionItem, {"decision": renew, "what": "Draft the continuity plan for the helpline"},
            {"owner": people["a.jansen"], "organisation": jenv, "due_on": today - timedelta(days=120),
             "state": ActionItem.State.DONE, "done_on": today - timedelta(days=125),
             "evidence": f"Continuity plan, version 1.0 {MARK}"})
    coverage = _decision(held[3], Decision.Kind.OTHER, people["coordinator"], deadline=today + timedelta(days=60),
                         text=f"Map which programmes could take over the recommendations the ended pilots leave "
                              f"uncovered. {MARK}", organisation=jenv)
    refresh(ActionItem, {"decision": coverage, "what": "Report on the uncovered recommendations"},
            {"owner": people["m.devries"], "organisation": vws, "due_on": today + timedelta(days=30)})


def decide_on_a_demo_alert(today: date) -> Decision | None:
    """After the first scan: the task force accepts the risk of one warning until six weeks from now, in writing,
    which dismisses that alert until then (the inbox shows why). Deciding again changes nothing."""
    existing = Decision.objects.filter(kind=Decision.Kind.ACCEPT_RISK, text__endswith=MARK).first()
    if existing is not None:
        return existing
    warnings = (Alert.objects.filter(state__in=ACTIVE_STATES, severity=Severity.WARNING, programme__isnull=False)
                .exclude(rule__in=(*TASK_FORCE_RULES, *RECOMMENDATION_RULES)))
    # Of a kind with another alert open: the demo keeps every kind of problem in sight.
    shared = warnings.values("rule").annotate(open=Count("pk")).filter(open__gte=2).values("rule")
    alert = warnings.filter(rule__in=shared).order_by("rule", "pk").first()
    if alert is None:
        return None
    secretary = get_user_model().objects.get(username="coordinator")
    return record_decision(
        actor=secretary, decided_on=today, kind=Decision.Kind.ACCEPT_RISK,
        accepted_until=today + timedelta(days=42), organisation=alert.programme.lead_ministry,
        text=f"Accept the risk of {alert.subject_label} ({alert.rule_title.lower()}) until the ministry's answer; "
             f"decided in writing between meetings. {MARK}",
        alerts=[alert], programmes=[alert.programme])


def _decision(meeting: Meeting, kind: str, secretary, *, programmes=(), **fields) -> Decision:
    """The decision with this text, numbered when it is first recorded."""
    decision = Decision.objects.filter(text=fields["text"]).first()
    if decision is None:
        decided_on = timezone.localdate(meeting.starts_at)
        decision = number(Decision(meeting=meeting, decided_on=decided_on, kind=kind, **fields), actor=secretary)
        decision.programmes.set(programmes)
    return decision
