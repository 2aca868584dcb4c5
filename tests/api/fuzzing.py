"""Sending schemathesis' generated requests to the API inside the test.

The requests go through Django's WSGI handler, with every middleware, the
authentication, the routers and the error handler, in the test's own thread and
transaction (no live server): each test ends with a rollback instead of emptying every
table, which on PostgreSQL cost the fuzz tests most of their time. Each request runs in
a savepoint rolled back after it, so every generated request meets the same records,
and a database error one of them hits (PostgreSQL then refuses every statement until a
rollback) cannot turn the next request into a 500 that production, which commits per
request, would never give.

Aiming the path parameters at known records (``send``) makes many examples one
request: the twenty ids generated for ``GET /customers/{customer_id}`` all become the
known customer's, and the bearer tokens generated for the security scheme are all
replaced by the fuzzer's own. Since each request meets the same records, a request
identical to one the test has sent (method, path, query, headers, body: the bytes the
WSGI handler receives) gets the answer that one got instead of going through Django
again: every distinct request is still sent once.
"""

import io

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction


@pytest.fixture
def api_app():
    """The project's WSGI application, keeping the test's database connection: as
    Django's test client does, a request's start and end must not close it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield SentOnce(WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def send(case, *, app, headers: dict, known: dict):
    """Aim the case's path parameters at records that exist (random ids would nearly all
    be 404s, and the bodies the generator invents would never reach the services), send
    it, and roll its writes back."""
    for name, value in known.items():
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = value
    savepoint = transaction.savepoint()
    try:
        return case.call(app=app, base_url="http://testserver", headers=headers)
    finally:
        transaction.savepoint_rollback(savepoint)


# schemathesis' own header naming the generated case: different for every example, and
# nothing the API reads.
_CASE_ID = "HTTP_X_SCHEMATHESIS_TESTCASEID"


class SentOnce:
    """A WSGI application sending each distinct request to ``app`` once per test (the
    fixture is function-scoped: one per API operation) and answering a repeat with what
    the first got."""

    def __init__(self, app):
        self.app = app
        self.answers: dict[tuple, tuple] = {}
        self.sent = 0

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = sorted((k, v) for k, v in environ.items() if k.startswith("HTTP_"))
        key = (
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("CONTENT_TYPE", ""),
            tuple((k, v) for k, v in headers if k != _CASE_ID),
            body,
        )
        if key not in self.answers:
            self.sent += 1
            answer: dict = {}

            def remember(status, headers, exc_info=None):
                answer["status"], answer["headers"] = status, headers
                return lambda data: None  # Django never writes through it

            chunks = self.app(environ, remember)
            try:
                content = b"".join(chunks)
            finally:
                getattr(chunks, "close", lambda: None)()
            self.answers[key] = (answer["status"], answer["headers"], content)
        status, headers, content = self.answers[key]
        start_response(status, list(headers))
        return [content]
