"""Loyalty movements in the warehouse: the points ledger loaded in bulk by the build,
appended by the refresh, carried to the survivor of a merge, gone with an erased
customer, and summed per programme and kind in the loyalty mart."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.analytics.warehouse import engine, load
from panorama.analytics.warehouse.selectors import Filters, drill_rows, widget_data
from panorama.customers.models import Customer
from panorama.loyalty.models import Membership
from panorama.loyalty.services.members import member_enrol, movement_post
from panorama.loyalty.services.programmes import programme_save
from tests.factories import UserFactory


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def club(shop):
    programme = programme_save(by=None, name="Club")
    laura = member_enrol(by=None, programme_id=programme.pk, customer_id=shop["laura"].pk)
    pedro = member_enrol(by=None, programme_id=programme.pk, customer_id=shop["pedro"].pk)
    movement_post(membership=laura, kind="earn", points=300)
    movement_post(membership=laura, kind="redeem", points=-100)
    movement_post(membership=pedro, kind="earn", points=50)
    return {"programme": programme, "laura": laura, "pedro": pedro}


def test_the_build_loads_the_points_ledger_and_the_loyalty_mart(club, shop):
    result = load.warehouse_build()
    assert result.rows["fact_loyalty_movement"] == 3
    assert rows(
        "SELECT customer_id, kind, points FROM fact_loyalty_movement ORDER BY movement_id"
    ) == [
        (shop["laura"].pk, "earn", 300),
        (shop["laura"].pk, "redeem", -100),
        (shop["pedro"].pk, "earn", 50),
    ]
    assert rows(
        "SELECT kind, SUM(points_in), SUM(points_out), SUM(members) FROM mart_marketing_loyalty "
        "GROUP BY 1 ORDER BY 1"
    ) == [("earn", 350, 0, 2), ("redeem", 0, 100, 1)]
    text = str(rows("SELECT * FROM fact_loyalty_movement"))
    assert club["laura"].card_number not in text  # the card number stays out


def test_a_refresh_appends_movements_follows_a_merge_and_forgets_an_erasure(club, shop):
    load.warehouse_build()
    movement_post(membership=club["laura"], kind="earn", points=20)
    # A merge moves Laura's membership to Marta (the survivor).
    Membership.objects.filter(pk=club["laura"].pk).update(customer=shop["marta"])
    Customer.objects.filter(pk=shop["pedro"].pk).delete()  # erasure: his card cascades

    result = load.warehouse_refresh()

    assert result.deleted["fact_loyalty_movement"] == 1
    assert rows("SELECT customer_id, SUM(points) FROM fact_loyalty_movement GROUP BY 1") == [
        (shop["marta"].pk, 220)
    ]


def test_the_marketing_dashboard_shows_points_per_programme_within_the_scope(club, shop, client):
    load.warehouse_build()
    analyst = UserFactory(role=Role.ANALYST)
    everyone = widget_data(user=analyst, department="marketing", key="loyalty", filters=Filters())
    assert [tuple(r) for r in everyone.rows] == [("Club", 350, 100, 3)]
    # The team filter keeps the South team's customers (Pedro) only, in the chart and in
    # its drill-down.
    south = Filters(team_id=shop["pedro"].team_id)
    scoped = widget_data(user=analyst, department="marketing", key="loyalty", filters=south)
    assert [tuple(r) for r in scoped.rows] == [("Club", 50, 0, 1)]
    _widget, drilled = drill_rows(
        user=analyst, department="marketing", key="loyalty", label="Club", filters=south
    )
    assert [(r[0], r[2], r[3]) for r in drilled] == [(shop["pedro"].pk, 50, 0)]

    client.force_login(UserFactory(username="mkt", role=Role.MARKETING))
    body = client.get(reverse("analytics:warehouse:dashboard", args=["marketing"])).content
    assert "Loyalty points per programme" in body.decode()
    drill = client.get(
        reverse("analytics:warehouse:drill", args=["marketing", "loyalty"]), {"label": "Club"}
    ).content.decode()
    assert "Laura" in drill and "Pedro" in drill and "Marta" not in drill
