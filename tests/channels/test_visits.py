"""In person: a visit logged at a branch, the customer identified by his document, his
card or his PIN (checked against its hash), on his timeline."""

import pytest

from panorama.accounts.models import Role
from panorama.channels.models import Branch, Interaction
from panorama.customers.models import Identity
from panorama.customers.services.customer import IdentityData, identity_add
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch():
    return Branch.objects.create(code="MAD01", name="Madrid Sol")


@pytest.fixture
def ana():
    customer = CustomerFactory(display_name="Ana García")
    IdentityFactory(customer=customer, kind="national_id", value="12345678Z")
    IdentityFactory(customer=customer, kind="loyalty_card", value="4000123412341234")
    identity_add(
        customer=customer, item=IdentityData(kind=Identity.Kind.PIN, value="4321"), by=None
    )
    return customer


@pytest.mark.parametrize(
    ("method", "value"), [("document", "12345678-z"), ("card", "4000 1234 1234 1234")]
)
def test_a_visit_identified_by_document_or_card_lands_on_the_timeline(
    api, branch, ana, method, value
):
    r = api.post(
        "/channels/visits",
        json={
            "branch_id": branch.pk,
            "method": method,
            "value": value,
            "body": "Pidió un préstamo",
        },
    )
    assert r.status_code == 201, r.content
    entry = Interaction.objects.get(customer=ana)
    assert (entry.channel, entry.subject) == ("in_person", "Visit at Madrid Sol")
    assert entry.metadata["identified_by"] == method


def test_a_pin_is_checked_against_its_hash(api, branch, ana):
    stored = ana.identities.get(kind="pin").value
    assert "4321" not in stored  # only the hash is kept
    wrong = api.post(
        "/channels/visits",
        json={"branch_id": branch.pk, "method": "pin", "value": "1111", "customer_id": ana.pk},
    )
    assert wrong.status_code == 422 and wrong.json()["detail"] == "The PIN does not match."
    assert not Interaction.objects.exists()
    right = api.post(
        "/channels/visits",
        json={"branch_id": branch.pk, "method": "pin", "value": "4321", "customer_id": ana.pk},
    )
    assert right.status_code == 201
    assert Interaction.objects.get(customer=ana).metadata["identified_by"] == "pin"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"method": "pin", "value": "4321"}, 422),  # a PIN needs the customer chosen
        ({"method": "retina", "value": "x"}, 422),
        ({"method": "document", "value": ""}, 422),
        ({"method": "document", "value": "00000000T"}, 404),  # nobody has it
        ({"method": "card", "value": "4000123412341234", "branch_id": 999999}, 404),
    ],
)
def test_bad_identification_is_refused_with_a_message(api, branch, ana, payload, status):
    r = api.post("/channels/visits", json={"branch_id": branch.pk, **payload})
    assert r.status_code == status
    assert r.json()["detail"]
    assert not Interaction.objects.exists()


def test_a_rep_logs_visits_only_of_his_customers(api_as, branch, ana, rep):
    ana.owner = UserFactory(role=Role.SALES_REP)
    ana.save()
    r = api_as(rep).post(
        "/channels/visits",
        json={"branch_id": branch.pk, "method": "document", "value": "12345678Z"},
    )
    assert r.status_code == 404


def test_the_desk_page_logs_a_visit_from_the_card(client, admin_user, branch, ana):
    client.force_login(admin_user)
    page = client.get("/channels/visits/new/")
    assert page.status_code == 200
    r = client.post(
        "/channels/visits/new/",
        {"branch": branch.pk, "method": "card", "value": "4000123412341234", "subject": ""},
    )
    assert r.status_code == 302 and r["Location"] == f"/customers/{ana.pk}/"
    wrong = client.post(
        f"/channels/visits/new/?customer={ana.pk}",
        {"branch": branch.pk, "method": "pin", "value": "9999"},
    )
    assert wrong.status_code == 422
    assert "The PIN does not match." in wrong.content.decode()
