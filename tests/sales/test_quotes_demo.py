"""The demo's quotes and orders: one of each state a visitor should see, once."""

import pytest

from panorama.sales.models import Order, Quote
from panorama.seeding.catalog_demo import catalog_demo_ensure
from panorama.seeding.sales_quotes import showcase_quotes
from tests.factories import CustomerFactory, IdentityFactory

pytestmark = pytest.mark.django_db


def test_the_showcase_gets_quotes_and_orders(rep, team):
    catalog_demo_ensure()
    customer = CustomerFactory(owner=rep, team=team)
    IdentityFactory(customer=customer)
    assert showcase_quotes(customer.pk) == 3
    statuses = sorted(Quote.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "draft", "pending_approval"]
    assert sorted(Order.objects.values_list("status", flat=True)) == ["confirmed", "shipped"]
    assert showcase_quotes(customer.pk) == 0  # once
