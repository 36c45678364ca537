"""Every page of the desk, for the tests that visit them all (the Content Security Policy's, in test_csp*.py)."""

from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from programme_tracker.finance.models import SpreadsheetImport
from programme_tracker.notifications.models import Preference, Subscription
from programme_tracker.portfolio.models import Programme
from programme_tracker.taskforce.models import Meeting


def admin_pages(user) -> list[str]:
    """Every admin changelist, add form (where the user may add) and change form of the first record it lists."""
    request = RequestFactory().get("/desk/")
    request.user = user
    urls = []
    for model, model_admin in admin.site._registry.items():
        if not model._meta.managed:  # django-rq's stand-in model for its dashboard link
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
        first = model_admin.get_queryset(request).order_by("pk").first()  # one the user may open
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
    return urls


def desk_pages(user) -> list[str]:
    """The desk's own pages, the finance pages and every admin page, as an Administrator sees them on the demo
    portfolio (with a notification preference and a subscription, which the demo has none of)."""
    Preference.objects.get_or_create(user=user)
    Subscription.objects.get_or_create(user=user, area="prevention")
    programme = Programme.objects.get(code="STOP-IT-NOW")
    # An import under way: its page holds the progress bar (which htmx then fetches again, every second).
    running = SpreadsheetImport.objects.create(uploaded_by=user, kind="budget-lines", filename="budget.csv", size=1,
                                               state=SpreadsheetImport.State.CHECKING)
    return [
        reverse("finance-import-status", args=[running.public_id]),
        reverse("admin:index"), reverse("desk:dashboard"), reverse("desk:ending"), reverse("desk:timeline"),
        reverse("desk:coverage"),
        reverse("desk:inbox"), reverse("desk:report"), reverse("desk:programme", args=[programme.pk]),
        reverse("desk:task-force"), reverse("desk:progress"), reverse("desk:search") + "?q=stop",
        reverse("desk:saved-views"), reverse("desk:accessibility"), reverse("desk:api-tokens"),
        reverse("desk:meeting", args=[Meeting.objects.get(status="planned").pk]),
        reverse("finance-budget-against-actual"), reverse("finance-budget-against-actual") + "?group_by=ministry",
        reverse("finance-import"), reverse("admin:portfolio_programme_history", args=[programme.pk]),
        reverse("admin:password_change"), *admin_pages(user),
    ]
