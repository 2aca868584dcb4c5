import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from panorama.accounts.models import Role
from panorama.accounts.services import api_token_create
from panorama.core.events import subscribe, unsubscribe

from .factories import AdminFactory, TeamFactory, UserFactory

pytest_plugins = [
    "tests.smtp",  # the real SMTP server fixture, for every test
    "tests.api.fuzzing",  # api_app: the fuzz tests' in-process API
]

# Fixtures that open the test database (item.fixturenames holds the fixtures the ones a
# test asks for depend on, so admin_user, api... count through db).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_setup",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


# The longest tests (minutes each: the browser walks, the Spark job, the processes the
# server starts). pytest-django runs the transactional and the database-free tests after
# the others, and these files sort late: one worker ended the run alone on them for
# minutes while the other idled. They now start where that part of the run starts.
LONGEST = (
    "tests/browser/test_walk.py",
    "tests/browser/test_analytics_axe.py",
    "tests/analytics/test_spark.py",
    "tests/core/test_serve.py",
    "tests/core/test_jobs_processes.py",
    "tests/core/test_demo_token.py",
    "tests/browser/test_sales_floor.py",
)


class _DatabaseIndependent:
    """Marks ``database_independent`` the tests that cannot reach the suite's database (no
    ``django_db`` mark, no fixture that opens it: pytest-django refuses their queries).
    They behave the same on every database, so the PostgreSQL run leaves them out
    (Makefile, PG_MARKS); a test may also be marked by hand when it runs on a database of
    its own whatever the suite's. First of the hooks: ``-m`` deselects by the marks as
    they are when its own hook runs (marked last, as before, the PostgreSQL run still ran
    all of them: the Spark job, the server's processes...)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items):
        for item in items:
            if item.get_closest_marker("django_db") is None and not DATABASE_FIXTURES.intersection(
                item.fixturenames
            ):
                item.add_marker(pytest.mark.database_independent)


def pytest_configure(config):
    config.pluginmanager.register(_DatabaseIndependent(), "panorama-database-independent")


@pytest.hookimpl(trylast=True)  # after pytest-django's ordering
def pytest_collection_modifyitems(items):
    """Move the LONGEST tests to where the transactional and database-free part of the
    run begins."""
    longest = sorted(
        (item for item in items if item.nodeid.startswith(LONGEST)),
        key=lambda item: next(n for n, path in enumerate(LONGEST) if item.nodeid.startswith(path)),
    )
    if not longest:
        return
    rest = [item for item in items if not item.nodeid.startswith(LONGEST)]
    start = next((n for n, item in enumerate(rest) if not _rolled_back(item)), len(rest))
    items[:] = rest[:start] + longest + rest[start:]


def _rolled_back(item) -> bool:
    """Whether the test runs inside a transaction rolled back after it (pytest-django's
    first group), which must stay before the tests that flush the database."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return False
    if {"transactional_db", "live_server"}.intersection(item.fixturenames):
        return False
    return marker is not None or "db" in item.fixturenames


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


@pytest.fixture(autouse=True)
def _rules_forgotten():
    """The rules engine keeps the active rules for 5 s per process (and the outbox asks
    it whether a channel event is wanted): a rolled-back test's rules must not reach the
    next one, and whether a query reads them must not depend on the clock."""
    from panorama.automation.engine import rules_forget

    rules_forget()


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

    def put(self, path, json=None, **kw):
        return self._call("put", path, json=json, **kw)

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
def migrate(db, tmp_path):
    """Move a database of the test's own to ``targets`` (a list of (app, migration)) and
    return the models as they were then.

    The database starts empty, so reaching a target applies only the migrations it
    depends on (not the whole schema), and the suite's test database is left alone: no
    unapplying and reapplying every later migration of every app, no flush. For the
    test's duration it is the ``default`` connection, so the migrations' data functions
    and the historical models the test uses read and write it, as they would in a real
    upgrade. SQLite: a file; PostgreSQL: a database beside the test database.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import load_backend

    original = connections[DEFAULT_DB_ALIAS]
    settings_dict = {**original.settings_dict}
    postgres = original.vendor == "postgresql"
    if postgres:
        settings_dict["NAME"] = f"{original.settings_dict['NAME']}_migrations"
        with original._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    else:
        settings_dict["NAME"] = str(tmp_path / "migrations.sqlite3")
    scratch = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = scratch

    def to(targets):
        executor = MigrationExecutor(scratch)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    try:
        yield to
    finally:
        scratch.close()
        connections[DEFAULT_DB_ALIAS] = original
        if postgres:
            with original._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
    tmp_path_factory,
):
    """pytest-django's set-up, except that the database is migrated once per run and the
    other xdist workers start from a copy of it (tests/database_setup.py)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from . import database_flush, database_setup

    worker = getattr(request.config, "workerinput", {}).get("workerid")
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    if worker is None or not database_setup.can_copy(
        aliases, django_db_use_migrations and not django_db_keepdb and not django_db_createdb
    ):
        # pytest-django's own django_db_setup
        if not django_db_use_migrations:
            _disable_migrations()
        keepdb = django_db_keepdb and not django_db_createdb
        with django_db_blocker.unblock():
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                keepdb=keepdb,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
            )
            database_flush.install()
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(db_cfg, verbosity=verbosity)
        return
    workers = int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    shared = tmp_path_factory.getbasetemp().parent  # the run's, shared by its workers
    with django_db_blocker.unblock(), database_setup.prepared(shared, worker, workers) as copied:
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            keepdb=copied,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
        )
        database_flush.install()
    yield
    with django_db_blocker.unblock():
        database_setup.disconnect_others()
        teardown_databases(db_cfg, verbosity=verbosity)
        database_setup.release()
