"""Before a new customer is saved from the web form, the user is warned about customers
he sees who look the same (identifier or very similar name); a merged-away customer's
address leads to the customer that remains."""

import pytest

from panorama.accounts.models import Role
from panorama.customers.duplicates.services.merge import customer_merge
from panorama.customers.models import Customer, Identity
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {"kind": "person", "first_name": "Marta", "last_name": "Ruiz", "phone": "600 11 22 33"}


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_same_phone_warns_with_a_link_and_saves_nothing_until_confirmed(signed_in):
    marta = CustomerFactory(first_name="María", last_name="Ortega")
    IdentityFactory(customer=marta, kind=Identity.Kind.PHONE, value="+34600112233")

    response = signed_in.post("/customers/new/", FORM)
    html = response.content.decode()
    assert response.status_code == 200
    assert "look like the one you are creating" in html
    assert f'href="/customers/{marta.pk}/"' in html
    assert "same phone" in html
    assert Customer.objects.count() == 1  # nothing saved yet
    # What was typed is still in the form.
    assert 'value="Marta"' in html and 'value="600 11 22 33"' in html

    response = signed_in.post("/customers/new/", {**FORM, "confirm_new": "1"})
    created = Customer.objects.get(display_name="Marta Ruiz")
    assert response["Location"] == f"/customers/{created.pk}/"


def test_a_very_similar_name_warns_too(signed_in):
    existing = CustomerFactory(first_name="Marta", last_name="Ruíz")
    response = signed_in.post("/customers/new/", {**FORM, "phone": ""})
    html = response.content.decode()
    assert f'href="/customers/{existing.pk}/"' in html
    assert "similar name" in html
    assert Customer.objects.count() == 1


def test_nothing_alike_creates_at_once(signed_in):
    CustomerFactory(first_name="Pedro", last_name="Pérez")
    response = signed_in.post("/customers/new/", FORM)
    assert response.status_code == 302
    assert Customer.objects.filter(display_name="Marta Ruiz").exists()


def test_a_rep_is_never_told_about_customers_he_cannot_see(client, rep):
    other = CustomerFactory(first_name="Marta", last_name="Ruiz")  # no owner, no team
    client.force_login(rep)
    response = client.post("/customers/new/", {**FORM, "phone": ""})
    assert response.status_code == 302
    assert f"/customers/{other.pk}/" not in response.content.decode()


def test_a_merged_customer_address_leads_to_the_survivor(signed_in, client, rep):
    manager = UserFactory(username="boss", role=Role.ADMIN)
    survivor = CustomerFactory(first_name="Ana", last_name="García")
    merged = CustomerFactory(first_name="Ana", last_name="Garcia")
    customer_merge(survivor=survivor, merged=merged, by=manager)

    response = signed_in.get(f"/customers/{merged.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{survivor.pk}/"
    page = signed_in.get(response["Location"]).content.decode()
    assert f"Customer #{merged.pk} was merged into Ana García" in page

    # Someone who cannot see the survivor gets the same 404 as for any unknown customer.
    client.force_login(rep)
    assert client.get(f"/customers/{merged.pk}/").status_code == 404
    assert client.get("/customers/999999/").status_code == 404
