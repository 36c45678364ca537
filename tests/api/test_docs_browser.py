"""The API's documentation pages in a real browser: Swagger UI and Redoc render the schema with the site's Content
Security Policy in force, and nothing is fetched from another site."""

import pytest

from programme_tracker.accounts import roles
from tests.desk.conftest import browser, log_in, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("address", "rendered"), [("/api/docs/", ".opblock"), ("/api/redoc/", "[data-section-id]")])
def test_the_documentation_renders_from_the_site_alone(page, live_server, accounts, address, rendered):  # noqa: F811
    elsewhere, refused = [], []
    # What came back from elsewhere (a request the policy blocks gets no response).
    page.on("response", lambda response: None if response.url.startswith((live_server.url, "data:", "blob:"))
            else elsewhere.append(response.url))
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    log_in(page, live_server, accounts[roles.MONITOR])
    page.goto(live_server.url + address)
    page.wait_for_selector(rendered, timeout=20000)
    assert page.locator(rendered).count() > 5  # the operations are listed
    assert elsewhere == []
    # Redoc's bundle names a logo on its CDN; the policy refuses it, so it is never fetched (checked above).
    assert [text for text in refused if "cdn.redoc.ly" not in text] == []
