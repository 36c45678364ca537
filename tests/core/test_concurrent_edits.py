"""Concurrent edits: the second save of a record opened before the first save is refused, nothing overwritten."""

import re

import pytest
from django.test import Client

from programme_tracker.accounts import roles
from programme_tracker.core.models import ConcurrentEditError
from programme_tracker.portfolio.models import FundingPeriod, Programme
from tests.builders import form_errors, funding_form, programme_form_for

pytestmark = pytest.mark.django_db


def opened_version(client, url):
    """The version the editor's form carries, read from the page as the browser would post it."""
    page = client.get(url).content.decode()
    return int(re.search(r'name="version" value="(\d+)"', page).group(1))


def test_stale_model_save_is_refused(programme):
    first, second = Programme.objects.get(pk=programme.pk), Programme.objects.get(pk=programme.pk)
    first.name = "First"
    first.save()
    second.name = "Second"
    with pytest.raises(ConcurrentEditError):
        second.save()
    programme.refresh_from_db()
    assert programme.name == "First"


def test_second_desk_save_of_a_programme_is_refused(accounts, programme):
    url = f"/desk/portfolio/programme/{programme.pk}/change/"
    alice, bob = Client(), Client()
    alice.force_login(accounts[roles.COORDINATOR])
    bob.force_login(accounts[roles.ADMINISTRATOR])
    alice_version, bob_version = opened_version(alice, url), opened_version(bob, url)

    saved = alice.post(url, programme_form_for(programme, name="Alice's name", version=alice_version))
    assert saved.status_code == 302, form_errors(saved)

    refused = bob.post(url, programme_form_for(programme, name="Bob's name", version=bob_version))
    assert refused.status_code == 200
    assert "was changed by task-force-coordinator" in form_errors(refused)
    assert "since you opened it" in form_errors(refused)
    programme.refresh_from_db()
    assert programme.name == "Alice's name"

    # Reloading gives the current version, and then Bob's change goes through.
    again = bob.post(url, programme_form_for(programme, name="Bob's name", version=opened_version(bob, url)))
    assert again.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Bob's name"


def test_second_desk_save_of_a_funding_period_is_refused(accounts, programme):
    period = programme.funding_periods.get()
    url = f"/desk/portfolio/fundingperiod/{period.pk}/change/"
    first, second = Client(), Client()
    first.force_login(accounts[roles.FINANCE_OFFICER])
    second.force_login(accounts[roles.ADMINISTRATOR])
    first_version, second_version = opened_version(first, url), opened_version(second, url)

    assert first.post(url, funding_form(period, amount="111.00", version=first_version)).status_code == 302
    refused = second.post(url, funding_form(period, amount="222.00", version=second_version))
    assert refused.status_code == 200
    assert "was changed by finance-officer" in form_errors(refused)
    assert str(FundingPeriod.objects.get(pk=period.pk).amount) == "111.00"


def test_unchanged_inline_row_does_not_block_the_programme(accounts, programme):
    """Someone edited a funding period; saving the programme without touching that row still works."""
    url = f"/desk/portfolio/programme/{programme.pk}/change/"
    editor = Client()
    editor.force_login(accounts[roles.ADMINISTRATOR])
    data = programme_form_for(programme, name="Renamed")
    period = FundingPeriod.objects.get(programme=programme)
    period.note = "changed elsewhere"
    period.save()
    assert editor.post(url, data).status_code == 302


def test_changed_inline_row_edited_elsewhere_is_refused(accounts, programme):
    url = f"/desk/portfolio/programme/{programme.pk}/change/"
    editor = Client()
    editor.force_login(accounts[roles.ADMINISTRATOR])
    data = programme_form_for(programme, **{"funding_periods-0-amount": "999.00"})
    period = FundingPeriod.objects.get(programme=programme)
    period.amount = "555.00"
    period.save()
    response = editor.post(url, data)
    assert response.status_code == 200
    assert "since you opened it" in form_errors(response)
    period.refresh_from_db()
    assert str(period.amount) == "555.00"
