"""Sending schemathesis' generated requests to the API inside the test.

The requests go through Django's WSGI handler, with every middleware, the
authentication, the routers and the error handler, in the test's own thread and
transaction (no live server): each test ends with a rollback instead of emptying every
table, which on PostgreSQL cost the fuzz tests most of their time. Each request runs in
a savepoint rolled back after it, so every generated request meets the same records,
and a database error one of them hits (PostgreSQL then refuses every statement until a
rollback) cannot turn the next request into a 500 that production, which commits per
request, would never give.
"""

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
        yield WSGIHandler()
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
