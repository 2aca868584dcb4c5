"""The PostgreSQL run's flush after a transactional test (tests/database_flush.py)
leaves the database as Django's ``TRUNCATE`` does: every model's table empty, whatever
references what, and no row trigger fired (the deletion log stays empty)."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from panorama.analytics.models import DeletedRow
from panorama.customers.models import Customer, Holding

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
        if model._meta.managed and not model._meta.proxy
    }
    assert {table: rows for table, rows in left.items() if rows} == {}
    assert not DeletedRow.objects.exists()  # Customer and Holding are logged tables
