from django.conf import settings
from django.db import connections
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from .exceptions import DomainError, NotFound, PermissionDenied


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


class HtmxVaryMiddleware:
    """Every answer says it varies on ``HX-Request``.

    A view answers HTMX with a fragment and the browser with the whole page, on the same
    URL (the list's filters and pages push that URL to the address bar). Without the
    header the browser's cache keeps the fragment for the URL and shows it, bare and
    unstyled, on Back. Set here once, for every view, rather than by each view that
    looks at ``request.htmx``; the full page carries it too, so no cache hands the page
    to an HTMX request either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class DomainErrorMiddleware:
    """Domain errors a view lets through become HTTP answers here, for every HTML view:
    the twin of the API's handler in ``config/api.py``.

    ``NotFound`` answers the 404 page, ``PermissionDenied`` the 403 page (the templates
    Django's own handlers use) and any other ``DomainError`` an error page, each with
    the error's message and status (404, 403, 422, 409...); an HTMX request gets the
    message as an alert instead of a whole page. A view that shows an error in its form
    or row catches that error itself; everything else it leaves to this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if getattr(request, "htmx", False):
            template = "_domain_error.html"  # an alert to swap in, not a whole page
        elif isinstance(exception, NotFound):
            template = "404.html"
        elif isinstance(exception, PermissionDenied):
            template = "403.html"
        else:
            template = "domain_error.html"
        return render(
            request, template, {"message": str(exception.message)}, status=exception.status_code
        )
