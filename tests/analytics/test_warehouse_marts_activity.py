"""The commercial activity mart, kept from a per-customer table: after each kind of change
a refresh changes only the changed customers' part of it, and it equals, row for row,
what a full build of the same data makes; a refresh stopped after its tables and before
its marts leaves the changed customers to the next one."""

import datetime
import shutil

import duckdb
import pytest

from panorama.analytics.warehouse import engine, load, marts
from panorama.channels.models import Interaction
from panorama.customers.models import Customer
from tests.analytics.test_warehouse_marts_refresh import differences
from tests.factories import CustomerFactory, InteractionFactory

ACTIVITY = marts.sums.NAME
ALL_ZERO = dict.fromkeys((*marts.MART_NAMES, marts.SCORE_TABLE), 0)


def activity_rows() -> set[tuple]:
    con = engine.connect(read_only=True)
    try:
        return set(con.execute(f"SELECT * FROM {ACTIVITY}").fetchall())  # noqa: S608
    finally:
        con.close()


def plain_statement_differs() -> int:
    """Rows in which the kept mart and its plain statement (the one Spark runs) differ."""
    con = engine.connect(read_only=True)
    try:
        mart = next(m for m in marts.MARTS if m.name == ACTIVITY)
        plain = mart.sql(marts.base.DUCKDB)
        return con.execute(
            f"SELECT count(*) FROM ((SELECT * FROM {ACTIVITY} EXCEPT ALL {plain}) "  # noqa: S608
            f"UNION ALL ({plain} EXCEPT ALL SELECT * FROM {ACTIVITY}))"
        ).fetchone()[0]
    finally:
        con.close()


def refreshed_equals_build(tmp_path) -> dict[str, int]:
    refreshed = tmp_path / "refreshed.duckdb"
    shutil.copy(engine.warehouse_file(), refreshed)
    load.warehouse_build()
    return differences(engine.warehouse_file(), refreshed)


def ago(days: int) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)


@pytest.fixture
def callers(shop):
    """Customers of both reps with interactions in two months and two channels."""
    out = {}
    for name, owner in (("Lola", shop["ana"]), ("Tomás", shop["bruno"]), ("Inés", shop["ana"])):
        customer = CustomerFactory(first_name=name, owner=owner, team=owner.teams.first())
        InteractionFactory(customer=customer, channel="phone", occurred_at=ago(3))
        InteractionFactory(customer=customer, channel="email", occurred_at=ago(70))
        out[name] = customer
    # A group of one: Inés's only chat, 200 days ago.
    out["chat"] = InteractionFactory(
        customer=out["Inés"], channel="chat", occurred_at=ago(200), duration_seconds=60
    )
    return out


@pytest.mark.parametrize(
    "change",
    [
        "new interaction in a new group",
        "new interactions in existing groups",
        "new interaction and a new owner",
        "new interaction and a deleted one",
        "new interaction and a new status",
        "deleted interaction",
        "new owner",
        "erased",
    ],
)
def test_each_kind_of_change_leaves_the_activity_mart_equal_to_a_build(
    shop, callers, tmp_path, change
):
    load.warehouse_build()
    assert plain_statement_differs() == 0  # built from the per-customer table
    before = activity_rows()
    lola, ines = callers["Lola"], callers["Inés"]
    if change == "new interaction in a new group":
        InteractionFactory(customer=lola, channel="sms", occurred_at=ago(400))
    elif change == "new interactions in existing groups":
        # Added to rows Lola and Tomás already have (same month, channel, direction), and
        # one in a month only Inés had: their groups' interactions and seconds grow,
        # their customers stay, but where a row is new.
        phone = Interaction.objects.get(customer=lola, channel="phone")
        for customer in (lola, callers["Tomás"]):
            InteractionFactory(
                customer=customer,
                channel="phone",
                direction=phone.direction,
                occurred_at=phone.occurred_at,
                duration_seconds=45,
            )
        InteractionFactory(customer=lola, channel="chat", occurred_at=ago(200))
    elif change == "new interaction and a new owner":
        InteractionFactory(customer=ines, channel="phone", occurred_at=ago(3))
        ines.owner, ines.team = shop["bruno"], shop["bruno"].teams.first()
        ines.save()
    elif change == "new interaction and a new status":
        # A new version of the customer, same owner and team: his rows are not made
        # again, his new interaction is added to them.
        InteractionFactory(customer=lola, channel="email", occurred_at=ago(70))
        lola.status = "inactive" if lola.status == "active" else "active"
        lola.save()
    elif change == "new interaction and a deleted one":
        InteractionFactory(customer=ines, channel="email", occurred_at=ago(70))
        Interaction.objects.filter(pk=callers["chat"].pk).delete()
    elif change == "deleted interaction":
        Interaction.objects.filter(pk=callers["chat"].pk).delete()  # its group empties
    elif change == "new owner":
        ines.owner, ines.team = shop["bruno"], shop["bruno"].teams.first()
        ines.save()
    else:
        Customer.objects.filter(pk=lola.pk).delete()

    result = load.warehouse_refresh()

    assert ACTIVITY in result.marts_per_customer
    assert activity_rows() != before
    assert plain_statement_differs() == 0
    assert refreshed_equals_build(tmp_path) == ALL_ZERO


def test_a_refresh_stopped_before_its_marts_leaves_them_to_the_next(
    shop, callers, tmp_path, monkeypatch
):
    load.warehouse_build()
    InteractionFactory(customer=callers["Tomás"], channel="sms", occurred_at=ago(1))
    Customer.objects.filter(pk=callers["Lola"].pk).delete()

    def stopped(*args, **kwargs):
        raise RuntimeError("stopped")

    with monkeypatch.context() as patched:
        patched.setattr(marts, "marts_build", stopped)
        with pytest.raises(RuntimeError):
            load.warehouse_refresh()
    # The tables committed, the marts did not: the changed customers wait in the file.
    con = duckdb.connect(str(engine.warehouse_file()), read_only=True)
    try:
        keys = f"SELECT customer_id FROM {marts.changes.KEYS}"
        waiting = {r[0] for r in con.execute(keys).fetchall()}
    finally:
        con.close()
    assert {callers["Tomás"].pk, callers["Lola"].pk} <= waiting

    result = load.warehouse_refresh()  # nothing new: it builds what the last one left

    assert ACTIVITY in result.marts_per_customer
    assert refreshed_equals_build(tmp_path) == ALL_ZERO
