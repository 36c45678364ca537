"""Cursor pagination: pages stay stable while records are added, and a deep page costs what the first does."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """100 records a page by default, up to 500 with ?page_size=; ordered by id unless ?ordering= says else."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "id"
