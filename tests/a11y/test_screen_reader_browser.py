"""What a screen reader hears (issue 18): the page as Chromium hands it to assistive technology (its accessibility
tree, as Playwright's ARIA snapshot writes it). A checker like axe sees that a control has a name, not whether the
name is the right one: here the names are compared with what they should say. No icon word ("calendar_today",
"settings") is read as text or as a name; every help text a field points to exists; the menus say whether they
are open and take the focus; a language is named in its own language; the page has one main part."""

import re

import pytest

from programme_tracker.accounts import roles
from tests.a11y.test_axe_browser import ADMIN, DESK, addresses
from tests.desk.conftest import choose, log_in

pytestmark = pytest.mark.browser

# The icon words the theme draws from CSS (core/static/core/forms.css gives each empty alternative text); those it
# prints as text are read from the page itself.
CSS_ICONS = {"calendar_today", "schedule", "update", "navigate_next", "navigate_before", "arrow_forward",
             "arrow_back", "sync", "warning", "expand_more", "close_small", "check", "search"}
ICON_WORDS = "() => [...document.querySelectorAll('.material-symbols-outlined')].map(icon => icon.textContent.trim())"
# Help texts a field points to that are not on the page.
MISSING_HELP = """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(field =>
  field.getAttribute('aria-describedby').split(/\\s+/).filter(id => id && !document.getElementById(id))
    .map(id => `${field.id || field.name} -> ${id}`))"""


def heard(snapshot: str) -> list[str]:
    """Every name and text in an ARIA snapshot, without the addresses of links."""
    said = []
    for line in snapshot.splitlines():
        line = line.strip().removeprefix("- ")
        if line.startswith("/url:"):
            continue
        said += re.findall(r'"((?:[^"\\]|\\.)*)"', line)  # names: link "Dashboard"
        text = re.match(r"^(?:text|[a-z]+(?: \"[^\"]*\")?(?: \[[^\]]*\])*): (.+)$", line)  # text and values
        if text and not line.startswith("img "):  # an image is read by its name alone
            said.append(text.group(1).strip("'\""))
    return said


def icon_words_heard(page) -> list[str]:
    """The names and texts on the page that read out an icon: an icon word alone, first, or with an underscore."""
    icons = CSS_ICONS | {word for word in page.evaluate(ICON_WORDS) if word}
    found = []
    for said in heard(page.locator("body").aria_snapshot()):
        words = said.split()
        if not words:
            continue
        if words[0] in icons or any("_" in word and word in icons for word in words):
            found.append(said)
    return found


def role_and_name(locator) -> str:
    """The element's role and name as a screen reader is given them: 'combobox "Lead ministry"'."""
    line = locator.aria_snapshot().splitlines()[0].removeprefix("- ").rstrip(":")
    return line[1:-1].replace("''", "'") if line.startswith("'") else line  # YAML quotes a line with a colon


@pytest.mark.parametrize(("role", "language"), [(roles.ADMINISTRATOR, "en"), (roles.ADMINISTRATOR, "nl"),
                                                 (roles.MONITOR, "en")])  # a monitor's forms are read-only
def test_no_icon_word_is_read_out_and_every_help_text_is_there(browser, live_server, accounts, demo, role, language):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    problems = []
    try:
        page = context.new_page()
        log_in(page, live_server, accounts[role])
        for path in addresses(DESK + ADMIN):
            if page.goto(f"{live_server.url}{path}").status == 403:  # not this role's page
                continue
            page.wait_for_load_state("networkidle")
            if icons := icon_words_heard(page):
                problems.append(f"{path}: icon words read out: {icons[:6]}")
            if missing := page.evaluate(MISSING_HELP):
                problems.append(f"{path}: help texts not on the page: {missing[:6]}")
            landmarks = page.evaluate("() => [document.querySelectorAll('main, [role=main]').length,"
                                      " !!document.querySelector('main h1'), !!document.querySelector('footer')]")
            if landmarks != [1, True, True]:
                problems.append(f"{path}: [main parts, title inside it, footer] = {landmarks}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_the_user_menu_says_who_it_is_for_whether_it_is_open_and_takes_the_focus(browser, live_server, accounts,
                                                                                  demo):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        user = accounts[roles.COORDINATOR]
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/desk/dashboard/")
        page.wait_for_load_state("networkidle")
        button = page.locator("#user-menu-button")
        name = user.get_full_name() or user.username
        # The avatar's initial is not part of the name ("A administrator").
        assert button.aria_snapshot() == f'- button "{name}"'
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#user-menu", state="visible")
        assert button.aria_snapshot() == f'- button "{name}" [expanded]'
        menu = page.locator("#user-menu").aria_snapshot()
        assert menu.startswith('- navigation "Your account":')
        # Each language by its own name only ("Nederlands", not "Nederlands nl"), marked as written in it.
        assert '- button "English"' in menu and '- button "Nederlands"' in menu, menu
        assert page.get_attribute("#user-menu button[lang=nl]", "lang") == "nl"
        assert page.locator("#user-menu button[aria-current=true]").get_attribute("lang") == "en"
        page.wait_for_function("() => document.activeElement.closest('#user-menu') !== null", timeout=5000)
        page.keyboard.press("Escape")
        page.wait_for_selector("#user-menu", state="hidden")
        page.wait_for_function("() => document.activeElement.id == 'user-menu-button'", timeout=5000)
        assert button.aria_snapshot() == f'- button "{name}"'
    finally:
        context.close()


def test_a_form_reads_its_choices_by_their_labels_and_its_date_fields_by_words(browser, live_server, accounts, demo):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        log_in(page, live_server, accounts[roles.ADMINISTRATOR])
        page.goto(f"{live_server.url}{addresses(['/desk/portfolio/programme/{programme}/change/'])[0]}")
        page.wait_for_load_state("networkidle")
        # An autocomplete: named by its label and its choice, without the clear cross or the arrow.
        ministry = page.locator("#id_lead_ministry ~ .select2 [role=combobox]")
        assert role_and_name(ministry) == 'combobox "Lead ministry: VWS — Ministry of Health, Welfare and Sport"'
        # ... and still after a choice, when the box is drawn again.
        choose(page, "id_lead_ministry", "JenV")
        assert role_and_name(ministry) == 'combobox "Lead ministry: JenV — Ministry of Justice and Security"'
        # An empty one by its label alone.
        assert role_and_name(page.locator("#id_predecessor ~ .select2 [role=combobox]")) == 'combobox "Predecessor"'
        # The menu beside it: its state, where the focus goes, and back.
        more = page.locator("button[aria-controls=related-widget-wrapper-lead_ministry]")
        assert role_and_name(more) == 'button "More about the chosen organisation"'
        more.focus()
        page.keyboard.press("Enter")
        assert more.get_attribute("aria-expanded") == "true"
        page.wait_for_function("() => document.activeElement.id == 'change_id_lead_ministry'", timeout=5000)
        assert role_and_name(page.locator("#change_id_lead_ministry")) == 'link "Change selected organisation"'
        page.keyboard.press("Escape")
        page.wait_for_function("() => document.activeElement.getAttribute('aria-controls')"
                               " == 'related-widget-wrapper-lead_ministry'", timeout=5000)
        # A date field's calendar link is named in words, and the separators between the shortcuts are not read.
        shortcuts = page.locator("#id_last_reviewed ~ .datetimeshortcuts").aria_snapshot()
        assert shortcuts == '- link "Choose a Date":\n  - /url: "#"', shortcuts
        # A field's help is read with the box the keyboard is on.
        assert ministry.get_attribute("aria-describedby") == "id_lead_ministry_helptext"
        assert page.locator("#id_lead_ministry_helptext").inner_text() == "The ministry that answers for the programme."
    finally:
        context.close()
