"""Small pieces of HTTP shared by the web views and the API."""

from collections.abc import Iterable

from django.http import StreamingHttpResponse


def client_ip(request) -> str | None:
    """The caller's address as the server saw it (for the audit log)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


def csv_download(chunks: Iterable[str], filename: str) -> StreamingHttpResponse:
    """A CSV file streamed as it is produced, offered as a download."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
