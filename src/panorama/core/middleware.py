from django.conf import settings
from django.db import connections


class QueryCountMiddleware:
    """Adds ``Server-Timing: db;desc="queries=N"`` so the bench can count SQL per request
    through the real HTTP stack. Off unless PANORAMA_QUERY_COUNT_HEADER is set."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.PANORAMA_QUERY_COUNT_HEADER

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["Server-Timing"] = f'db;desc="queries={count}"'
        return response
