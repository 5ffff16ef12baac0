from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable cursor paging for every list; `page_size` may be raised to 200."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
