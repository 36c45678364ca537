"""Who may open which desk page: each page names the view permissions of the records it shows.

The pages show nothing the admin would not: a page needs the view permission of every kind of record it lists,
and parts of a page (money, alerts) appear only with theirs.
"""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from programme_tracker.accounts.roles import MONEY_PERMISSIONS

# The records each page shows, as the admin's view permissions.
PAGES = {
    "dashboard": ("portfolio.view_programme", "portfolio.view_recommendation"),
    "timeline": ("portfolio.view_programme", "portfolio.view_fundingperiod"),
    "ending": ("portfolio.view_programme", "portfolio.view_fundingperiod"),
    "coverage": ("portfolio.view_programme", "portfolio.view_recommendation", "portfolio.view_fundingperiod"),
    "inbox": ("continuity.view_alert",),
    "programme": ("portfolio.view_programme",),
    "report": ("portfolio.view_programme", "portfolio.view_recommendation", "portfolio.view_fundingperiod"),
    "task-force": ("taskforce.view_meeting", "taskforce.view_agendaitem", "taskforce.view_decision",
                   "taskforce.view_actionitem"),
    "progress": ("portfolio.view_programme", "portfolio.view_recommendation", "portfolio.view_fundingperiod",
                 "taskforce.view_decision", "taskforce.view_actionitem"),
    "meeting": ("taskforce.view_meeting", "taskforce.view_agendaitem", "taskforce.view_decision",
                "taskforce.view_actionitem", "portfolio.view_programme"),
    # Every member of staff: the search shows each kind of record only to those who may view it, and saved views
    # are the person's own.
    "search": (),
    "saved-views": (),
    "api-tokens": (),  # the person's own tokens; they act with the person's own permissions
    "accessibility": (),  # the accessibility statement: for everyone who works in the desk
}
# Parts of pages, shown only to those who may see the records behind them.
MONEY = MONEY_PERMISSIONS
ALERTS = ("continuity.view_alert",)
FUNDING = ("portfolio.view_fundingperiod",)
HISTORY = ("portfolio.view_programme", "portfolio.view_fundingperiod")


def may_open(page: str):
    """A permission callback for the sidebar: may this request's user open the page?"""
    return lambda request: request.user.has_perms(PAGES[page])


def desk_page(page: str):
    """Wrap a view as a desk page: staff login (the admin's), then the page's permissions (403 otherwise).

    The view receives the admin site's context (sidebar, header, language switch) as `desk`.
    """

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perms(PAGES[page]):
                raise PermissionDenied
            return view(request, *args, desk=admin.site.each_context(request), **kwargs)

        return admin.site.admin_view(checked)

    return decorate


def can(request, perms) -> bool:
    """Whether the user holds every one of these permissions (for optional parts of a page)."""
    return request.user.has_perms(perms)
