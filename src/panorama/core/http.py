"""Small pieces of HTTP shared by the web views and the API."""

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header


def client_ip(request) -> str | None:
    """The caller's address (for the audit log and the sign-in throttle).

    Behind ``PANORAMA_PROXY_COUNT`` trusted proxies it is the address the outermost of
    them appended to X-Forwarded-For: the entries left of it come from the caller and
    could be anything, so they are never read.
    """
    if request is None:
        return None
    proxies = settings.PANORAMA_PROXY_COUNT
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def own_origin(request) -> str:
    """Panorama's own origin as the browser sees it (scheme and host of this request):
    a page Panorama served itself, e.g. the customer portal's."""
    return request.build_absolute_uri("/").rstrip("/")


def csv_download(chunks: Iterable[str], filename: str) -> StreamingHttpResponse:
    """A CSV file streamed as it is produced, offered as a download."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    # Django's helper quotes the name and encodes one that is not ASCII (RFC 6266).
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
