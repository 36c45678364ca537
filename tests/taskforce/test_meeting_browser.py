"""A meeting run in Chromium as the secretary runs it on the demo: the agenda proposed from the meeting list, an
alert decided in meeting mode (accept the risk) and an action agreed, both without the page reloading, and the
minutes downloaded in Dutch and read back. Screenshots of meeting mode and the minutes, for the guide."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from programme_tracker.accounts import roles
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.setup.demo import load_demo
from programme_tracker.taskforce.models import ActionItem, AgendaItem, Decision, Meeting
from tests.desk.conftest import ROOT, SCREENSHOTS, log_in
from tests.documents import text_of


def screenshot_of_pdf(content: bytes, name: str) -> None:
    """The PDF's first page as a picture beside the desk's screenshots (only when they are taken)."""
    if not SCREENSHOTS:
        return
    import pypdfium2

    page = pypdfium2.PdfDocument(content)[0]
    page.render(scale=1.5).to_pil().save(ROOT / SCREENSHOTS / f"{name}.png")


@pytest.mark.django_db(transaction=True)
def test_the_secretary_runs_the_meeting_and_downloads_the_minutes(live_server, page, accounts):
    today = timezone.localdate()
    load_demo(today)
    run_scan()
    meeting = Meeting.objects.get(status="planned")
    log_in(page, live_server, accounts[roles.COORDINATOR])

    # The agenda proposes itself: from the meeting list, as the task-force page says.
    page.goto(f"{live_server.url}/desk/taskforce/meeting/")
    page.check(f"input.action-select[value='{meeting.pk}']")
    page.select_option("select[name=action]", "propose_agenda")
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    assert AgendaItem.objects.filter(meeting=meeting, origin="proposed").count() > 2

    page.goto(f"{live_server.url}/desk/task-force/")
    page.click("#meeting-mode")
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Agenda").is_visible()
    page.evaluate("window.stillHere = true")  # gone if the page reloads

    item = AgendaItem.objects.filter(meeting=meeting, alert__severity="critical",
                                     alert__funding_period__isnull=False).order_by("position").first()
    card = page.locator(f"#item-{item.pk}")
    card.get_by_text("Record a decision").click()
    card.get_by_label("Kind").select_option("accept_risk")
    card.get_by_label("Decision", exact=True).fill("Accept the gap: the bridging grant is on its way.")
    card.get_by_label("Risk accepted until").fill((today + timedelta(days=60)).isoformat())
    card.get_by_text("Record an action item").click()
    card.get_by_label("What").fill("Send the bridging grant letter")
    card.get_by_label("Owner", exact=True).select_option(str(accounts[roles.TASK_FORCE_MEMBER].pk))
    card.get_by_label("Due on").fill((today + timedelta(days=10)).isoformat())
    card.get_by_role("button", name="Record the outcome").click()
    page.locator(f"#item-{item.pk} .desk-saved").wait_for()

    assert page.evaluate("window.stillHere") is True
    decision = Decision.objects.get(agenda_item=item)
    card = page.locator(f"#item-{item.pk}")
    assert decision.number in card.inner_text() and "Send the bridging grant letter" in card.inner_text()
    assert Alert.objects.get(pk=item.alert_id).state == "dismissed"
    assert ActionItem.objects.get(agenda_item=item).decision == decision

    # A refused outcome stays on the page with its error beside the field.
    other = AgendaItem.objects.filter(meeting=meeting, origin="proposed").exclude(pk=item.pk).order_by(
        "position").first()
    other_card = page.locator(f"#item-{other.pk}")
    other_card.get_by_label("Outcome").select_option("actions")
    other_card.get_by_role("button", name="Record the outcome").click()
    page.locator(f"#item-{other.pk} .desk-error").first.wait_for()
    assert "Record the action agreed on this item." in page.locator(f"#item-{other.pk}").inner_text()
    assert page.evaluate("window.stillHere") is True
    if SCREENSHOTS:  # the decided item and its neighbours, as the secretary sees them: not the whole agenda
        card.evaluate("element => element.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(ROOT / SCREENSHOTS / "meeting-mode.png"))

    # The minutes, in Dutch.
    with page.expect_download() as caught:
        page.click("#minutes-docx-nl")
    download = caught.value
    assert download.suggested_filename == f"verslag-taskforce-{today.isoformat()}.docx"
    text = text_of(Path(download.path()).read_bytes(), "docx")
    assert decision.number in text and "Send the bridging grant letter" in text and "Besluiten" in text
    with page.expect_download() as caught:
        page.click("#minutes-pdf-nl")
    pdf = Path(caught.value.path()).read_bytes()
    assert decision.number in text_of(pdf, "pdf")
    screenshot_of_pdf(pdf, "minutes")
