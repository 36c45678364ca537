"""The e-mails people act on (issue 17): every kind, in both languages, read for its words, its formatted dates and
amounts, its links and its headers; from the demo portfolio, as a ministry's programme owner receives them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from programme_tracker.continuity import services as alert_services
from programme_tracker.continuity.escalation import escalate
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.rules import RULES
from programme_tracker.continuity.scan import run_scan
from programme_tracker.finance.models import Expenditure
from programme_tracker.notifications import outbox
from programme_tracker.notifications.emails import compose
from programme_tracker.notifications.models import Delivery, Notification, Preference
from programme_tracker.portfolio.models import FundingPeriod
from programme_tracker.taskforce.models import Meeting
from tests.desk.conftest import demo  # noqa: F401  (a fixture)

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
LATER = timedelta(days=2)  # past the next digest time


@pytest.fixture
def owner(demo):  # noqa: F811
    """Anna Jansen, who owns STOP-IT-NOW (a late report blocks its tranche, which is now late)."""
    return get_user_model().objects.get(username="a.jansen")


def mail_to(user):
    """The one e-mail the person received."""
    mine = [message for message in mail.outbox if message.to == [user.email]]
    assert len(mine) == 1, [m.subject for m in mine]
    return mine[0]


def without_links(text: str) -> str:
    return re.sub(r"https?://\S+", "", text)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_owners_daily_digest_says_what_happened_what_to_do_and_where(owner, language, settings):
    Preference.objects.create(user=owner, delivery=Delivery.DIGEST_ONLY, language=language)
    Notification.objects.filter(recipient=owner).update(email_due_at=timezone.now())
    outbox.deliver_due(timezone.now() + LATER)
    message = mail_to(owner)
    text, (html, kind) = message.body, message.alternatives[0]
    count = Notification.objects.filter(recipient=owner).count()
    with translation.override(language):
        today = date_format(timezone.localdate(), "DATE_FORMAT")
        planned = date_format(Alert.objects.get(rule="tranche-overdue", subject_label__startswith="STOP-IT-NOW-2025")
                              .key_date, "DATE_FORMAT")
    if language == "nl":
        assert re.fullmatch(rf"Dagelijks overzicht {today}: {count} waarschuwingen \(\d+ kritiek, \d+ let op"
                            r"(, \d+ ter informatie)?\)", message.subject), message.subject
        assert text.startswith("Beste Anna Jansen,\n")
        assert "€ 475.000,00" in text and f"gepland voor {planned}" in text
        assert f"Nieuw gesignaleerd op {today}." in text
        assert "Waarom u dit ontvangt: u bent eigenaar van STOP-IT-NOW." in text
        assert "U ontvangt deze e-mails als volgt: alles in een dagelijks overzicht om 07:00." in text
        assert "u kunt er niet op antwoorden" in text
        first_group = text.split("\n== ")[1].splitlines()[0]
        assert first_group.startswith("STOP-IT-NOW — ") and first_group.endswith("(uw programma) ==")
        related = text.index("Samenhangende waarschuwingen over financieringsperiode STOP-IT-NOW-2025:")
    else:
        assert re.fullmatch(rf"Daily digest {today}: {count} alerts \(\d+ critical, \d+ warnings?"
                            r"(, \d+ for information)?\)", message.subject), message.subject
        assert text.startswith("Dear Anna Jansen,\n")
        assert "€475,000.00" in text and f"planned for {planned}" in text
        assert f"Newly found on {today}." in text and "Why you receive this: you own STOP-IT-NOW." in text
        assert "You receive these e-mails as follows: everything in a daily digest at 07:00." in text
        first_group = text.split("\n== ")[1].splitlines()[0]
        assert first_group.startswith("STOP-IT-NOW — ") and first_group.endswith("(your programme) ==")
        related = text.index("Related alerts about funding period STOP-IT-NOW-2025:")
    # The late report and the tranche it blocks (critical), then the tranche now late: together, under that line.
    blocked, late = (Alert.objects.get(rule=rule, subject_label__startswith="STOP-IT-NOW-2025 ").pk
                     for rule in ("tranche-blocked", "tranche-overdue"))
    assert related < text.index(f"?alert={blocked}") < text.index(f"?alert={late}")
    # Words, not codes or ISO dates; the places to act on.
    assert not ISO_DATE.search(without_links(text)) and not ISO_DATE.search(without_links(html))
    assert not [rule for rule in RULES if f" {rule}" in text]
    assert "/desk/inbox/?mine=1" in text and "/desk/programmes/" in text and "/desk/continuity/alert/" not in text
    preferences = f"/desk/notifications/preference/{owner.notification_preference.pk}/change/"
    assert preferences in text and preferences in html
    assert message.extra_headers == {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All",
                                     "List-Unsubscribe": f"<{settings.SITE_URL}{preferences}>"}
    assert message.from_email == "Programme Tracker <programme-tracker@localhost>" and message.reply_to == []
    assert kind == "text/html" and f'<html lang="{language}">' in html
    assert "<img" not in html and "<style" not in html and "<script" not in html


def test_a_critical_alert_at_once_in_the_owners_language(owner):
    Preference.objects.create(user=owner, language="nl")  # critical at once, the rest in the digest
    Notification.objects.filter(recipient=owner).update(email_due_at=timezone.now())
    mail.outbox.clear()
    now_due = Notification.objects.filter(recipient=owner, alert__severity="critical")
    assert now_due.count() == 1
    Notification.objects.filter(recipient=owner).exclude(pk__in=now_due).update(email_state="none")
    outbox.deliver_due()
    message = mail_to(owner)
    alert = now_due.get().alert
    with translation.override("nl"):
        day = date_format(alert.key_date, "DATE_FORMAT")
    assert message.subject == f"Kritiek: Termijn geblokkeerd door een rapportage — STOP-IT-NOW-2025 {day}"
    assert "Deze waarschuwing vraagt uw aandacht." in message.body
    assert "kritieke waarschuwingen direct, de rest in een dagelijks overzicht om 07:00" in message.body
    assert f"/desk/inbox/?alert={alert.pk}" in message.body


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_escalation_says_since_when_nobody_acted(owner, language, settings):
    coordinator = get_user_model().objects.get(username="coordinator")
    coordinator.email = "coordinator@example.invalid"
    coordinator.save()
    Preference.objects.create(user=coordinator, language=language)
    Notification.objects.update(email_state="none")
    alert = Alert.objects.get(rule="tranche-blocked")
    ten_days_ago = timezone.now() - timedelta(days=10)
    Alert.objects.filter(pk=alert.pk).update(opened_at=ten_days_ago, state_changed_at=ten_days_ago)
    settings.CONTINUITY_ESCALATE_AFTER_DAYS = 7
    assert escalate() >= 1
    outbox.deliver_due()
    message = mail_to(coordinator)
    with translation.override(language):
        since, today = (date_format(timezone.localdate(moment), "DATE_FORMAT") for moment in (ten_days_ago, None))
    if language == "nl":
        assert f"Open sinds {since} (10 dagen) zonder dat iemand actie heeft ondernomen; op {today} is de " \
               "waarschuwing geëscaleerd naar de coördinatoren." in message.body
        assert "Waarom u dit ontvangt: de waarschuwing staat nog open en is geëscaleerd naar de coördinatoren." \
            in message.body
    else:
        assert f"Open since {since} (10 days) without anyone acting on it; on {today} it was escalated to the " \
               "coordinators." in message.body


def test_a_reassignment_names_who_and_questions_go_to_the_secretariat(owner, settings):
    settings.MAIL_REPLY_TO = "secretariaat@taskforce.example"
    Notification.objects.update(email_state="none")
    coordinator = get_user_model().objects.get(username="coordinator")
    alert = Alert.objects.get(rule="report-overdue")
    alert_services.reassign(alert.pk, actor=coordinator, assignee=owner)
    outbox.deliver_due()
    message = mail_to(owner)
    today = date_format(timezone.localdate(), "DATE_FORMAT")
    name = coordinator.get_full_name() or coordinator.username
    assert f"Assigned to you on {today} by {name}." in message.body
    assert "Questions to secretariaat@taskforce.example." in message.body
    assert message.reply_to == ["secretariaat@taskforce.example"]


def every_rule_open(today):
    """Beyond the demo: spending above the commitment, a critical alert undecided for weeks, no meeting for months."""
    period = FundingPeriod.objects.get(code="STOP-IT-NOW-2025")
    Expenditure.objects.create(funding_period=period, organisation=period.funder, category="activities",
                               period_start=today - timedelta(days=30), period_end=today - timedelta(days=1),
                               amount=Decimal("900000.00"))
    Alert.objects.filter(severity="critical").update(opened_at=timezone.now() - timedelta(days=60))
    Meeting.objects.filter(status=Meeting.Status.HELD).update(starts_at=timezone.now() - timedelta(days=400))
    run_scan(today)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_rules_alert_reads_in_words_in_both_languages(owner, demo, language):  # noqa: F811
    every_rule_open(demo)
    assert {alert.rule for alert in Alert.objects.all()} == set(RULES)
    coordinator = get_user_model().objects.get(username="coordinator")
    for alert in Alert.objects.select_related("programme", "funding_period"):
        notification = Notification(recipient=coordinator, alert=alert, event=alert.events.first(),
                                    reason_key="coordinator")
        # One alert at once: its title is the subject.
        email = compose([notification], Preference(user=coordinator, language=language, delivery=Delivery.ALL_AT_ONCE))
        with translation.override(language):
            title = str(RULES[alert.rule].title)
        assert title in email.subject and title in email.text and alert.rule not in email.text, alert.rule
        assert not ISO_DATE.search(without_links(email.text)), (alert.rule, email.text)
        assert not re.search(r"\d EUR|EUR \d", email.text), (alert.rule, email.text)
        assert "%(" not in email.text and "%(" not in email.subject
