"""The table widgets find their first rows in the mart before joining the names
(``selectors._top_cut``): the rows and their order must be those of the plain query
(every scoped mart row joined to its name, sorted, cut at 50), with ties at the 50th
row and a rep's or a manager's scope."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.analytics.warehouse import dashboards, engine, load
from panorama.analytics.warehouse.selectors import Filters, _where, top_rows_plain, widget_data
from panorama.catalog.models import Product
from panorama.customers.selectors import customers_visible_to
from panorama.sales.models import Quote
from tests.factories import CustomerFactory, TeamFactory, UserFactory

from .conftest import order_make


@pytest.fixture
def crowd(transactional_db, wh_settings):
    """40 customers spent 100 (three in the South team, two of those Ana's), 20 spent 50
    (Ana's, eight of them all named "Ana García"), 5 spent 20 (North's); Bruno (South)
    has 15 more at 100 and 15 at 50. Each customer has one order and one quote of that
    amount. So the 50th row falls inside a tie for Ana (a rep of North: 39 at 100, then
    the 50s), for North's manager (37, then the 50s) and for everyone (55 at 100)."""
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    ana = UserFactory(username="ana", role=Role.SALES_REP, teams=[north])
    bruno = UserFactory(username="bruno", role=Role.SALES_REP, teams=[south])
    manager = UserFactory(username="marta", role=Role.SALES_MANAGER)
    manager.managed_teams.set([north])
    products = {
        v: Product.objects.create(sku=f"P{v}", name=f"P{v}", list_price=Decimal(v))
        for v in (100, 50, 20)
    }
    spent: dict[int, int] = {}

    def buyer(value, *, owner, team, same_name=False):
        names = {"first_name": "Ana", "last_name": "García"} if same_name else {}
        customer = CustomerFactory(owner=owner, team=team, **names)
        order_make(customer, [products[value]])
        Quote.objects.create(
            customer=customer,
            owner=owner,
            team=team,
            status="sent",
            total=value,
            currency="EUR",
            valid_until=datetime.date.today() + datetime.timedelta(days=30),
            sent_at=timezone.now(),
        )
        spent[customer.pk] = value

    for n in range(40):
        buyer(100, owner=ana if n % 4 else None, team=south if n < 3 else north)
    for n in range(20):
        buyer(50, owner=ana, team=north, same_name=n % 2 == 0 and n < 16)
    for _ in range(5):
        buyer(20, owner=None, team=north)
    for value in [100] * 15 + [50] * 15:
        buyer(value, owner=bruno, team=south)
    return {
        "ana": ana,
        "manager": manager,
        "analyst": UserFactory(role=Role.ANALYST),
        "north": north,
        "spent": spent,
    }


def plain(user, department: str, key: str, filters: Filters) -> list[tuple]:
    """The widget's query as it ran before: every scoped mart row joined to its name,
    ordered and cut."""
    widget = dashboards.widget_get(department, key)
    where, params = _where(user, widget, filters, "m")
    con = engine.connect(read_only=True)
    try:
        sql = widget.sql.format(rows=top_rows_plain(widget, where))
        return con.execute(f"{sql} LIMIT 50", params).fetchall()
    finally:
        con.close()


CASES = [
    ("analyst", "finance", "profitability", False),
    ("analyst", "finance", "profitability", True),  # the team filter: North only
    ("manager", "finance", "profitability", False),
    ("analyst", "marketing", "priority", False),  # two keys: value at risk (0), revenue
    ("analyst", "marketing", "priority", True),
    ("ana", "salesadmin", "offers", False),
    ("analyst", "salesadmin", "offers", False),
]


def test_the_first_rows_are_the_plain_querys_with_ties_at_the_cut(crowd):
    load.warehouse_build()
    for who, department, key, north_only in CASES:
        user = crowd[who]
        filters = Filters(team_id=crowd["north"].pk if north_only else None)
        rows = widget_data(user=user, department=department, key=key, filters=filters).rows
        assert rows == plain(user, department, key, filters), (who, key, north_only)

        visible = customers_visible_to(user)
        if north_only:
            visible = visible.filter(team=crowd["north"])
        amounts = {pk: crowd["spent"][pk] for pk in visible.values_list("pk", flat=True)}
        assert len(rows) == 50
        assert {r[0] for r in rows} <= set(amounts)
        shown = [amounts[r[0]] for r in rows]
        assert shown == sorted(shown, reverse=True)
        # The cut falls inside a tie: some customers of the 50th row's amount are left
        # out, and those shown at that amount come by name, then by id.
        last = shown[-1]
        assert list(amounts.values()).count(last) > shown.count(last)
        tied = [(r[1], r[0]) for r in rows if amounts[r[0]] == last]
        assert tied == sorted(tied)
