"""The flush after a transactional test (tests/database_flush.py) leaves the database as
Django's does: on PostgreSQL every model's table empty as after its ``TRUNCATE``,
whatever references what, and no row trigger fired (the deletion log stays empty); on
both, every model's content type and permissions there, and no other."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from panorama.analytics.models import DeletedRow
from panorama.customers.models import Customer, Holding

from ..database_flush import KEPT
from ..factories import AdminFactory, CustomerFactory, HoldingFactory


@pytest.mark.django_db
def test_the_flush_empties_every_model_table_without_firing_the_deletion_log():
    if connection.vendor != "postgresql":
        pytest.skip("the cheaper flush is PostgreSQL's (SQLite's flush is Django's)")
    statements = connection.ops.sql_flush(None, ["customers_customer"])
    assert statements[0].startswith("DO $$"), statements  # the cheaper flush is in use
    HoldingFactory(customer=CustomerFactory())  # a row referencing another
    AdminFactory()
    DeletedRow.objects.all().delete()
    assert Customer.objects.exists() and Holding.objects.exists()

    # As TransactionTestCase does (post_migrate aside), inside the test's transaction.
    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        reset_sequences=False,
        inhibit_post_migrate=True,
    )

    left = {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in KEPT
    }
    assert {table: rows for table, rows in left.items() if rows} == {}
    assert not DeletedRow.objects.exists()  # Customer and Holding are logged tables


@pytest.mark.django_db
def test_after_the_flush_every_model_has_its_content_type_and_permissions_and_no_other(
    monkeypatch,
):
    """The flush keeps the migration's content types and permissions (post_migrate would
    write the same rows back): one a test deleted comes back, one a test added goes."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from .. import database_flush

    # What the flush keeps is noted again after this test's first flush: put it back
    # with the rest at the test's end.
    monkeypatch.setattr(database_flush, "_kept", dict(database_flush._kept))

    def content_types():
        return set(ContentType.objects.values_list("app_label", "model"))

    def permissions():
        return set(Permission.objects.values_list("content_type__app_label", "codename"))

    models = {(model._meta.app_label, model._meta.model_name) for model in apps.get_models()}
    types, codenames = content_types(), permissions()
    assert models <= types and ("customers", "view_holding") in codenames
    kept = ContentType.objects.get_by_natural_key("customers", "customer").pk

    ContentType.objects.create(app_label="scratch", model="thing")
    ContentType.objects.get_by_natural_key("customers", "holding").delete()  # and its permissions
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    assert (content_types(), permissions()) == (types, codenames)

    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    assert (content_types(), permissions()) == (types, codenames)
    assert ContentType.objects.get_by_natural_key("customers", "customer").pk == kept
