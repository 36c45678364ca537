"""Cursor pagination: pages stay stable while records are added, and a deep page costs what the first does."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
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
