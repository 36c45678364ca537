"""The permission matrix: each role × each model × view, add, change, delete, against the policy written out below.

The policy is stated here as a literal table, not read from roles.py (as pretix's API permission tests do), so that a
change to roles.py that gives or takes away a right fails these tests until the table is changed with it on purpose.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from programme_tracker.accounts import roles
from programme_tracker.api.models import Webhook
from programme_tracker.continuity.models import Alert
from programme_tracker.continuity.scan import run_scan
from programme_tracker.finance.models import BudgetLine, Commitment, Expenditure, Payment, ReportDue, Tranche
from programme_tracker.portfolio.models import FundingPeriod, Organisation, Recommendation, SourceReport
from programme_tracker.taskforce.models import ActionItem, Meeting, Member
from programme_tracker.taskforce.services import record_decision

# The roles in the table's column order.
COLUMNS = ("Task Force Coordinator", "Finance Officer", "Monitor", "Administrator", "Task Force Member")

# Who may do what: model → (Coordinator, Finance officer, Monitor, Administrator, Task-force member), each the actions
# it may take:
# v(iew), a(dd), c(hange), d(elete); "-" is none.
POLICY = {
    "portfolio.organisation":            ("vacd", "v",    "v",    "vacd", "v"),
    "portfolio.sourcereport":            ("vac",  "v",    "v",    "vacd", "v"),
    "portfolio.recommendation":          ("vac",  "v",    "v",    "vacd", "v"),
    "portfolio.programme":               ("vacd", "v",    "v",    "vacd", "v"),
    "portfolio.programmerecommendation": ("vacd", "v",    "v",    "vacd", "v"),
    "portfolio.programmeorganisation":   ("vacd", "v",    "v",    "vacd", "v"),
    "portfolio.fundingperiod":           ("vac",  "vacd", "v",    "vacd", "v"),
    "continuity.alert":                  ("vc",   "vc",   "v",    "vc",   "v"),
    "continuity.alertevent":             ("v",    "v",    "v",    "v",    "v"),
    "finance.budgetline":                ("v",    "vacd", "v",    "vacd", "-"),
    "finance.commitment":                ("v",    "vacd", "v",    "vacd", "-"),
    "finance.tranche":                   ("v",    "vacd", "v",    "vacd", "-"),
    "finance.payment":                   ("v",    "vacd", "v",    "vacd", "-"),
    "finance.reportdue":                 ("v",    "vacd", "v",    "vacd", "-"),
    "finance.expenditure":               ("v",    "vacd", "v",    "vacd", "-"),
    "notifications.notification":        ("vc",   "vc",   "vc",   "vc",   "vc"),
    "notifications.preference":          ("vac",  "vac",  "vac",  "vac",  "vac"),
    "notifications.subscription":        ("vacd", "vacd", "vacd", "vacd", "vacd"),
    "auth.user":                         ("-",    "-",    "-",    "vacd", "-"),
    "auth.group":                        ("-",    "-",    "-",    "v",    "-"),
    "continuity.scanstate":              ("-",    "-",    "-",    "v",    "-"),
    "core.jobrun":                       ("-",    "-",    "-",    "v",    "-"),
    "core.auditevent":                   ("-",    "-",    "-",    "v",    "-"),
    "notifications.undeliveredemail":    ("-",    "-",    "-",    "vc",   "-"),
    "accounts.lockout":                  ("-",    "-",    "-",    "vd",   "-"),
    "accounts.failedlogin":              ("-",    "-",    "-",    "v",    "-"),
    "accounts.login":                    ("-",    "-",    "-",    "v",    "-"),
    "taskforce.member":                  ("vacd", "v",    "v",    "vacd", "v"),
    "taskforce.meeting":                 ("vacd", "v",    "v",    "vacd", "v"),
    "taskforce.agendaitem":              ("vacd", "v",    "v",    "vacd", "v"),
    "taskforce.decision":                ("vac",  "v",    "v",    "vac",  "v"),
    "taskforce.actionitem":              ("vacd", "v",    "v",    "vacd", "vc"),
    "api.webhook":                       ("-",    "-",    "-",    "vacd", "-"),
    "api.webhookdelivery":               ("-",    "-",    "-",    "vc",   "-"),
}  # fmt: skip

# Models with a page of their own in the desk; the two link models are edited as inlines of the programme.
DESK_MODELS = ["portfolio.organisation", "portfolio.sourcereport", "portfolio.recommendation",
               "portfolio.programme", "portfolio.fundingperiod", "auth.user", "auth.group", "continuity.alert",
               "finance.budgetline", "finance.commitment", "finance.tranche", "finance.payment", "finance.reportdue",
               "finance.expenditure", "taskforce.member", "taskforce.meeting", "taskforce.agendaitem",
               "taskforce.decision", "taskforce.actionitem", "api.webhook"]

# Alerts come from the rules and their record is kept: nobody adds or deletes them in the desk.
NEVER = {"continuity.alert": "ad"}
ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def policy(role: str, model: str) -> str:
    """The actions the table gives the role on the model ("" for none)."""
    return POLICY[model][COLUMNS.index(role)].strip("-")


def allowed(role, model, letter):
    if letter in NEVER.get(model, ""):
        return False
    actions = policy(role, model)
    # Django's admin lets whoever may change a record also view it.
    return letter in actions or (letter == "v" and "c" in actions)


def test_the_table_names_every_role():
    assert set(COLUMNS) == set(roles.ROLES)


@pytest.mark.parametrize("role", COLUMNS)
def test_each_role_group_has_exactly_the_permissions_of_the_table(base, role):
    granted = {(permission.content_type.app_label, permission.codename)
               for permission in Group.objects.get(name=role).permissions.select_related("content_type")}
    expected = {(model.split(".")[0], f"{ACTIONS[letter]}_{model.split('.')[1]}")
                for model in POLICY for letter in policy(role, model)}
    assert granted == expected


def some_record(model, programme):
    return {
        "portfolio.organisation": lambda: Organisation.objects.first(),
        "portfolio.sourcereport": lambda: SourceReport.objects.first(),
        "portfolio.recommendation": lambda: Recommendation.objects.first(),
        "portfolio.programme": lambda: programme,
        "portfolio.fundingperiod": lambda: FundingPeriod.objects.first(),
        "auth.user": lambda: get_user_model().objects.first(),
        "auth.group": lambda: Group.objects.first(),
        "continuity.alert": lambda: run_scan() and Alert.objects.first(),
        "finance.budgetline": lambda: BudgetLine.objects.create(programme=programme, fiscal_year=2026,
                                                                amount=Decimal("10.00")),
        "finance.commitment": lambda: Commitment.objects.create(funding_period=period(), reference="B-1",
                                                                decided_on=date(2025, 1, 1), amount=Decimal("1.00")),
        "finance.tranche": lambda: Tranche.objects.create(funding_period=period(), planned_on=date(2026, 1, 1),
                                                          amount=Decimal("1.00")),
        "finance.payment": lambda: Payment.objects.create(funding_period=period(), paid_on=date(2026, 1, 1),
                                                          amount=Decimal("1.00"), reference="P-1"),
        "finance.reportdue": lambda: ReportDue.objects.create(funding_period=period(), kind="progress", title="R",
                                                              due_on=date(2026, 1, 1)),
        "finance.expenditure": lambda: Expenditure.objects.create(
            funding_period=period(), organisation=period().funder, period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31), category="personnel", amount=Decimal("1.00")),
        "taskforce.member": lambda: Member.objects.create(person=programme.owner, organisation=period().funder,
                                                          since=date(2026, 1, 1)),
        "taskforce.meeting": lambda: meeting(),
        "taskforce.agendaitem": lambda: meeting().agenda_items.create(title="Funding of the helpline"),
        "taskforce.decision": lambda: record_decision(actor=None, meeting=meeting(), decided_on=date(2026, 3, 1),
                                                      kind="other", text="Keep the helpline open."),
        "api.webhook": lambda: Webhook.objects.create(url="https://example.invalid/hook", events=["alert.opened"]),
        # Owned by the task-force member: members change the actions they own (and no others, tested apart).
        "taskforce.actionitem": lambda: ActionItem.objects.create(
            what="Ask for the renewal", due_on=date(2026, 4, 1),
            owner=get_user_model().objects.get(username="task-force-member")),
    }[model]()


def meeting():
    return Meeting.objects.create(starts_at=datetime(2026, 3, 1, 10, tzinfo=UTC), place="The Hague")


def period():
    return FundingPeriod.objects.first()


@pytest.mark.parametrize("role", COLUMNS)
@pytest.mark.parametrize("model", DESK_MODELS)
def test_permission_matrix(client, login, programme, role, model):
    login(role)
    url = "/desk/{}/{}/".format(*model.split("."))
    obj = some_record(model, programme)
    expected = {letter: allowed(role, model, letter) for letter in "vacd"}
    observed = {
        "v": client.get(url).status_code,
        "a": client.get(url + "add/").status_code,
        # Posting to a change page needs the change permission; view-only users get 403 before validation.
        "c": client.post(f"{url}{obj.pk}/change/", {}).status_code,
        "d": client.get(f"{url}{obj.pk}/delete/").status_code,
    }
    assert {letter: code == 200 for letter, code in observed.items()} == expected, observed
    assert all(code in (200, 403) for code in observed.values()), observed


def test_staff_without_a_role_sees_nothing(client, programme):
    user = get_user_model().objects.create_user("norole", password="x-long-password", is_staff=True)
    client.force_login(user)
    assert client.get("/desk/portfolio/programme/").status_code == 403
    assert client.get(f"/desk/portfolio/programme/{programme.pk}/change/").status_code == 403


def test_view_only_page_has_no_save_button(client, login, programme):
    login(roles.MONITOR)
    page = client.get(f"/desk/portfolio/programme/{programme.pk}/change/").content.decode()
    assert programme.name in page
    assert 'name="_save"' not in page


def test_anonymous_visitor_is_sent_to_login(client, programme):
    response = client.get("/desk/portfolio/programme/")
    assert response.status_code == 302 and "/desk/login/" in response["Location"]
