"""The job dashboard (django-rq's queue pages) under /desk/jobs/, for Administrators only.

django-rq lets any staff account in; its pages show job arguments and tracebacks and can empty, delete, requeue and
stop jobs, so every one of them is wrapped here. Without Redis (the embedded default) or with Redis down, the page
says so instead of failing.
"""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django_rq import stats_views
from django_rq.urls import get_admin_urlpatterns
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError

from programme_tracker.accounts.roles import is_administrator


def _unavailable(request, message: str):
    """The desk page that stands in for the job dashboard when there is no queue to show."""
    context = {**admin.site.each_context(request), "title": _("Background jobs"), "message": message}
    return TemplateResponse(request, "desk/jobs_unavailable.html", context)


def administrators_only(view):
    """Wrap one django-rq view: log-in (the admin's), the Administrator role, and a message when Redis is away."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if not is_administrator(request.user):
            raise PermissionDenied
        if not settings.REDIS_URL:
            return _unavailable(request, _("This site runs its jobs in the web process (no Redis is configured), "
                                           "so there is no queue to show. Past runs are under Job runs."))
        try:
            response = view(request, *args, **kwargs)
            # Template responses reach Redis while rendering, so render inside the guard.
            return response.render() if hasattr(response, "render") and not response.is_rendered else response
        # A job or worker that is gone, a queue number out of range, the rq-scheduler page (we schedule ourselves).
        except (NoSuchJobError, IndexError, ValueError, ImproperlyConfigured):
            raise Http404 from None
        except RedisError:
            return _unavailable(request, _("Redis does not answer, so the job queue cannot be shown. "
                                           "Jobs wait until it is back; try again later."))

    return admin.site.admin_view(checked)


# Every page behind the same check; the statistics as JSON and the queues' Prometheus metrics only for a logged-in
# Administrator (django-rq's API-token way in is left out; Prometheus reads the site's own /metrics/).
urlpatterns = [
    path("stats.json", administrators_only(stats_views.stats_json), name="home_json"),
    path("metrics/", administrators_only(stats_views.prometheus_metrics), name="metrics"),
    *get_admin_urlpatterns(view_wrapper=administrators_only),
]
