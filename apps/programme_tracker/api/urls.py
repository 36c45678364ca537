"""The API's routes under /api/: the resources, the OpenAPI schema and its documentation pages (Swagger UI and Redoc,
both served by the site itself)."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from programme_tracker.api import views
from programme_tracker.api.calendar import calendar_view


class Router(DefaultRouter):
    """Every record's address ends in its id, digits only: "5\v" is not 5 (Python's int() would read it as 5)."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        name = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        value = getattr(viewset, "lookup_value_regex", "[0-9]+")
        return f"(?P<{lookup_prefix}{name}>{value})"


router = Router()
router.register("organisations", views.OrganisationViewSet)
router.register("recommendations", views.RecommendationViewSet)
router.register("programmes", views.ProgrammeViewSet)
router.register("funding-periods", views.FundingPeriodViewSet)
router.register("alerts", views.AlertViewSet)
router.register("budget-lines", views.BudgetLineViewSet)
router.register("payments", views.PaymentViewSet)
router.register("expenditure", views.ExpenditureViewSet)
router.register("recommendation-links", views.RecommendationLinkViewSet)
router.register("commitments", views.CommitmentViewSet)
router.register("tranches", views.TrancheViewSet)
router.register("reports-due", views.ReportDueViewSet)
router.register("notifications", views.NotificationViewSet)
router.register("meetings", views.MeetingViewSet)
router.register("decisions", views.DecisionViewSet)
router.register("action-items", views.ActionItemViewSet)

urlpatterns = [
    path("calendar/<str:token>.ics", calendar_view, name="api-calendar"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start-up script is a file of its own (the Content Security Policy forbids inline scripts).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Redoc renders in a script worker it starts from a blob: address, which the policy allows on this page only.
    path("redoc/", csp_update({"worker-src": ["blob:"]})(SpectacularRedocView.as_view(url_name="api-schema")),
         name="api-redoc"),
    path("", include(router.urls)),
]
