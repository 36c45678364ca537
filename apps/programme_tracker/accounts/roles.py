"""The roles of the task force, as a table: role → model → the actions it may take (v, a, c, d).

Groups are made from this table by `services.sync_roles()`; the permission-matrix test reads the same table
and checks the admin obeys it, so this file is the single statement of who may do what.
"""

COORDINATOR = "Task Force Coordinator"
FINANCE_OFFICER = "Finance Officer"
MONITOR = "Monitor"
ADMINISTRATOR = "Administrator"
TASK_FORCE_MEMBER = "Task Force Member"

ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}
# Who may see amounts of money beyond a funding period's own: budgets, commitments, payments and spending (also
# where an alert's message quotes them).
MONEY_PERMISSIONS = ("finance.view_budgetline", "finance.view_commitment", "finance.view_payment",
                     "finance.view_expenditure")

# Models of the register, by "app_label.model". Later modules add theirs here.
PORTFOLIO_MODELS = (
    "portfolio.organisation",
    "portfolio.sourcereport",
    "portfolio.recommendation",
    "portfolio.programme",
    "portfolio.programmerecommendation",
    "portfolio.programmeorganisation",
    "portfolio.fundingperiod",
)

# The money records of the finance module: finance officers keep them, the others read them.
FINANCE_MODELS = (
    "finance.budgetline",
    "finance.commitment",
    "finance.tranche",
    "finance.payment",
    "finance.reportdue",
    "finance.expenditure",
)

# Alerts are read by everyone; acting on them (acknowledge, dismiss, reassign) is a change. Everybody keeps their own
# notifications (marking read is a change), e-mail preference and subscriptions; the desk shows only their own rows.
PERSONAL_MODELS = {
    "notifications.notification": "vc",
    "notifications.preference": "vac",
    "notifications.subscription": "vacd",
}
ALERT_MODELS = ("continuity.alert", "continuity.alertevent")

# The task force's records: coordinators are its secretariat and keep them; the others read them.
TASKFORCE_MODELS = (
    "taskforce.member",
    "taskforce.meeting",
    "taskforce.agendaitem",
    "taskforce.decision",
    "taskforce.actionitem",
)
# Whoever keeps them: a decision is numbered and cited, so it is never deleted; a newer one supersedes it.
TASKFORCE_KEEPER = {model: "vacd" for model in TASKFORCE_MODELS} | {"taskforce.decision": "vac"}

# The log-in records (django-axes', shown in accounts): Administrators read them and clear lockouts (a delete).
LOGIN_RECORDS = {"accounts.lockout": "vd", "accounts.failedlogin": "v", "accounts.login": "v"}

ROLES: dict[str, dict[str, str]] = {
    # Coordinators keep the portfolio: programmes, their links, organisations and the recommendations' responses.
    # Recommendations come from the reports, so they are edited (responses) but not deleted. Coordinators record
    # a programme's funding periods when they register it; deleting money records is left to finance officers.
    COORDINATOR: {
        "portfolio.organisation": "vacd",
        "portfolio.sourcereport": "vac",
        "portfolio.recommendation": "vac",
        "portfolio.programme": "vacd",
        "portfolio.programmerecommendation": "vacd",
        "portfolio.programmeorganisation": "vacd",
        "portfolio.fundingperiod": "vac",
        "continuity.alert": "vc",
        "continuity.alertevent": "v",
    } | {model: "v" for model in FINANCE_MODELS} | TASKFORCE_KEEPER | PERSONAL_MODELS,
    # Finance officers keep the money and read the rest.
    FINANCE_OFFICER: {model: "v" for model in PORTFOLIO_MODELS} | {"portfolio.fundingperiod": "vacd"}
    | {"continuity.alert": "vc", "continuity.alertevent": "v"} | {model: "vacd" for model in FINANCE_MODELS}
    | {model: "v" for model in TASKFORCE_MODELS} | PERSONAL_MODELS,
    # Monitors read everything and change nothing in the register; they are the independent eye on the alerts.
    MONITOR: {model: "v" for model in (*PORTFOLIO_MODELS, *FINANCE_MODELS, *ALERT_MODELS, *TASKFORCE_MODELS)}
    | PERSONAL_MODELS,
    # Administrators manage the register and the accounts. They give roles but do not define them: the groups'
    # permissions come from this table, so they only read them.
    ADMINISTRATOR: {model: "vacd" for model in (*PORTFOLIO_MODELS, *FINANCE_MODELS)} | TASKFORCE_KEEPER
    | {"auth.user": "vacd", "auth.group": "v", "continuity.alert": "vc", "continuity.alertevent": "v",
       "continuity.scanstate": "v", "core.jobrun": "v", "core.auditevent": "v",
       "notifications.undeliveredemail": "vc", "api.webhook": "vacd", "api.webhookdelivery": "vc"}
    | LOGIN_RECORDS | PERSONAL_MODELS,
    # Task-force members read the portfolio, the alerts and the task force's records, and update the actions they own
    # (the desk lets them change only their own, and only how the action ended: taskforce/admin.py).
    TASK_FORCE_MEMBER: {model: "v" for model in (*PORTFOLIO_MODELS, *ALERT_MODELS, *TASKFORCE_MODELS)}
    | {"taskforce.actionitem": "vc"} | PERSONAL_MODELS,
}


def permission_codenames(role: str) -> set[tuple[str, str]]:
    """The (app_label, codename) pairs a role grants, e.g. ('portfolio', 'change_programme')."""
    pairs = set()
    for model_label, actions in ROLES[role].items():
        app_label, model = model_label.split(".")
        pairs.update((app_label, f"{ACTIONS[letter]}_{model}") for letter in actions)
    return pairs


def is_administrator(user) -> bool:
    """Whether the account administers the site: a superuser, or an active staff member in the Administrator role."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()
