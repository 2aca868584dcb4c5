"""The REST API at /api/v1/: one NinjaAPI, one auth, one error convention.

Every error is JSON ``{"detail": <message>, "code": <code>, "errors": {field: [..]}}``
with a 4xx status. Domain errors raised by services map here; nothing else does.
"""

from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.http import Http404
from django.urls import URLPattern
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from panorama.accounts.services import api_token_authenticate
from panorama.core.exceptions import DomainError


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(key=token)
        if user is not None:
            request.user = user
            if user.language:  # as on the web: the user's chosen language wins
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return user


class SessionOrToken(BearerToken):
    """The web UI's own HTMX calls may use the session; everyone else a bearer token."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "HTTP_AUTHORIZATION" not in request.META:
            # Same-origin session use still needs a CSRF token on unsafe methods.
            from ninja.utils import check_csrf

            if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request):
                return None
            return user
        return super().__call__(request)


class ObjectBodyParser(Parser):
    """Every JSON body of this API is an object: refuse a list, a string or null rather
    than read it as "no fields given" and answer 200 without doing anything."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")  # ninja answers 400, see on_http_error
        return data


def staff_or_token(view):
    """The schema and the docs page: for signed-in staff and for API clients with a
    token (client generators, fuzzers). A browser with neither goes to the login page;
    a wrong token is a 401 in the API's convention."""

    @login_not_required  # the check is here, not in the login middleware
    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if "HTTP_AUTHORIZATION" in request.META:
            if BearerToken()(request) is None:
                return on_auth_error(request, None)
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    return checked


api = NinjaAPI(
    title="Panorama API",
    version="1",
    urls_namespace="api",
    auth=SessionOrToken(),
    parser=ObjectBodyParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=staff_or_token,
    # Swagger UI from ninja's own static files ("ninja" in INSTALLED_APPS), not a CDN,
    # and without the badge that sends the schema's URL to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


def api_urls():
    """``api.urls`` for the URLconf: every operation authenticates itself (401 JSON),
    so none goes through the login middleware's redirect."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns, app_name, namespace


def error(request, status: int, detail: str, code: str, errors: dict | None = None):
    return api.create_response(
        request, {"detail": detail, "code": code, "errors": errors or {}}, status=status
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc: Exception):
    # A number beyond what the database stores (an id of 40 digits), a text longer than
    # its column: the caller's mistake, and the transaction has been rolled back.
    return error(request, 422, _("A value is out of range or too long."), "validation_error")


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error(request, exc.status_code, str(exc.message), exc.code, exc.errors)


# pydantic's error kinds → the message in the user's language, with the context values
# it names (placeholder → the ctx keys that may hold it, first found wins).
# (pydantic kinds, message, {placeholder: context keys to read it from})
_VALIDATION_MESSAGES: list[tuple[tuple[str, ...], Any, dict[str, Any]]] = [
    (("missing",), gettext_lazy("This field is required."), {}),
    (("string_type", "string_unicode"), gettext_lazy("Give a text."), {}),
    (("int_type", "int_parsing", "int_from_float"), gettext_lazy("Give a whole number."), {}),
    (("bool_type", "bool_parsing"), gettext_lazy("Give true or false."), {}),
    (
        ("date_type", "date_parsing", "date_from_datetime_parsing"),
        gettext_lazy("Give a date as YYYY-MM-DD."),
        {},
    ),
    (
        ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"),
        gettext_lazy("Give a date and time as YYYY-MM-DDTHH:MM."),
        {},
    ),
    (
        ("decimal_type", "decimal_parsing", "float_type", "float_parsing"),
        gettext_lazy("Give a number."),
        {},
    ),
    (("string_too_long",), gettext_lazy("At most %(n)s characters."), {"n": ("max_length",)}),
    (("dict_type", "model_type", "model_attributes_type"), gettext_lazy("Give an object."), {}),
    (("list_type",), gettext_lazy("Give a list."), {}),
    (
        ("literal_error", "enum"),
        gettext_lazy("Choose one of: %(expected)s."),
        {"expected": ("expected",)},
    ),
    (("extra_forbidden",), gettext_lazy("This field is not accepted."), {}),
    (("string_too_short",), gettext_lazy("At least %(n)s characters."), {"n": ("min_length",)}),
    (("too_long",), gettext_lazy("At most %(n)s items."), {"n": ("max_length",)}),
    (
        ("greater_than", "greater_than_equal"),
        gettext_lazy("Give a number of at least %(n)s."),
        {"n": ("gt", "ge")},
    ),
    (
        ("less_than", "less_than_equal"),
        gettext_lazy("Give a number of at most %(n)s."),
        {"n": ("lt", "le")},
    ),
    (("finite_number", "int_parsing_size"), gettext_lazy("The number is out of range."), {}),
    (
        ("decimal_max_digits", "decimal_whole_digits", "decimal_max_places"),
        gettext_lazy("The number has too many digits."),
        {},
    ),
    (("json_invalid",), gettext_lazy("The request body is not valid JSON."), {}),
]
_VALIDATION_BY_KIND = {
    kind: (message, names) for kinds, message, names in _VALIDATION_MESSAGES for kind in kinds
}


def _validation_message(item: dict) -> str:
    """pydantic's message for one error, in the user's language for the usual kinds."""
    known = _VALIDATION_BY_KIND.get(item.get("type", ""))
    if known is not None:
        message, names = known
        ctx = item.get("ctx") or {}
        values = {
            name: next((ctx[key] for key in keys if key in ctx), "?")
            for name, keys in names.items()
        }
        return str(message) % values if values else str(message)
    # Anything rarer: pydantic's own words in English, a plain message otherwise.
    if translation.get_language().startswith("en") and item.get("msg"):
        return item["msg"]
    return _("Invalid value.")


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [
            str(part)
            for part in item.get("loc", [])
            if part not in ("body", "query", "path", "payload", "form")
        ]
        errors.setdefault(".".join(loc) or "body", []).append(_validation_message(item))
    summary = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in errors.items())
    return error(
        request, 422, _("Invalid input: %(s)s") % {"s": summary}, "validation_error", errors
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(
        request,
        401,
        _("Authentication required: send Authorization: Bearer <token>."),
        "unauthenticated",
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):  # ninja's words, in English only
        detail = _("The request body must be a JSON object.")
    return error(request, exc.status_code, detail, "bad_request")


@api.exception_handler(Http404)
def on_404(request, exc):
    return error(request, 404, _("Not found."), "not_found")


@api.exception_handler(ObjectDoesNotExist)
def on_does_not_exist(request, exc):
    return error(request, 404, _("Not found."), "not_found")


@api.exception_handler(DjangoPermissionDenied)
def on_forbidden(request, exc):
    return error(request, 403, _("You may not do this."), "forbidden")


def _register_routers() -> None:
    from panorama.accounts.api import router as users_router
    from panorama.accounts.api import tokens as tokens_router
    from panorama.analytics.api import router as analytics_router
    from panorama.analytics.warehouse.api import router as warehouse_router
    from panorama.automation.api import router as automation_router
    from panorama.catalog.api import router as catalog_router
    from panorama.channels.api import router as channels_router
    from panorama.channels.chat.api import router as chat_router
    from panorama.channels.fax.api import router as fax_router
    from panorama.channels.mail.api import router as mail_router
    from panorama.channels.outbound.api import router as outbound_router
    from panorama.channels.sms.api import router as sms_router
    from panorama.channels.visits.api import router as visits_router
    from panorama.core.api import router as views_router
    from panorama.customers.api import router as customers_router
    from panorama.customers.duplicates.api import router as duplicates_router
    from panorama.customers.imports.api import router as imports_router
    from panorama.loyalty.api import router as loyalty_router
    from panorama.marketing.api import router as marketing_router
    from panorama.sales.api import router as sales_router
    from panorama.service.api import router as service_router

    api.add_router("/", customers_router)
    api.add_router("/", users_router)
    api.add_router("/", tokens_router)
    api.add_router("/", duplicates_router)
    api.add_router("/", imports_router)
    api.add_router("/", channels_router)
    api.add_router("/", chat_router)
    api.add_router("/", mail_router)
    api.add_router("/", outbound_router)
    api.add_router("/", sms_router)
    api.add_router("/", fax_router)
    api.add_router("/", visits_router)
    api.add_router("/", sales_router)
    api.add_router("/", service_router)
    api.add_router("/", catalog_router)
    api.add_router("/", views_router)
    api.add_router("/", automation_router)
    api.add_router("/", marketing_router)
    api.add_router("/", loyalty_router)
    api.add_router("/", analytics_router)
    api.add_router("/analytics", warehouse_router)


_register_routers()
