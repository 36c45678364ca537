"""Errors as JSON: a rule the model refuses on save names its field, as the desk's form does; a record others
depend on cannot be deleted (409); under /api/ even Django's own error pages (400, 403, 404, 500) are JSON."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def handler(exc, context):
    """DRF's handler, plus the model's own ValidationError (400, by field) and a protected delete (409)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            errors = {("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                      for field, messages in exc.message_dict.items()}
        else:
            errors = {"non_field_errors": exc.messages}
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response({"detail": _("Other records depend on this one; it cannot be deleted.")},
                        status=status.HTTP_409_CONFLICT)
    return exception_handler(exc, context)


def not_found(request, exception):
    """Django's 404 page, but JSON under /api/ (an address no route matches, such as /api/alerts/0.5/): an API
    client reads the answer as JSON whatever went wrong."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("There is nothing at this address.")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """Django's 400 page (a body larger than the site takes, a malformed request), JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("The request could not be read (is the body larger than 2.5 MB?).")},
                            status=400)
    return defaults.bad_request(request, exception)


def forbidden(request, exception):
    """Django's 403 page, JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("You may not do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request):
    """Django's 500 page, JSON under /api/ (the error itself is logged as always)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Something went wrong on the server; it has been logged.")}, status=500)
    return defaults.server_error(request)
