"""URL routes: the desk pages and the admin under /desk/, language switching, and the job dashboard."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from programme_tracker.api import health, metrics, public
from programme_tracker.desk import jobs
from programme_tracker.finance.views import (
    budget_against_actual_view,
    export_view,
    import_commit_view,
    import_progress_view,
    import_status_view,
    import_view,
)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="desk:dashboard", permanent=False)),
    # Before the admin: its catch-all view would otherwise answer for these paths.
    path("desk/jobs/", include((jobs.urlpatterns, "django_rq"))),
    path("desk/finance/budget-against-actual/", admin.site.admin_view(budget_against_actual_view),
         {"admin_site": admin.site}, name="finance-budget-against-actual"),
    path("desk/finance/import/", admin.site.admin_view(import_view), {"admin_site": admin.site},
         name="finance-import"),
    path("desk/finance/import/<uuid:public_id>/", admin.site.admin_view(import_status_view),
         {"admin_site": admin.site}, name="finance-import-status"),
    path("desk/finance/import/<uuid:public_id>/progress/", admin.site.admin_view(import_progress_view),
         {"admin_site": admin.site}, name="finance-import-progress"),
    path("desk/finance/import/<uuid:public_id>/commit/", admin.site.admin_view(import_commit_view),
         {"admin_site": admin.site}, name="finance-import-commit"),
    path("desk/finance/export/<slug:kind>/", admin.site.admin_view(export_view), {"admin_site": admin.site},
         name="finance-export"),
    path("desk/", include("programme_tracker.desk.urls")),
    path("desk/account/", include("programme_tracker.accounts.urls")),  # the second factor
    path("desk/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("programme_tracker.api.urls")),
    path("public/", public.index_view, name="public-index"),
    path("public/iati-activities.xml", public.iati_view, name="public-iati"),
    path("public/language/", public.language_view, name="public-language"),
    path("public/recommendations.<slug:file_format>", public.download_view, name="public-download"),
    path("public/<str:code>/", public.recommendation_view, name="public-recommendation"),
    path("health/", health.health_view, name="health"),
    path("health/live/", health.live_view, name="health-live"),
    path("metrics/", metrics.metrics_view, name="metrics"),
    # Browsers ask for /favicon.ico whatever the page says: the site's icon rather than a 404 on every page.
    path("favicon.ico", RedirectView.as_view(url=static("core/favicon.svg"), permanent=True)),
]

# Under /api/ these answer JSON; elsewhere Django's pages.
handler400 = "programme_tracker.api.errors.bad_request"
handler403 = "programme_tracker.api.errors.forbidden"
handler404 = "programme_tracker.api.errors.not_found"
handler500 = "programme_tracker.api.errors.server_error"
