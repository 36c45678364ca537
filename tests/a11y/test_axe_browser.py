"""WCAG 2.1 AA on every page people use (issue 18): axe-core finds no violation on the desk's pages, the admin
lists and change forms of the models users edit, the login page, the import page and the public view; in English
and Dutch, light and dark, at a desk's width (1440 px) and a phone's (390 px)."""

import pytest
from django.core.cache import cache

from programme_tracker.accounts import roles
from programme_tracker.portfolio.models import FundingPeriod, Programme, Recommendation
from programme_tracker.taskforce.models import ActionItem, Decision, Meeting
from tests.a11y.conftest import axe_violations, described
from tests.desk.conftest import log_in

pytestmark = pytest.mark.browser

DESK = ["/desk/dashboard/", "/desk/timeline/", "/desk/funding-ending/", "/desk/coverage/", "/desk/inbox/",
        "/desk/programmes/{programme}/", "/desk/report/", "/desk/find/?q=stop", "/desk/saved-views/",
        "/desk/api-tokens/", "/desk/task-force/", "/desk/task-force/progress/", "/desk/task-force/meetings/{meeting}/",
        "/desk/accessibility/"]
ADMIN = ["/desk/portfolio/programme/", "/desk/portfolio/programme/{programme}/change/",
         "/desk/portfolio/programme/add/",
         "/desk/portfolio/fundingperiod/", "/desk/portfolio/fundingperiod/{period}/change/",
         "/desk/portfolio/recommendation/", "/desk/portfolio/recommendation/{recommendation}/change/",
         "/desk/portfolio/organisation/", "/desk/continuity/alert/", "/desk/taskforce/meeting/",
         "/desk/taskforce/meeting/{meeting}/change/", "/desk/taskforce/decision/",
         "/desk/taskforce/decision/{decision}/change/", "/desk/taskforce/actionitem/",
         "/desk/taskforce/actionitem/{action}/change/", "/desk/finance/budgetline/", "/desk/finance/budgetline/add/",
         "/desk/finance/tranche/", "/desk/finance/payment/", "/desk/finance/expenditure/", "/desk/finance/import/",
         "/desk/notifications/notification/", "/desk/notifications/preference/add/",
         "/desk/notifications/subscription/add/"]
# The public implementation view (issue 16), for anyone: a government page like any other.
PUBLIC = ["/public/", "/public/PREV-3/"]
VARIANTS = [(language, scheme, width) for language in ("en", "nl") for scheme in ("light", "dark")
            for width in (1440, 390)]


def addresses(paths):
    """The paths with the demo's records filled in."""
    ids = {"programme": Programme.objects.get(code="STOP-IT-NOW").pk,
           "period": FundingPeriod.objects.get(code="STOP-IT-NOW-2025").pk,
           "recommendation": Recommendation.objects.get(code="PREV-3").pk,
           "meeting": Meeting.objects.order_by("pk").first().pk, "decision": Decision.objects.order_by("pk").first().pk,
           "action": ActionItem.objects.order_by("pk").first().pk}
    return [path.format(**ids) for path in paths]


def check(browser, live_server, user, paths, language, scheme, width):
    """Every page's violations, by path."""
    # bypass_csp: the injected checker is an inline script, which the site's own policy rightly refuses.
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    found = {}
    try:
        page = context.new_page()
        if user is not None:
            log_in(page, live_server, user)
        for path in addresses(paths):
            response = page.goto(f"{live_server.url}{path}")
            if response.status == 403:  # not this role's page
                continue
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            violations = axe_violations(page)
            # Reflow (WCAG 1.4.10): the page itself never scrolls sideways; a wide table scrolls in its own box.
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            if wide > width + 1:
                violations.append({"rule": "reflow", "impact": "serious", "nodes": [f"page {wide} px wide"],
                                   "help": "The page scrolls sideways at this width"})
            if violations:
                found[path] = violations
    finally:
        context.close()
    return found


@pytest.mark.parametrize(("language", "scheme", "width"), VARIANTS)
def test_no_wcag_violation_on_the_desk_and_admin_pages(browser, live_server, accounts, demo, language, scheme, width):
    found = check(browser, live_server, accounts[roles.ADMINISTRATOR], DESK + ADMIN, language, scheme, width)
    assert not found, "\n\n".join(f"{path}\n{described(v)}" for path, v in found.items())


@pytest.mark.parametrize(("language", "scheme", "width"), [("en", "light", 1440), ("nl", "dark", 390)])
@pytest.mark.parametrize("role", [roles.COORDINATOR, roles.FINANCE_OFFICER, roles.MONITOR, roles.TASK_FORCE_MEMBER])
def test_no_wcag_violation_on_the_pages_as_each_role(browser, live_server, accounts, demo, role, language, scheme,
                                                     width):
    # Each role sees other parts of the same pages: a monitor's forms are read-only, a member's lists hold no money.
    found = check(browser, live_server, accounts[role], DESK + ADMIN, language, scheme, width)
    assert not found, "\n\n".join(f"{path}\n{described(v)}" for path, v in found.items())


@pytest.mark.parametrize(("language", "scheme", "width"), VARIANTS)
def test_no_wcag_violation_on_the_log_in_page(browser, live_server, demo, language, scheme, width):
    found = check(browser, live_server, None, ["/desk/login/"], language, scheme, width)
    assert not found, "\n\n".join(f"{path}\n{described(v)}" for path, v in found.items())


@pytest.mark.parametrize(("language", "scheme", "width"), VARIANTS)
def test_no_wcag_violation_on_the_public_view(browser, live_server, demo, settings, language, scheme, width):
    settings.PUBLIC_VIEW = True  # the demo marks two programmes for it
    cache.clear()
    found = check(browser, live_server, None, PUBLIC, language, scheme, width)
    assert not found, "\n\n".join(f"{path}\n{described(v)}" for path, v in found.items())
