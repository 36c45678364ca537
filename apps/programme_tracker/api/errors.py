"""Errors as JSON: a rule the model refuses on save names its field, as the desk's form does; a record others
depend on cannot be deleted (409); an address under /api/ that no route matches is a JSON 404."""

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
