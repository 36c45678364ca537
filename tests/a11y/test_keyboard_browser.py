"""The desk by keyboard alone (WCAG 2.1.1, 2.4.1, 2.4.7; issue 18): from the top of a page, Tab reaches the skip
link first and then every control a mouse can click, each stop shows where the keyboard is; log-out, the language
switch and a list's filters work without a mouse."""

import pytest

from programme_tracker.accounts import roles
from programme_tracker.portfolio.models import FundingPeriod, Programme
from programme_tracker.taskforce.models import Decision, Meeting
from tests.desk.conftest import log_in

pytestmark = pytest.mark.browser

# At a phone's width, one page of each kind; at a desk's, every desk page and the forms people fill in most.
PHONE = ["/desk/dashboard/", "/desk/inbox/", "/desk/coverage/", "/desk/programmes/{programme}/",
         "/desk/portfolio/programme/", "/desk/portfolio/programme/{programme}/change/", "/desk/accessibility/"]
DESK = [*PHONE, "/desk/timeline/", "/desk/funding-ending/", "/desk/report/", "/desk/find/?q=stop",
        "/desk/saved-views/", "/desk/api-tokens/", "/desk/task-force/", "/desk/task-force/progress/",
        "/desk/task-force/meetings/{meeting}/", "/desk/portfolio/fundingperiod/{period}/change/",
        "/desk/taskforce/decision/{decision}/change/", "/desk/finance/import/", "/desk/finance/budgetline/"]

# Every visible control a mouse can use, numbered: links and buttons, fields, summaries, what has a tab stop, and
# what the theme's scripts (Alpine) make clickable.
MARK_CLICKABLE = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]),'
    + ' textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"]), [x-on\\\\:click], [onclick]';
  const shown = el => el.checkVisibility({visibilityProperty: true}) && !el.closest('[inert], [aria-hidden=true]');
  const all = [...document.querySelectorAll(selector)].filter(el => shown(el) && el.tabIndex !== -1
    || (el.matches('[x-on\\\\:click], [onclick]') && shown(el)));
  // A label a mouse clicks (one the eye sees) to work a field the keyboard cannot reach (hidden from everyone, or
  // out of the tab order) is a control of its own: it is missed unless Tab reaches it. (An autocomplete's hidden
  // choice is worked through its box, which is counted itself.)
  const unreachable = [...document.querySelectorAll('label')].filter(label => shown(label)
    && label.getBoundingClientRect().width > 1 && label.control && !all.includes(label.control)
    && !label.control.matches('.select2-hidden-accessible, [type=hidden]'));
  all.push(...unreachable);
  // A group of radio buttons is one stop (the arrow keys choose within it): one number for the whole group.
  const groups = {};
  all.forEach((el, i) => {
    const group = el.type === 'radio' ? (el.form ? el.form.id || 'form' : '') + ':' + el.name : null;
    const number = group && group in groups ? groups[group] : String(i);
    if (group) groups[group] = number;
    el.setAttribute('data-kb', number);
  });
  return all.map(el => [el.getAttribute('data-kb'), el.outerHTML.slice(0, 160)]);
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const marked = el.closest('[data-kb]');
  // A field hidden from the eye only (a table row's "remove" checkbox) shows its focus on its label.
  const box = el.getBoundingClientRect();
  const shownOn = box.width <= 1 && box.height <= 1 && el.labels && el.labels.length ? el.labels[0] : el;
  const style = getComputedStyle(shownOn);
  // A date field's last stop is the browser's own calendar button inside it, with the browser's own ring: the
  // field then reports no focus of its own.
  const picker = el.matches('input[type=date], input[type=time], input[type=datetime-local]') && !el.matches(':focus');
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = picker || outline;
  return {kb: marked ? marked.getAttribute('data-kb') : null, ring: ring, html: el.outerHTML.slice(0, 160)};
}"""


def addresses(paths):
    ids = {"programme": Programme.objects.get(code="STOP-IT-NOW").pk,
           "period": FundingPeriod.objects.get(code="STOP-IT-NOW-2025").pk,
           "meeting": Meeting.objects.order_by("pk").first().pk, "decision": Decision.objects.order_by("pk").first().pk}
    return [path.format(**ids) for path in paths]


def walk(page, limit=600):
    """Tab from the top of the page until focus comes round again; the stops, in order."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        key = focused["kb"] or focused["html"]
        if key in seen and key == (stops[0]["kb"] or stops[0]["html"]):
            break
        seen.add(key)
        stops.append(focused)
    return stops


@pytest.mark.parametrize(("width", "paths", "role"), [
    (1440, DESK, roles.ADMINISTRATOR), (1440, DESK, roles.FINANCE_OFFICER), (1440, DESK, roles.MONITOR),
    (390, PHONE, roles.COORDINATOR), (390, PHONE, roles.TASK_FORCE_MEMBER),
], ids=["1440-administrator", "1440-finance", "1440-monitor", "390-coordinator", "390-member"])
def test_tab_reaches_the_skip_link_first_then_every_control_with_its_focus_shown(
        browser, live_server, accounts, demo, width, paths, role):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        log_in(page, live_server, accounts[role])
        problems = []
        for path in addresses(paths):
            if page.goto(f"{live_server.url}{path}").status == 403:  # not this role's page
                continue
            page.wait_for_load_state("networkidle")
            controls = page.evaluate(MARK_CLICKABLE)
            stops = walk(page)
            assert stops and 'id="skip-link"' in stops[0]["html"], (path, stops[:1])
            reached = {stop["kb"] for stop in stops if stop["kb"] is not None}
            missed = [html for number, html in controls if number not in reached]
            unringed = [stop["html"] for stop in stops if not stop["ring"]]
            if missed:
                problems.append(f"{path}: not reached by Tab: {missed[:5]} ({len(missed)} in all)")
            if unringed:
                problems.append(f"{path}: focus not shown on: {unringed[:5]} ({len(unringed)} in all)")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def open_user_menu(page):
    """Tab to the user menu's button and open it with Enter."""
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "user-menu-button":
            page.keyboard.press("Enter")
            page.wait_for_selector("#user-menu", state="visible")
            return
    pytest.fail("Tab never reached the user menu")


def open_menu_on_a_phone(page, width):
    """At a phone's width the menu is closed: its button opens it, by keyboard."""
    if width < 1280 and page.get_attribute("#menu-button", "aria-expanded") != "true":
        page.focus("#menu-button")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.getElementById('menu-button').getAttribute('aria-expanded') == 'true'")


def tab_to(page, text):
    """Tab until the focused control says `text`."""
    for _ in range(60):
        if text in page.evaluate("() => document.activeElement.innerText || ''"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {text!r}")


@pytest.mark.parametrize("width", [1440, 390])
def test_log_out_language_and_filters_by_keyboard(browser, live_server, accounts, demo, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        log_in(page, live_server, accounts[roles.COORDINATOR])
        page.goto(f"{live_server.url}/desk/portfolio/programme/")
        page.wait_for_load_state("networkidle")
        # A list's filters: the button opens the panel, Escape closes it.
        page.focus("#skip-link")
        tab_to(page, "Filters")
        page.keyboard.press("Enter")
        page.wait_for_selector("#changelist-filter", state="visible")
        page.keyboard.press("Escape")
        page.wait_for_selector("#changelist-filter", state="hidden")
        # The language: Dutch from the user menu (on a phone, in the menu its button opens).
        open_menu_on_a_phone(page, width)
        page.focus("#skip-link")
        open_user_menu(page)
        tab_to(page, "Nederlands")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("() => document.documentElement.lang") == "nl"
        page.wait_for_load_state("load")  # the theme's scroll areas are named in Dutch too
        assert page.get_attribute(".simplebar-content-wrapper", "aria-label") == "Scrollbaar gebied"
        # Log out.
        open_menu_on_a_phone(page, width)
        page.focus("#skip-link")
        open_user_menu(page)
        tab_to(page, "Uitloggen")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.goto(f"{live_server.url}/desk/dashboard/")
        assert "/desk/login/" in page.url
    finally:
        context.close()


def test_a_table_row_is_removed_by_keyboard(browser, live_server, accounts, demo):
    """A saved row's bin is a checkbox the keyboard reaches (Space marks the row for removal and takes it back); a
    new row's bin is a button (Enter takes the row away again)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        log_in(page, live_server, accounts[roles.COORDINATOR])
        page.goto(f"{live_server.url}{addresses(['/desk/portfolio/programme/{programme}/change/'])[0]}")
        page.wait_for_load_state("networkidle")
        remove = page.locator("#id_recommendation_links-0-DELETE")
        remove.focus()
        assert page.evaluate("() => document.activeElement.id") == "id_recommendation_links-0-DELETE"
        page.keyboard.press("Space")
        assert remove.is_checked()
        assert page.get_by_text("This item will be deleted.").first.is_visible()
        page.keyboard.press("Space")
        assert not remove.is_checked()
        # A new row, added and taken away again by keyboard.
        rows = "#recommendation_links-group .form-group:not(.empty-form)"
        before = page.locator(rows).count()
        page.locator("#recommendation_links-group a.add-row").focus()
        page.keyboard.press("Enter")
        assert page.locator(rows).count() == before + 1
        page.locator(f"{rows} button.delete-template").last.focus()
        page.keyboard.press("Enter")
        assert page.locator(rows).count() == before
    finally:
        context.close()
