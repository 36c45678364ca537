"""Alert messages are kept as source text and arguments: stored in the site's language, shown in the reader's."""

from datetime import date
from decimal import Decimal

from django.utils import translation

from programme_tracker.continuity.messages import counted, money, render, say
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from tests.builders import T, day, fund, make_programme

GAP = counted("No secured funding from %(first)s up to and including %(last)s (%(days)s day) between two funding "
              "periods. Secure funding for the gap or move the next period's start.",
              "No secured funding from %(first)s up to and including %(last)s (%(days)s days) between two funding "
              "periods. Secure funding for the gap or move the next period's start.")


def test_a_message_renders_with_iso_dates_for_storage_and_localized_for_readers():
    parts = [say(GAP, count="days", first=date(2027, 1, 29), last=date(2027, 3, 28), days=59)]
    assert render(parts).startswith("No secured funding from 2027-01-29 up to and including 2027-03-28 (59 days)")
    with translation.override("nl"):
        assert render(parts, localize=True).startswith(
            "Geen zekergestelde financiering van 29 januari 2027 tot en met 28 maart 2027 (59 dagen)")
    one_day = [say(GAP, count="days", first=date(2027, 1, 29), last=date(2027, 1, 29), days=1)]
    assert "(1 day)" in render(one_day)
    with translation.override("nl"):
        assert "(1 dag)" in render(one_day, localize=True)


def test_amounts_and_translated_words_inside_a_message():
    parts = [say("The tranche planned for %(day)s waits for the approval of %(report)s (%(state)s). Get the report "
                 "in and approved, or agree on another condition.", day=date(2026, 11, 9), report="Voortgang H1",
                 state=say("not received"))]
    with translation.override("nl"):
        text = render(parts, localize=True)
    assert "9 november 2026" in text and "(niet ontvangen)" in text and "Voortgang H1" in text
    amount = [say("%(spent)s spent of the %(committed)s committed on %(code)s: more than the commitment. Stop "
                  "further spending or agree on extra funding.", spent=money(Decimal("1234567.5"), "EUR"),
                  committed=money(Decimal("1000000.00"), "EUR"), code="X-2026")]
    assert render(amount).startswith("1234567.50 EUR spent of the 1000000.00 EUR committed")  # two decimals, always
    with translation.override("en"):
        assert render(amount, localize=True).startswith("€1,234,567.50 spent of the €1,000,000.00 committed")
    with translation.override("nl"):
        assert render(amount, localize=True).startswith(
            "€ 1.234.567,50 besteed van de € 1.000.000,00 die voor X-2026 juridisch verplicht is")


def test_the_scan_stores_the_sites_language_whatever_language_is_active_and_readers_see_their_own(accounts, base):
    owner = accounts["Task Force Coordinator"]
    programme = make_programme(owner)
    fund(programme, day(-100), day(10))
    fund(programme, day(40), day(400))
    with translation.override("nl"):  # e.g. a re-evaluation after a Dutch user's save
        run_scan(T)
    alert = Alert.objects.get(rule="funding-gap", programme=programme)
    assert alert.message.startswith(f"No secured funding from {day(11).isoformat()}")
    assert alert.message_data[0]["a"]["days"] == 29
    with translation.override("nl"):
        assert alert.localized_message.startswith("Geen zekergestelde financiering van ")
    with translation.override("en"):
        assert alert.localized_message.startswith("No secured funding from ")
    # Found again unchanged: nothing to refresh.
    assert run_scan(T).counts.get("refreshed", 0) == 0
