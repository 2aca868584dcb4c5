"""The ficha (page and 360 API) reads a customer's lists in a fixed number of queries,
whatever the customer's history: one customer with one of everything and one with fifty
of everything cost the same."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.core.models import FieldChange
from panorama.customers import selectors
from panorama.customers.models import Customer
from tests.factories import (
    AddressFactory,
    BillingIncidentFactory,
    ConsentFactory,
    CustomerFactory,
    HoldingFactory,
    IdentityFactory,
    InteractionFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db

# customer (owner and team joined, with every panel's presence flag) + identities,
# addresses, holdings, billing incidents, consents (one prefetch each) + groups with their
# fellow members + the timeline, the segments and the loyalty programmes he could join.
# The panels with nothing to show (alerts, open opportunities, quotes, open cases,
# installed base, lists, loyalty cards, scores) cost no query: their flags say so.
SELECTOR_QUERIES = 10
# The page adds the session and its user, the custom-field definitions and the history.
PAGE_QUERIES = SELECTOR_QUERIES + 4
# The API adds the token's lookup.
API_QUERIES = SELECTOR_QUERIES + 1
# Sellers (reps and managers) also get the sales scripts that fit: one query more.
SELLER_PANELS = 1


def customer_with_history(n: int, team=None):
    """A customer with ``n`` of every kind of child the ficha shows."""
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz", team=team)
    for i in range(n):
        IdentityFactory(customer=ana, kind="phone", value=f"+34600{i:06d}", is_primary=i == 0)
        AddressFactory(customer=ana, is_primary=i == 0, line1=f"Calle Mayor {i + 1}")
        holding = HoldingFactory(customer=ana, start_date=datetime.date(2000 + i % 25, 1, 1))
        BillingIncidentFactory(customer=ana, holding=holding, amount=Decimal("10.50"))
        ConsentFactory(customer=ana, granted=i % 2 == 0)
        membership = MembershipFactory(customer=ana)
        MembershipFactory(group=membership.group)  # a fellow member in each group
        InteractionFactory(customer=ana)
        FieldChange.objects.create(
            content_type=ContentType.objects.get_for_model(Customer),
            object_id=str(ana.pk),
            customer_id=ana.pk,
            field="notes",
            old_value=str(i),
            new_value=str(i + 1),
        )
    return ana


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries.captured_queries)


def test_the_360_selector_costs_the_same_with_one_or_fifty_of_everything(admin_user, rep, team):
    small, large = customer_with_history(1, team), customer_with_history(50, team)
    for user, expected in ((admin_user, SELECTOR_QUERIES), (rep, SELECTOR_QUERIES + SELLER_PANELS)):
        # the rep's scope is part of the same queries
        counts = {
            n: _count(lambda c=c, u=user: selectors.customer_360(user=u, customer_id=c.pk))
            for n, c in ((1, small), (50, large))
        }
        assert counts == {1: expected, 50: expected}, user
    data = selectors.customer_360(user=rep, customer_id=large.pk)
    assert len(data["identities"]) == len(data["addresses"]) == len(data["holdings"]) == 50
    assert len(data["billing_incidents"]) == len(data["groups"]) == 50
    assert len(data["consent_history"]) == 50 and len(data["consents"]) == 1


def test_the_ficha_page_costs_the_same_with_one_or_fifty_of_everything(client, admin_user):
    small, large = customer_with_history(1), customer_with_history(50)
    client.force_login(admin_user)
    counts = {}
    for n, customer in ((1, small), (50, large)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/customers/{customer.pk}/")
        assert response.status_code == 200
        counts[n] = len(queries.captured_queries)
    assert counts == {1: PAGE_QUERIES, 50: PAGE_QUERIES}
    assert "Calle Mayor 50" in response.content.decode()


def test_the_360_api_costs_the_same_with_one_or_fifty_of_everything(api):
    small, large = customer_with_history(1), customer_with_history(50)
    api.get("/customers?limit=1")  # the token's last_used write happens once, not per call
    counts = {}
    for n, customer in ((1, small), (50, large)):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/customers/{customer.pk}/360")
        assert response.status_code == 200
        counts[n] = len(queries.captured_queries)
    assert counts == {1: API_QUERIES, 50: API_QUERIES}
    assert len(response.json()["identities"]) == 50


def test_the_lists_come_in_the_ficha_order_and_know_their_customer(
    admin_user, django_assert_num_queries
):
    ana = CustomerFactory()
    IdentityFactory(customer=ana, kind="phone", value="+34600112233", is_primary=False)
    primary = IdentityFactory(customer=ana, kind="phone", value="+34600112234", is_primary=True)
    email = IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    AddressFactory(customer=ana, is_primary=False)
    home = AddressFactory(customer=ana, is_primary=True)
    old = HoldingFactory(customer=ana, start_date=datetime.date(2019, 1, 1))
    new = HoldingFactory(customer=ana, start_date=datetime.date(2024, 1, 1))
    ended = HoldingFactory(customer=ana, status="ended")

    customer = selectors.customer_get(user=admin_user, customer_id=ana.pk, with_lists=True)
    with django_assert_num_queries(1):  # the groups: every other list came with the customer
        data = selectors.customer_core_360(customer=customer, user=admin_user)
        assert data["identities"][0].customer is customer
    assert data["identities"][:2] == [email, primary]
    assert data["addresses"][0] == home
    assert data["holdings"] == [new, old, ended]  # active first, newest first


def test_the_ficha_of_a_customer_with_nothing_attached(admin_user):
    bare = CustomerFactory(first_name="Solo")
    data = selectors.customer_360(user=admin_user, customer_id=bare.pk)
    assert data["identities"] == data["addresses"] == data["holdings"] == []
    assert data["billing_incidents"] == data["consents"] == data["groups"] == []


def with_panel_rows(customer, by):
    """What the bench's showcase customer carries and ``customer_with_history`` lacks: an
    open opportunity, an open case, and an alert about him."""
    from panorama.automation.services.alerts import alert_raise
    from panorama.sales.services.opportunity import opportunity_create
    from panorama.service.services.case import case_open

    opportunity_create(by=by, customer_id=customer.pk, name="Fibra 1 Gb", amount=0)
    case_open(by=by, customer_id=customer.pk, subject="Sin línea desde ayer")
    alert_raise(by=None, customer_id=customer.pk, title="Llamar antes del viernes", user_id=by.pk)
    return customer


# Each panel with something to show reads it: the open opportunities and the open cases
# one query each, the alerts two (the alerts, who has seen them).
PANELS_WITH_ROWS = 4


def test_a_panel_costs_one_query_when_it_has_something_to_show(api, admin_user):
    # The bench's 360 figure went from 9 to 19 queries as panels were added, each paying
    # its queries whether or not the customer had anything for it; with rows in some
    # panels (as the bench's showcase customer has) the count is one query per such panel.
    from tests.factories import pipeline_with_stages

    pipeline_with_stages()
    bare = customer_with_history(1)
    busy = with_panel_rows(customer_with_history(1), admin_user)
    api.get("/customers?limit=1")  # the token's last_used write happens once, not per call
    counts = {}
    for name, customer in (("bare", bare), ("busy", busy)):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/customers/{customer.pk}/360")
        assert response.status_code == 200
        counts[name] = len(queries.captured_queries)
    assert counts == {"bare": API_QUERIES, "busy": API_QUERIES + PANELS_WITH_ROWS}
    panels = {p["key"]: p["data"] for p in response.json()["panels"]}
    assert [o["name"] for o in panels["opportunities"]] == ["Fibra 1 Gb"]
    assert [c["subject"] for c in panels["cases"]] == ["Sin línea desde ayer"]
    assert [a["title"] for a in panels["alerts"]] == ["Llamar antes del viernes"]
    assert panels["quotes"] == panels["assets"] == panels["scores"] == []
