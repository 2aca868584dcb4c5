"""The public tracking endpoint (no login, no CSRF token: the site's public key, its
allowed origins and the rate limit protect it; CORS for those origins) and the image
pixel for pages without JavaScript."""

import base64
import json
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.http import client_ip, own_origin

from ..models import TrackedSite
from ..services.tracking import (
    TrackingThrottled,
    events_ingest,
    origin_check,
    site_for_key,
    throttle_hit,
)

MAX_BODY = 64 * 1024
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _cors(request, response: HttpResponse, site: TrackedSite | None) -> HttpResponse:
    origin = request.headers.get("Origin", "").rstrip("/")
    if site is not None and origin and origin in site.origin_list():
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin"
    return response


def _error(request, exc: DomainError, site: TrackedSite | None) -> HttpResponse:
    body = {"detail": str(exc.message), "code": exc.code, "errors": exc.errors}
    response = JsonResponse(body, status=exc.status_code)
    if isinstance(exc, TrackingThrottled):
        response["Retry-After"] = str(exc.retry_after)
    return _cors(request, response, site)


def _not_tracked(request) -> bool:
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


@login_not_required
@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def track(request, public_key: str):
    site = None
    try:
        site = site_for_key(public_key)
        if request.method == "OPTIONS":
            return _cors(request, HttpResponse(status=204), site)
        origin_check(site, request.headers.get("Origin", ""), own_origin=own_origin(request))
        throttle_hit(site=site, address=client_ip(request))
        if _not_tracked(request):
            return _cors(request, HttpResponse(status=204), site)
        if len(request.body) > MAX_BODY:
            raise ValidationFailed(_("A batch is at most 64 KB."), field="events")
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            raise ValidationFailed(_("The body is not JSON."), field="events") from None
        stored = events_ingest(site=site, body=body)
    except DomainError as exc:
        return _error(request, exc, site)
    return _cors(request, JsonResponse({"stored": stored}, status=202), site)


@login_not_required
@require_GET
def pixel(request, public_key: str):
    """``<img src=".../pixel.gif?v=<visitor>&e=page_view&u=<url>">``: one event; the
    page's origin is read from the Referer."""
    site = None
    try:
        site = site_for_key(public_key)
        referer = urlsplit(request.headers.get("Referer", ""))
        origin_check(site, f"{referer.scheme}://{referer.netloc}" if referer.netloc else "")
        throttle_hit(site=site, address=client_ip(request))
        if not _not_tracked(request):
            event = {"name": request.GET.get("e") or "page_view", "url": request.GET.get("u", "")}
            events_ingest(
                site=site, body={"visitor": request.GET.get("v") or None, "events": [event]}
            )
    except DomainError as exc:
        return _error(request, exc, site)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response
