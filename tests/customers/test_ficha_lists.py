"""The ficha reads a customer's owned lists inside the customer's query (JSON): what
comes back must be exactly what separate queries return, types and order included."""

import datetime
from decimal import Decimal

import pytest

from panorama.customers import selectors
from tests.factories import (
    AddressFactory,
    BillingIncidentFactory,
    CustomerFactory,
    HoldingFactory,
    IdentityFactory,
)

pytestmark = pytest.mark.django_db

FIELDS = {
    "identities": ["id", "kind", "value", "label", "is_primary", "verified", "created_at"],
    "addresses": ["id", "kind", "line1", "postal_code", "city", "country", "is_primary"],
    "holdings": ["id", "product_name", "status", "conditions", "start_date", "end_date", "price"],
    "billing_incidents": ["id", "amount", "due_date", "status", "resolved_at", "holding_id"],
}


def _values(rows, names):
    return [tuple(getattr(row, name) for name in names) for row in rows]


def test_owned_lists_read_with_the_customer_equal_separate_reads(admin_user):
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    IdentityFactory(customer=ana, kind="phone", value="+34600112233", is_primary=False)
    IdentityFactory(customer=ana, kind="phone", value="+34600112234", is_primary=True)
    IdentityFactory(customer=ana, kind="email", value="ana@example.com", label="Trabajo")
    AddressFactory(customer=ana, is_primary=False, line1="Calle Mayor 1")
    AddressFactory(customer=ana, is_primary=True, line1="Gran Vía 2, 3º")
    loan = HoldingFactory(
        customer=ana,
        price=Decimal("19.99"),
        conditions={"rate": "2.1%", "months": 240, "insured": True},
        start_date=datetime.date(2020, 2, 29),
        end_date=None,
    )
    HoldingFactory(
        customer=ana,
        price=Decimal("1234567890.12"),
        status="ended",
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2021, 6, 30),
    )
    BillingIncidentFactory(customer=ana, holding=loan, amount=Decimal("0.10"), due_date=None)
    BillingIncidentFactory(
        customer=ana,
        amount=Decimal("99.50"),
        due_date=datetime.date(2026, 3, 1),
        status="resolved",
        resolved_at=datetime.datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=datetime.UTC),
    )

    plain = selectors.customer_core_360(
        customer=selectors.customer_get(user=admin_user, customer_id=ana.pk), user=admin_user
    )
    joined_customer = selectors.customer_get(user=admin_user, customer_id=ana.pk, with_lists=True)
    joined = selectors.customer_core_360(customer=joined_customer, user=admin_user)

    for name, fields in FIELDS.items():
        assert _values(joined[name], fields) == _values(plain[name], fields), name
    holding = next(h for h in joined["holdings"] if h.pk == loan.pk)
    assert holding.price == Decimal("19.99") and isinstance(holding.price, Decimal)
    assert holding.conditions == {"rate": "2.1%", "months": 240, "insured": True}
    assert holding.get_status_display()  # real model instances
    assert joined["identities"][0].customer is joined_customer  # no query to reach back


def test_the_ficha_of_a_customer_with_nothing_attached(admin_user, django_assert_num_queries):
    bare = CustomerFactory(first_name="Solo")
    customer = selectors.customer_get(user=admin_user, customer_id=bare.pk, with_lists=True)
    with django_assert_num_queries(2):  # groups and consents: the rest came with the customer
        data = selectors.customer_core_360(customer=customer, user=admin_user)
    assert data["identities"] == data["addresses"] == data["holdings"] == []
    assert data["billing_incidents"] == []
