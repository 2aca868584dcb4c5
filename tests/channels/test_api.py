"""Interactions through the API: a contact may point at one of the customer's records."""

import pytest

from panorama.channels.models import Interaction
from tests.factories import CustomerFactory, HoldingFactory

pytestmark = pytest.mark.django_db

CALL = {"channel": "phone", "direction": "inbound", "subject": "Asked about the card limit"}


def test_a_contact_about_one_of_the_customers_holdings(api):
    customer = CustomerFactory()
    card = HoldingFactory(customer=customer, product_name="Tarjeta Oro")

    r = api.post(
        f"/customers/{customer.pk}/interactions",
        json={**CALL, "related": {"type": "customers.holding", "id": str(card.pk)}},
    )

    assert r.status_code == 201
    assert (r.json()["related_type"], r.json()["related_id"]) == ("customers.holding", str(card.pk))
    listed = api.get(f"/customers/{customer.pk}/interactions").json()[0]
    assert listed["related_type"] == "customers.holding"


@pytest.mark.parametrize(
    "related",
    [
        {"type": "customers.nothing", "id": "1"},  # no such kind of record
        {"type": "accounts.user", "id": "1"},  # not a customer's record
        {"type": "customers.holding", "id": "not-a-number"},
        {"type": "customers.holding", "id": "999999"},
    ],
)
def test_a_link_to_a_record_that_is_not_this_customers_is_refused(api, related):
    customer = CustomerFactory()
    r = api.post(f"/customers/{customer.pk}/interactions", json={**CALL, "related": related})
    assert r.status_code == 422
    assert (
        r.json()["errors"] == {"related": [r.json()["detail"]]} or "related" in r.json()["errors"]
    )
    assert not Interaction.objects.exists()


def test_a_contact_cannot_point_at_another_customers_holding(api):
    customer, other = CustomerFactory(), CustomerFactory()
    theirs = HoldingFactory(customer=other)
    r = api.post(
        f"/customers/{customer.pk}/interactions",
        json={**CALL, "related": {"type": "customers.holding", "id": str(theirs.pk)}},
    )
    assert r.status_code == 422
    assert "of this customer" in r.json()["detail"]
    assert not Interaction.objects.exists()
