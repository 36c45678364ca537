"""Cursor pagination: pages stay stable while records are added, and a deep page costs what the first does."""

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import DataError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """100 records a page by default, up to 500 with ?page_size=; ordered by id unless ?ordering= says else."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "id"

    def get_page_size(self, request):
        """?page_size= from 1 to 500; anything else is a 400 (DRF would quietly use the default)."""
        given = request.query_params.get(self.page_size_query_param)
        if given is None or given == "":
            return self.page_size
        if not (given.isascii() and given.isdigit() and len(given) <= 3 and 1 <= int(given) <= self.max_page_size):
            raise ValidationError({self.page_size_query_param: [
                _("Give a whole number from 1 to %(most)s.") % {"most": self.max_page_size}]})
        return int(given)

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's page, but a cursor whose position is not one of the ordering's values (made by hand: "abc" where a
        date or a number belongs) is the same 404 as any other cursor this API did not give."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, ModelValidationError, DataError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
