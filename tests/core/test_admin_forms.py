"""Every admin add and change form, and every inline row, takes every value of every choice field (and values that
are no key in every related field) without a server error: a model error always lands on a field the form shows
or on the form (or row) itself."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.urls import reverse

from programme_tracker.api.models import Webhook, WebhookDelivery
from programme_tracker.continuity.models import AlertEvent
from programme_tracker.continuity.scan import run_scan
from programme_tracker.core.forms import ModelForm
from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche
from programme_tracker.notifications.models import EmailState, Notification, Preference, Subscription
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Programme, Recommendation
from programme_tracker.taskforce.models import ActionItem, Decision, Meeting, Member
from tests.builders import browser_form_data, form_errors, programme_form_for

# Every admin with a table behind it (django-rq's queue pages are an unmanaged placeholder without forms).
ADMINS = sorted(((model, model_admin) for model, model_admin in admin.site._registry.items() if model._meta.managed),
                key=lambda item: item[0]._meta.label)


@pytest.fixture
def world(accounts, client):
    """Minimal records of every kind, their alerts, and a superuser's own rows (preference, subscription,
    notification)."""
    records = minimal_records()
    run_scan()
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-test-password-1")
    Preference.objects.get_or_create(user=superuser)
    Subscription.objects.create(user=superuser, area="prevention")
    event = AlertEvent.objects.order_by("pk").first()
    Notification.objects.create(recipient=superuser, event=event, alert=event.alert, reason="test")
    Notification.objects.create(recipient=superuser, event=AlertEvent.objects.order_by("pk")[1],
                                alert=AlertEvent.objects.order_by("pk")[1].alert, reason="test",
                                email_state=EmailState.FAILED, last_error="550 no such mailbox")
    client.force_login(superuser)
    return {"superuser": superuser, **records}


def minimal_records() -> dict:
    """A programme and a funding period with only what they require, and one minimal row of every inline, by
    model: the records the walk changes (optional fields empty, renewal pending, nothing decided)."""
    ministry = Organisation.objects.get(short_name="JenV")
    programme = Programme.objects.create(code="MINIMAL", name="Minimal", area="prevention", status="planned")
    period = FundingPeriod.objects.create(programme=programme, funder=ministry, instrument="subsidy",
                                          amount=Decimal("1000.00"), start=date(2026, 1, 1), end=date(2026, 12, 31))
    programme.recommendation_links.create(recommendation=Recommendation.objects.order_by("pk").first())
    programme.organisation_links.create(organisation=ministry)
    report = ReportDue.objects.create(funding_period=period, kind="progress", title="Report", due_on=date(2026, 6, 1))
    tranche = Tranche.objects.create(funding_period=period, planned_on=date(2026, 7, 1), amount=Decimal("500.00"))
    meeting = Meeting.objects.create(starts_at=datetime(2026, 3, 1, 10, tzinfo=UTC))
    meeting.agenda_items.create(title="Funding of the helpline")
    decision = Decision.objects.create(year=2026, sequence=1, decided_on=date(2026, 3, 1), kind="other", text="Go on.")
    owner = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    return {
        Member: Member.objects.create(person=owner, organisation=ministry, since=date(2026, 1, 1)),
        Meeting: meeting, Decision: decision,
        ActionItem: ActionItem.objects.create(what="Ask", owner=owner, due_on=date(2026, 4, 1), decision=decision),
        Programme: programme, FundingPeriod: period, ReportDue: report, Tranche: tranche,
        BudgetLine: BudgetLine.objects.create(programme=programme, fiscal_year=2026, amount=Decimal("1000.00")),
        Commitment: Commitment.objects.create(funding_period=period, reference="C-1", decided_on=date(2026, 1, 1),
                                              amount=Decimal("1000.00")),
        Payment: Payment.objects.create(funding_period=period, paid_on=date(2026, 7, 1), amount=Decimal("500.00"),
                                        reference="P-1"),
        Expenditure: Expenditure.objects.create(funding_period=period, organisation=ministry, category="other",
                                                period_start=date(2026, 1, 1), period_end=date(2026, 3, 31),
                                                amount=Decimal("100.00")),
        Webhook: (webhook := Webhook.objects.create(url="https://receiver.example.invalid/hook",
                                                   events=["alert.opened"])),
        WebhookDelivery: WebhookDelivery.objects.create(webhook=webhook, delivery_id=uuid.uuid4(),
                                                        event="alert.opened", body="{}", state="failed"),
    }


def page_forms(response) -> list[forms.BaseForm]:
    """The page's form and the form of each inline row."""
    found = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets") or ():
        found += list(inline.formset.forms)
    return found


def choice_fields(response) -> list[tuple[str, list[str]]]:
    """(posted name, values) of every fixed choice field on the page's form and on each inline row."""
    found = []
    for form in page_forms(response):
        for name, field in form.fields.items():
            if not isinstance(field, forms.ChoiceField) or isinstance(field, forms.ModelChoiceField):
                continue
            if isinstance(field.widget, forms.HiddenInput):
                continue
            values = [str(value) for value, label in _flat(field.choices)]
            found.append((form.add_prefix(name), values))
    return found


# What a tampered request may put in a related field: no key at all, a digit Python reads but no database does,
# a number no integer column holds.
NOT_KEYS = ["abc", "²", "9" * 30]


def related_fields(response) -> list[tuple[str, list[str]]]:
    """(posted name, values that are no key) of every related field on the page's form and inline rows."""
    return [(form.add_prefix(name), NOT_KEYS) for form in page_forms(response)
            for name, field in form.fields.items()
            if isinstance(field, forms.ModelChoiceField) and not isinstance(field.widget, forms.HiddenInput)]


def minimal(data: dict, response) -> dict:
    """The posted data with every optional field left empty: the least a person may fill in."""
    data = dict(data)
    for form in page_forms(response):
        for name, field in form.fields.items():
            if field.required or isinstance(field.widget, forms.HiddenInput | forms.CheckboxInput):
                continue
            posted = form.add_prefix(name)
            for key in (posted, f"{posted}_0", f"{posted}_1"):
                if key in data:
                    data[key] = [""]
    return data


def _flat(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat(label)
        else:
            yield value, label


def post_each_choice(client, url, data, fields) -> None:
    """Post the form as it is, then once per value of each choice field, each in a rolled-back transaction."""
    variants = [(None, None)] + [(name, value) for name, values in fields for value in values]
    for name, value in variants:
        with transaction.atomic():
            response = client.post(url, {**data, name: [value]} if name else data)
            transaction.set_rollback(True)
        assert response.status_code in (200, 302), f"{url} {name}={value!r}: {response.status_code}"


def as_new(data: dict, model) -> dict:
    """The change form's data for a new record: unique texts made unique again, no inline rows."""
    unique = {field.name for field in model._meta.fields if field.unique and isinstance(field, models.CharField)}
    new = {}
    for name, values in data.items():
        if name in unique:
            values = [f"{value}-NEW" if value else value for value in values]
        elif name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            values = ["0"]
        new[name] = values
    return new


@pytest.mark.sweep
@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _a in ADMINS])
def test_every_choice_of_every_form_is_answered_without_a_server_error(world, client, rf, model, model_admin):
    request = rf.get("/")
    request.user = world["superuser"]
    name = f"{model._meta.app_label}_{model._meta.model_name}"
    record = world.get(model) or model_admin.get_queryset(request).order_by("pk").first()
    change_data = {}
    if model_admin.has_change_permission(request, record):
        assert record is not None, f"the test world has no {model._meta.verbose_name} to change"
        url = reverse(f"admin:{name}_change", args=[record.pk])
        response = client.get(url)
        assert response.status_code == 200
        form_id = f"{model._meta.model_name}_form"
        change_data = browser_form_data(response.content.decode(), form_id)
        post_each_choice(client, url, change_data, choice_fields(response) + related_fields(response))
        post_each_choice(client, url, minimal(change_data, response), choice_fields(response))
    if model_admin.has_add_permission(request):
        url = reverse(f"admin:{name}_add")
        response = client.get(url)
        assert response.status_code == 200
        add_data = browser_form_data(response.content.decode(), f"{model._meta.model_name}_form")
        # A minimal valid record: the existing record's values where the add form has the same fields.
        add_data.update({name: values for name, values in as_new(change_data, model).items() if name in add_data})
        post_each_choice(client, url, minimal(add_data, response), choice_fields(response) + related_fields(response))


def test_a_decided_renewal_on_the_programme_page_asks_for_its_date_on_the_row(world, client):
    url = reverse("admin:portfolio_programme_change", args=[world[Programme].pk])
    data = browser_form_data(client.get(url).content.decode(), "programme_form")
    row = next(name for name, values in data.items() if name.startswith("funding_periods-")
               and name.endswith("-renewal_decision") and values == ["pending"])
    assert data[row.replace("-renewal_decision", "-renewal_decision_date")] == [""]
    data[row] = ["renewed"]

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Give the date of the renewal decision." in form_errors(response)
    period = FundingPeriod.objects.get(pk=data[row.replace("-renewal_decision", "-id")][0])
    assert period.renewal_decision == "pending"

    data[row.replace("-renewal_decision", "-renewal_decision_date")] = ["2026-11-01"]
    assert client.post(url, data).status_code == 302
    period.refresh_from_db()
    assert (period.renewal_decision, str(period.renewal_decision_date)) == ("renewed", "2026-11-01")


def test_a_model_error_about_a_field_the_form_does_not_show_is_an_error_of_the_form(programme):
    class MainFactsOnly(ModelForm):
        class Meta:
            model = FundingPeriod
            fields = ["code", "programme", "funder", "instrument", "amount", "currency", "status", "start", "end",
                      "renewal_decision"]

    period = programme.funding_periods.get()
    data = {name: getattr(period, name) for name in MainFactsOnly._meta.fields}
    data.update(programme=period.programme_id, funder=period.funder_id, renewal_decision="not_renewed")

    form = MainFactsOnly(data, instance=period)

    assert not form.is_valid()
    assert form.non_field_errors() == ["renewal decision date: Give the date of the renewal decision."]


def test_the_programme_page_posted_as_before_still_saves(world, client):
    programme = world[Programme]
    url = reverse("admin:portfolio_programme_change", args=[programme.pk])
    assert client.post(url, programme_form_for(programme, name="Minimal, renamed")).status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Minimal, renamed"
