# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""The sales lists cost the same number of queries for one record as for several: the
opportunity and order lists (page and API), the quotes API and the win/loss analysis
(page and API). A query per row would slow the page as the book grows."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panorama.sales.services.opportunity import opportunity_create, opportunity_move
from panorama.sales.services.order import order_create
from panorama.sales.services.quote import LineData, quote_create
from tests.factories import CustomerFactory

from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _queries(fetch: Callable[[], object]) -> int:
    fetch()  # warm: the session, the token's last use, caches
    with CaptureQueriesContext(connection) as captured:
        fetch()
    return len(captured.captured_queries)


def _same_for_one_and_six(add: Callable[[int], None], fetch: Callable[[], object]) -> None:
    add(0)
    one = _queries(fetch)
    for n in range(1, 6):
        add(n)
    assert _queries(fetch) == one


def _opportunity(rep, team, pipeline, n: int, *, close: bool = False) -> None:
    customer = CustomerFactory(owner=rep, team=team)
    made = opportunity_create(by=rep, customer_id=customer.pk, name=f"Fibra {n}", amount=100 + n)
    if close:
        won = pipeline.stages.get(name="Won")
        opportunity_move(by=rep, opportunity_id=made.pk, stage_id=won.pk)


def test_the_opportunity_list_page_and_api(client, api_as, rep, team, pipeline):
    client.force_login(rep)
    api = api_as(rep)
    page = reverse("sales:opportunity_list")

    def fetch():
        assert client.get(page).status_code == 200
        assert api.get("/opportunities").status_code == 200

    _same_for_one_and_six(lambda n: _opportunity(rep, team, pipeline, n), fetch)
    assert len(api.get("/opportunities").json()["items"]) == 6


def test_the_win_loss_page_and_api(client, api_as, rep, team, pipeline):
    client.force_login(rep)
    api = api_as(rep)

    def fetch():
        assert client.get(reverse("sales:winloss")).status_code == 200
        assert api.get("/win-loss").status_code == 200

    _same_for_one_and_six(lambda n: _opportunity(rep, team, pipeline, n, close=True), fetch)
    assert api.get("/win-loss").json()["totals"]["won"] == 6


def test_the_order_list_page_and_api_and_the_quotes_api(client, api_as, rep, buyer, world):
    client.force_login(rep)
    api = api_as(rep)

    def add(n: int) -> None:
        lines = [LineData(product_id=world["router"].pk, quantity=1 + n)]
        order_create(by=rep, customer_id=buyer.pk, lines=lines)
        quote_create(by=rep, customer_id=buyer.pk, lines=lines)

    def fetch():
        assert client.get(reverse("sales:order_list")).status_code == 200
        assert api.get("/orders").status_code == 200
        assert api.get("/quotes").status_code == 200

    _same_for_one_and_six(add, fetch)
    assert len(api.get("/orders").json()["items"]) == 6
    assert len(api.get("/quotes").json()["items"]) == 6
