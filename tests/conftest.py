from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from panorama.accounts.models import Role
from panorama.accounts.services import api_token_create
from panorama.core.events import subscribe, unsubscribe

from .factories import AdminFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _default_language():
    """A request may switch the thread to its user's language (as in production, where
    the next request sets its own): put the default back so tests stay independent."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached list totals (core.lists) are keyed by user id, which a rolled-back test
    hands to the next one: each test starts with an empty cache."""
    cache.clear()


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin")


@pytest.fixture
def team(db):
    return TeamFactory(name="Madrid Centro")


@pytest.fixture
def rep(db, team):
    return UserFactory(username="rep", role=Role.SALES_REP, teams=[team])


class ApiClient:
    """Calls the real API through Django's test client with a real bearer token."""

    def __init__(self, client, user):
        _token, self.key = api_token_create(user=user)
        self.client = client
        self.user = user

    def _call(self, method, path, json=None, **kwargs):
        headers = {"Authorization": f"Bearer {self.key}"}
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        if json is not None:
            return getattr(self.client, method)(
                url, data=json, content_type="application/json", headers=headers, **kwargs
            )
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, json=None, **kw):
        return self._call("post", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self._call("patch", path, json=json, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api(client, admin_user):
    return ApiClient(client, admin_user)


@pytest.fixture
def api_as(client):
    return lambda user: ApiClient(client, user)


@pytest.fixture
def emitted(django_capture_on_commit_callbacks):
    """The domain events a write emits, delivered as after its commit::

    with emitted() as events:
        group_create(...)
    assert events == [("group.created", {...})]
    """

    @contextmanager
    def capture():
        events: list[tuple[str, dict]] = []

        def record(name, payload):
            events.append((name, payload))

        subscribe("*", record)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield events
        finally:
            unsubscribe("*", record)

    return capture


@pytest.fixture
def migrate(transactional_db):
    """Move the test database to ``targets`` (a list of (app, migration)) and return the
    models as they were then; the latest schema is back after the test, whatever it did."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def to(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield to
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
