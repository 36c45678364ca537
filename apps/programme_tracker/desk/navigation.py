"""The sidebar: the desk pages first (each only for those who may open it), then the records as the admin lists."""

from django.urls import reverse_lazy
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from programme_tracker.accounts.models import SavedView
from programme_tracker.desk.access import may_open
from programme_tracker.notifications.services import unread_count


def _record(title, icon, model):
    """A sidebar link to one kind of record in the admin, for those who may view it."""
    app_label, name = model.split(".")
    return {"title": title, "icon": icon, "link": reverse_lazy(f"admin:{app_label}_{name}_changelist"),
            "permission": lambda request: request.user.has_perm(f"{app_label}.view_{name}")}


def _on_actions(request) -> bool:
    """Whether the page is the action items' list or one of them."""
    return request.path.startswith(str(reverse_lazy("admin:taskforce_actionitem_changelist")))


def _mine(request) -> bool:
    """Whether the action items' list shows the person's own (whose=mine or mine-late), or one action was opened
    from that list (the admin carries the list's filters along)."""
    return (request.GET.get("whose", "").startswith("mine")
            or "whose=mine" in request.GET.get("_changelist_filters", ""))


def _unread_badge(request) -> dict:
    """The inbox's badge: how many alert notifications the person has not read; none at all when that is none
    (Unfold draws every badge it is given, even an empty one)."""
    count = unread_count(request.user) if request.user.is_authenticated else 0
    return {"badge": count} if count else {}


def sidebar(request):
    """Unfold's sidebar navigation (settings.UNFOLD["SIDEBAR"]); links are checked against the page permissions."""
    return [{
        "title": _("Desk"),
        "separator": False,
        "items": [
            {"title": _("Dashboard"), "icon": "dashboard", "link": reverse_lazy("desk:dashboard"),
             "permission": may_open("dashboard")},
            {"title": _("Funding ending"), "icon": "event_busy", "link": reverse_lazy("desk:ending"),
             "permission": may_open("ending")},
            {"title": _("Funding timeline"), "icon": "view_timeline", "link": reverse_lazy("desk:timeline"),
             "permission": may_open("timeline")},
            {"title": _("Coverage matrix"), "icon": "grid_on", "link": reverse_lazy("desk:coverage"),
             "permission": may_open("coverage")},
            {"title": _("Alert inbox"), "icon": "notifications", "link": reverse_lazy("desk:inbox"),
             "permission": may_open("inbox"), **_unread_badge(request)},
            {"title": _("Monitoring report"), "icon": "summarize", "link": reverse_lazy("desk:report"),
             "permission": may_open("report")},
            {"title": _("Budget against actual"), "icon": "euro", "link": reverse_lazy("finance-budget-against-actual"),
             "permission": lambda request: request.user.has_perm("finance.view_budgetline")},
        ],
    }, {
        # The person's own views, near the top (a long sidebar would hide them below its fold).
        "title": _("Saved views"),
        "separator": True,
        "items": [*_saved_views(request),
                  {"title": _("Manage saved views"), "icon": "bookmarks", "link": reverse_lazy("desk:saved-views")}],
    }, {
        "title": _("Register"),
        "separator": True,
        "items": [
            _record(_("Programmes"), "work", "portfolio.programme"),
            _record(_("Funding periods"), "payments", "portfolio.fundingperiod"),
            _record(_("Recommendations"), "checklist", "portfolio.recommendation"),
            _record(_("Organisations"), "account_balance", "portfolio.organisation"),
            _record(_("Alerts"), "warning", "continuity.alert"),
            _record(_("My notifications"), "mail", "notifications.notification"),
        ],
    }, {
        "title": _("Task force"),
        "separator": True,
        "items": [
            # The overview and its meetings; the progress report below has its own entry.
            {"title": _("Task force overview"), "icon": "diversity_3", "link": reverse_lazy("desk:task-force"),
             "permission": may_open("task-force"),
             "active": lambda request: request.path.startswith(str(reverse_lazy("desk:task-force")))
             and not request.path.startswith(str(reverse_lazy("desk:progress")))},
            _record(_("Meetings"), "event", "taskforce.meeting"),
            _record(_("Decisions"), "gavel", "taskforce.decision"),
            # Both link to the list: the one the list's "whose" filter names is the current one, not both.
            {**_record(_("Action items"), "task_alt", "taskforce.actionitem"),
             "active": lambda request: _on_actions(request) and not _mine(request)},
            {**_record(_("My action items"), "assignment_ind", "taskforce.actionitem"),
             "link": reverse_lazy("admin:taskforce_actionitem_changelist") + "?whose=mine",
             "active": lambda request: _on_actions(request) and _mine(request)},
            _record(_("Members"), "groups", "taskforce.member"),
            {"title": _("Progress report"), "icon": "summarize", "link": reverse_lazy("desk:progress"),
             "permission": may_open("progress")},
        ],
    }]


def _saved_views(request) -> list[dict]:
    """The person's saved views, each a link to its page with its filters (one query)."""
    if not request.user.is_authenticated:
        return []
    # Escaped here: Unfold prints a sidebar title as HTML, and a name is the person's own text.
    return [{"title": escape(name), "icon": "bookmark", "link": path,
             "active": lambda request, path=path: request.get_full_path() == path}
            for name, path in SavedView.objects.filter(user=request.user).values_list("name", "path")]
