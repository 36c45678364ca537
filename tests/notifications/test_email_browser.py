"""The HTML digest as a mail program shows it: read in a real browser at a desk's width and a phone's, where it
must fit without scrolling sideways; its screenshot is the one in the docs."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from programme_tracker.notifications import outbox
from programme_tracker.notifications.models import Delivery, Notification, Preference
from tests.desk.conftest import browser, demo, save_screenshot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "language"), [(1440, "nl"), (390, "nl"), (1440, "en")])
def test_the_html_digest_reads_at_a_desks_width_and_a_phones(browser, demo, width, language):  # noqa: F811
    owner = get_user_model().objects.get(username="a.jansen")
    Preference.objects.create(user=owner, delivery=Delivery.DIGEST_ONLY, language=language)
    Notification.objects.filter(recipient=owner).update(email_due_at=timezone.now())
    outbox.deliver_due(timezone.now() + timezone.timedelta(days=2))
    html = next(m for m in mail.outbox if m.to == [owner.email]).alternatives[0][0]
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.abort())  # a mail program loads nothing: no images, no fonts
        page.set_content(html)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off the side
        heading = page.locator("h2").first
        assert heading.inner_text().startswith("STOP-IT-NOW — ")
        assert page.locator("a[href*='/desk/inbox/?alert=']").count() == Notification.objects.filter(
            recipient=owner).count()
        if width == 1440 and language == "nl":
            save_screenshot(page, "email-digest-nl")
    finally:
        context.close()
