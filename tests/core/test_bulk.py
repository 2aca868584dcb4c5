"""``core.bulk``: the import's and the seeder's writer, on SQLite and on PostgreSQL.

What it writes must read back exactly as the ORM would have written it (every type,
on each database), its ids must never collide with another writer's, and the seeder's
explicit ids must leave the ORM able to create records after them.
"""

import datetime
import gc
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from panorama.core import bulk, bulk_session
from panorama.customers.models import Address, Customer, Holding, Identity
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _customer(name: str, **values) -> Customer:
    return Customer(display_name=name, search_name=name.lower(), **values)


def _row(model, **values) -> list:
    """One row for ``rows_insert``: every column in ``model_attnames`` order."""
    names = bulk.model_attnames(model)
    unknown = set(values) - set(names)
    assert not unknown, unknown
    return [values.get(name) for name in names]


# What a new customer's row holds besides its names (the columns have no database default).
CUSTOMER = {
    "kind": "person",
    "status": "active",
    "first_name": "",
    "last_name": "",
    "legal_name": "",
    "search_last": "",
    "language": "",
    "custom_fields": {},
    "notes": "",
}


def _customer_row(name: str, **values) -> list:
    return _row(Customer, display_name=name, search_name=name.lower(), **{**CUSTOMER, **values})


# --- objects_insert: unsaved instances ---------------------------------------------------


def test_objects_insert_saves_instances_and_their_children_as_the_orm_reads_them():
    before = CustomerFactory()  # ids continue after what is there
    ana = _customer(
        "Ana",
        first_name="Ana",
        birth_date=datetime.date(1980, 2, 29),
        custom_fields={"segment": "gold", "score": 7, "tags": ["a", "ñ"], "vip": True},
        notes="línea 1\nlínea 2\ttab",
    )
    luis = _customer("Luis", kind=Customer.Kind.ORGANISATION, legal_name="Luis SL")
    # Identities built on the customers before they are saved, as the import does.
    phone = Identity(customer=ana, kind="phone", value="+34600112233", is_primary=True)
    email = Identity(customer=luis, kind="email", value="luis@example.com")
    assert phone.customer_id is None
    bulk.objects_insert([ana, luis])

    assert ana.pk > before.pk and luis.pk == ana.pk + 1
    assert not ana._state.adding and ana._state.db == "default"
    bulk.objects_insert([phone, email])  # their customer_id comes from the saved customer
    assert phone.customer_id == ana.pk

    stored = Customer.objects.get(pk=ana.pk)
    assert stored.birth_date == datetime.date(1980, 2, 29)
    assert stored.custom_fields == {"segment": "gold", "score": 7, "tags": ["a", "ñ"], "vip": True}
    assert stored.notes == "línea 1\nlínea 2\ttab"
    assert stored.kind == "person" and stored.status == "active"  # the fields' defaults
    # auto_now / auto_now_add: one aware instant for the whole batch, as one INSERT.
    assert stored.created_at == stored.updated_at == Customer.objects.get(pk=luis.pk).created_at
    assert stored.created_at.tzinfo is not None
    assert set(stored.identities.values_list("kind", "value", "is_primary")) == {
        ("phone", "+34600112233", True)
    }
    assert Identity.objects.get(pk=email.pk).customer_id == luis.pk
    assert Identity.objects.get(pk=phone.pk).created_at is not None


def test_objects_insert_of_nothing_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk.objects_insert([])
        assert bulk.rows_insert(Customer, []) == []
        assert bulk.ids_reserve(Customer, 0) == []


def test_an_instance_with_its_own_id_keeps_it():
    ana = _customer("Ana")
    ana.pk = 4242
    bulk.objects_insert([ana, _customer("Luis")])
    assert Customer.objects.filter(pk=4242, display_name="Ana").exists()
    assert Customer.objects.get(display_name="Luis").pk != 4242


# --- rows_insert: plain column values ------------------------------------------------------


def test_rows_insert_writes_every_type_and_returns_the_ids():
    customer_id = bulk.rows_insert(Customer, [_customer_row("Ana")])[0]
    rows = [
        _row(
            Holding,
            customer_id=customer_id,
            product_code="MORT-01",
            product_name="Hipoteca",
            category="",
            status="active",
            conditions={"rate": "2.1%", "months": 240, "insured": False, "nested": {"x": None}},
            start_date=datetime.date(2020, 1, 31),
            end_date=None,
            price=Decimal("1234567890.12"),
            currency="EUR",
            external_id="",
        ),
        _row(
            Holding,
            customer_id=customer_id,
            product_code="CARD",
            product_name="Tarjeta",
            category="cards",
            status="ended",
            conditions={},
            start_date=datetime.date(2019, 1, 1),
            end_date=datetime.date(2021, 6, 30),
            price=Decimal("0.10"),
            currency="EUR",
            external_id="X-1",
        ),
    ]
    ids = bulk.rows_insert(Holding, rows)

    assert len(ids) == 2 and ids[1] == ids[0] + 1
    mortgage, card = Holding.objects.get(pk=ids[0]), Holding.objects.get(pk=ids[1])
    assert mortgage.conditions == {
        "rate": "2.1%",
        "months": 240,
        "insured": False,
        "nested": {"x": None},
    }
    assert mortgage.price == Decimal("1234567890.12") and mortgage.end_date is None
    assert card.price == Decimal("0.10") and card.end_date == datetime.date(2021, 6, 30)
    assert card.conditions == {} and card.start_date == datetime.date(2019, 1, 1)
    # The JSON is real JSON in the database, not a string of it: lookups into it work.
    assert list(Holding.objects.filter(conditions__months=240).values_list("pk", flat=True)) == [
        ids[0]
    ]


def test_rows_insert_sets_the_same_values_on_every_row_and_stamps_the_batch():
    a, b = CustomerFactory(), CustomerFactory()
    rows = [
        _row(Address, line1="Calle Mayor 1", country="ES", kind="home", is_primary=True),
        _row(Address, line1="Gran Vía 2", country="ES", kind="work", is_primary=False),
    ]
    for row in rows:
        for name in ("line2", "postal_code", "city", "region"):
            row[bulk.model_attnames(Address).index(name)] = ""
    bulk.rows_insert(Address, rows, customer_id=a.pk)
    assert set(Address.objects.values_list("customer_id", "line1")) == {
        (a.pk, "Calle Mayor 1"),
        (a.pk, "Gran Vía 2"),
    }
    assert not b.addresses.exists()

    new = bulk.rows_insert(
        Customer, [_customer_row("Eva"), _customer_row("Olga")], status="prospect"
    )
    stored = list(Customer.objects.filter(pk__in=new).order_by("pk"))
    assert [c.status for c in stored] == ["prospect", "prospect"]
    assert stored[0].created_at == stored[1].created_at == stored[0].updated_at


def test_a_row_that_breaks_a_constraint_is_refused_like_an_orm_write():
    ana = CustomerFactory()
    row = _row(
        Identity,
        customer_id=ana.pk,
        kind="email",
        value="a@example.com",
        label="",
        is_primary=False,
        verified=False,
    )
    bulk.rows_insert(Identity, [row])
    again = _row(
        Identity,
        customer_id=ana.pk,
        kind="email",
        value="a@example.com",
        label="",
        is_primary=False,
        verified=False,
    )
    with pytest.raises(Exception) as refused, transaction.atomic():
        bulk.rows_insert(Identity, [again])
    assert "unique" in str(refused.value).lower()
    assert ana.identities.count() == 1


# --- ids_reserve -----------------------------------------------------------------------


def test_reserved_ids_follow_the_table_and_are_never_reused_after_a_delete():
    first = CustomerFactory()
    last = CustomerFactory()
    with transaction.atomic():
        ids = bulk.ids_reserve(Customer, 3)
    assert ids == [ids[0], ids[0] + 1, ids[0] + 2] and ids[0] > last.pk
    bulk.rows_insert(Customer, [_customer_row(f"C{i}", id=i) for i in ids])

    Customer.objects.filter(pk__in=ids).delete()  # the newest rows go away
    with transaction.atomic():
        again = bulk.ids_reserve(Customer, 2)
    # Their ids are not handed out again (a deleted customer's id may still be quoted
    # in an export, an undo record, a log line).
    assert min(again) > max(ids) > first.pk


@pytest.mark.skipif("connection.vendor != 'sqlite'")
@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_on_sqlite_ids_are_reserved_only_under_the_write_lock():
    with pytest.raises(RuntimeError, match="write lock"):
        bulk.ids_reserve(Customer, 1)


@pytest.mark.django_db(transaction=True)
def test_ids_reserved_by_the_import_are_never_taken_by_a_writer_beside_it():
    """The import reserves ids, then writes; a user creates a customer in between."""
    reserved, attempted, committed = threading.Event(), threading.Event(), threading.Event()
    outcome: dict = {}

    def other_writer():
        try:
            reserved.wait(10)
            for _attempt in range(2):
                try:
                    with transaction.atomic():
                        other = Customer.objects.create(display_name="Beside", search_name="b")
                    outcome["id"] = other.pk
                    outcome["before_commit"] = not committed.is_set()
                    return
                except OperationalError as exc:  # SQLite: the import holds the write lock
                    outcome["waited"] = str(exc)
                finally:
                    attempted.set()
                committed.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    try:
        with transaction.atomic():
            ids = bulk.ids_reserve(Customer, 50)
            reserved.set()
            assert attempted.wait(10)  # the other writer has written or been held off
            bulk.rows_insert(Customer, [_customer_row(f"I{i}", id=i) for i in ids])
        committed.set()
    finally:
        committed.set()
        thread.join(20)

    assert outcome["id"] not in ids
    assert Customer.objects.count() == 51
    if connection.vendor == "postgresql":
        # The sequence hands the other writer an id past the reservation, at once.
        assert outcome["before_commit"] and outcome["id"] > max(ids)
    else:
        # SQLite: the other writer is held off until the import commits, then follows it.
        assert "locked" in outcome["waited"] and not outcome["before_commit"]
        assert outcome["id"] == max(ids) + 1


# --- TableWriter: the seeder's COPY / executemany ------------------------------------------


def test_the_table_writer_copies_on_postgresql_and_inserts_many_on_sqlite():
    columns = ["id", "display_name", "search_name", "kind", "status", "first_name",
               "last_name", "legal_name", "search_last", "birth_date", "language",
               "custom_fields", "notes", "created_at", "updated_at"]  # fmt: skip
    customers = bulk.TableWriter(Customer, columns)
    identities = bulk.TableWriter(
        Identity,
        [
            "id",
            "customer",
            "kind",
            "value",
            "label",
            "is_primary",
            "verified",
            "created_at",
        ],
    )
    start = bulk.next_id(Customer)
    at = datetime.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    gold = {"segment": "gold", "since": 2020}  # one dict for many rows, as the seeder does
    for i in range(3):
        customers.add(
            (
                start + i,
                f"Ana {i}",
                f"ana {i}",
                "person",
                "active",
                "Ana",
                str(i),
                "",
                str(i),
                datetime.date(1990, 1, 1 + i) if i else None,
                "es",
                gold if i else {},
                "tab\there\nnewline \\ backslash",
                at,
                at,
            )
        )
        identities.add((start + i, start + i, "email", f"ana{i}@example.com", "", True, False, at))

    assert bool(customers.copy_sql) == (connection.vendor == "postgresql")
    written = bulk.flush_all([customers, identities])  # parents first

    assert written == 6 and customers.written == 3 and customers.rows == []
    stored = list(Customer.objects.filter(pk__gte=start).order_by("pk"))
    assert [c.display_name for c in stored] == ["Ana 0", "Ana 1", "Ana 2"]
    assert [c.birth_date for c in stored] == [
        None,
        datetime.date(1990, 1, 2),
        datetime.date(1990, 1, 3),
    ]
    assert [c.custom_fields for c in stored] == [{}, gold, gold]
    # COPY's text format escapes tabs, newlines and backslashes: they come back intact.
    assert stored[0].notes == "tab\there\nnewline \\ backslash"
    assert stored[2].created_at == at
    assert stored[1].identities.get().value == "ana1@example.com"
    assert bulk.flush_all([customers]) == 0  # nothing pending: nothing written


def test_after_explicit_ids_the_orm_creates_past_them():
    """The seeder writes its own ids; afterwards the app must still create customers."""
    columns = ["id", "display_name", "search_name", *CUSTOMER, "created_at", "updated_at"]
    writer = bulk.TableWriter(Customer, columns)
    high = bulk.next_id(Customer) + 1000
    now = datetime.datetime.now(datetime.UTC)
    writer.add((high, "Seeded", "seeded", *CUSTOMER.values(), now, now))
    bulk.flush_all([writer])
    bulk_session.reset_sequences([Customer])
    created = CustomerFactory()
    assert created.pk > high


# --- model_new: instances without Django's per-field work ----------------------------------


def test_model_new_builds_what_the_model_constructor_builds():
    ana = CustomerFactory()
    fast = bulk.model_new(Identity, customer=ana, kind="phone", value="+34600112233")
    plain = Identity(customer=ana, kind="phone", value="+34600112233")
    names = [f.attname for f in Identity._meta.concrete_fields]
    assert [getattr(fast, n) for n in names] == [getattr(plain, n) for n in names]
    assert fast.customer is ana and fast._state.adding
    fresh = bulk.model_new(Customer, display_name="Eva", search_name="eva")
    other = bulk.model_new(Customer, display_name="Olga", search_name="olga")
    assert fresh.custom_fields == {} and fresh.custom_fields is not other.custom_fields
    with pytest.raises(TypeError, match="no field 'colour'"):
        bulk.model_new(Customer, colour="red")


# --- bulk mode --------------------------------------------------------------------------


def test_bulk_mode_changes_nothing_inside_a_transaction_and_restores_the_collector():
    thresholds = gc.get_threshold()
    with transaction.atomic(), bulk_session.bulk_mode():
        assert gc.get_threshold() != thresholds  # collects rarely while the work runs
        bulk.objects_insert([_customer("Ana")])
    assert gc.get_threshold() == thresholds
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.skipif("connection.vendor != 'sqlite'")
@pytest.mark.django_db(transaction=True)  # outside a transaction, as the seeder runs
def test_after_bulk_mode_sqlite_checks_foreign_keys_and_syncs_again():
    def pragma(name):
        with connection.cursor() as cursor:
            return cursor.execute(f"PRAGMA {name}").fetchone()[0]

    with bulk_session.bulk_mode():
        assert (pragma("foreign_keys"), pragma("synchronous")) == (0, 0)  # off while seeding
        with transaction.atomic():
            bulk.objects_insert([_customer("Ana")])
    assert (pragma("foreign_keys"), pragma("synchronous")) == (1, 1)  # NORMAL
    with pytest.raises(IntegrityError), transaction.atomic():
        Identity.objects.create(customer_id=999_999, kind="email", value="x@example.com")
