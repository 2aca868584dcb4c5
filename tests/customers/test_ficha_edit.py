"""Editing a customer from the ficha: every change goes through the service that the API
and the import use (same errors), lands in the field history, and stays within the
user's scope and role."""

import datetime
from decimal import Decimal

import pytest

from panorama.accounts.models import Role
from panorama.core.models import FieldChange
from panorama.customers.models import Address, BillingIncident, Consent, Customer, Identity
from tests.factories import (
    CustomerFactory,
    CustomFieldDefinitionFactory,
    IdentityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def lucia(db):
    return CustomerFactory(first_name="Lucía", last_name="Gómez")


def _url(customer, action, object_id=None):
    tail = f"{action}/{object_id}/" if object_id else f"{action}/"
    return f"/customers/{customer.pk}/{tail}"


def test_the_ficha_offers_every_edit_action_to_who_may_edit(signed_in, lucia, client):
    html = signed_in.get(f"/customers/{lucia.pk}/").content.decode()
    for action in (
        "edit",
        "identity-add",
        "address-add",
        "consent",
        "holding-add",
        "incident-add",
        "group-join",
    ):
        assert f'href="{_url(lucia, action)}"' in html, action
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    html = client.get(f"/customers/{lucia.pk}/").content.decode()
    assert _url(lucia, "edit") not in html


def test_editing_the_customer_saves_and_records_the_history(signed_in, lucia, agent):
    form = signed_in.get(_url(lucia, "edit"))
    assert form.status_code == 200
    assert 'value="Lucía"' in form.content.decode()  # the current values are filled in

    response = signed_in.post(
        _url(lucia, "edit"),
        {
            "kind": "person",
            "status": "inactive",
            "first_name": "Lucía",
            "last_name": "Gómez Ruiz",
            "birth_date": "1980-05-17",
            "language": "es",
            "notes": "Prefers calls after 18:00",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{lucia.pk}/#ficha-name"
    lucia.refresh_from_db()
    assert lucia.display_name == "Lucía Gómez Ruiz"
    assert lucia.status == "inactive"
    assert lucia.birth_date == datetime.date(1980, 5, 17)
    changed = set(
        FieldChange.objects.filter(customer_id=lucia.pk, changed_by=agent).values_list(
            "field", flat=True
        )
    )
    assert {"last_name", "status", "birth_date", "notes"} <= changed
    page = signed_in.get(f"/customers/{lucia.pk}/").content.decode()
    assert "Changes saved." in page
    assert "Prefers calls after 18:00" in page


def test_a_custom_field_is_edited_and_validated_by_its_definition(signed_in, lucia):
    CustomFieldDefinitionFactory(key="segment_score", label="Score", type="integer")
    base = {"kind": "person", "status": "active", "first_name": "Lucía", "last_name": "Gómez"}
    response = signed_in.post(_url(lucia, "edit"), {**base, "cf_segment_score": "many"})
    assert response.status_code == 422
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    lucia.refresh_from_db()
    assert "segment_score" not in lucia.custom_fields

    response = signed_in.post(_url(lucia, "edit"), {**base, "cf_segment_score": "7"})
    assert response.status_code == 302
    lucia.refresh_from_db()
    assert lucia.custom_fields["segment_score"] == 7


def test_an_identity_is_added_with_the_same_rule_as_the_api_and_removed(signed_in, lucia):
    bad = signed_in.post(_url(lucia, "identity-add"), {"kind": "national_id", "value": "12345678A"})
    assert bad.status_code == 422
    assert "check letter or digit is wrong" in bad.content.decode()
    assert 'aria-invalid="true"' in bad.content.decode()
    assert not lucia.identities.exists()

    ok = signed_in.post(
        _url(lucia, "identity-add"), {"kind": "phone", "value": "600 11 22 33", "label": "mobile"}
    )
    assert ok.status_code == 302
    phone = lucia.identities.get()
    assert phone.value == "+34600112233"

    confirm = signed_in.get(_url(lucia, "identity-remove", phone.pk))
    assert "600112233" in confirm.content.decode().replace(" ", "")
    signed_in.post(_url(lucia, "identity-remove", phone.pk))
    assert not Identity.objects.filter(pk=phone.pk).exists()
    assert FieldChange.objects.filter(customer_id=lucia.pk, field="identity:phone").count() == 2


def test_records_of_another_customer_cannot_be_reached_through_this_one(signed_in, lucia):
    other = CustomerFactory(first_name="Pedro")
    foreign = IdentityFactory(customer=other, kind="email", value="pedro@example.com")
    response = signed_in.post(_url(lucia, "identity-remove", foreign.pk))
    assert response.status_code == 404
    assert Identity.objects.filter(pk=foreign.pk).exists()


def test_an_address_is_added_edited_and_removed_with_history(signed_in, lucia):
    signed_in.post(
        _url(lucia, "address-add"),
        {"kind": "home", "line1": "Calle Mayor 1", "city": "Madrid", "country": "ES"},
    )
    address = lucia.addresses.get()
    response = signed_in.post(
        _url(lucia, "address-edit", address.pk),
        {"kind": "home", "line1": "Calle Mayor 3", "city": "Madrid", "country": "ES"},
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.line1 == "Calle Mayor 3"
    signed_in.post(_url(lucia, "address-remove", address.pk))
    assert not Address.objects.filter(pk=address.pk).exists()
    history = list(
        FieldChange.objects.filter(customer_id=lucia.pk, field="address")
        .order_by("id")
        .values_list("old_value", "new_value")
    )
    assert len(history) == 3
    assert "Calle Mayor 1" in str(history[1][0]) and "Calle Mayor 3" in str(history[1][1])


def test_consent_holding_incident_and_group_are_recorded(signed_in, lucia):
    assert (
        signed_in.post(
            _url(lucia, "consent"),
            {
                "purpose": "marketing",
                "channel": "email",
                "granted": "false",
                "source": "phone call",
            },
        ).status_code
        == 302
    )
    consent = Consent.objects.get(customer=lucia)
    assert consent.granted is False and consent.source == "phone call"

    assert (
        signed_in.post(
            _url(lucia, "holding-add"),
            {
                "product_code": "MORT-FIX",
                "product_name": "Hipoteca fija",
                "status": "active",
                "start_date": "2024-01-01",
                "price": "650.00",
                "currency": "EUR",
            },
        ).status_code
        == 302
    )
    assert lucia.holdings.get().price == Decimal("650.00")

    assert (
        signed_in.post(
            _url(lucia, "incident-add"),
            {"kind": "unpaid_invoice", "reference": "INV-1", "amount": "18.50"},
        ).status_code
        == 302
    )
    assert BillingIncident.objects.get(customer=lucia).amount == Decimal("18.50")

    assert (
        signed_in.post(
            _url(lucia, "group-join"),
            {"new_group": "Familia Gómez", "new_group_kind": "family", "role": "head"},
        ).status_code
        == 302
    )
    assert lucia.memberships.get().group.name == "Familia Gómez"


def test_an_analyst_is_refused_with_the_services_message(client, lucia):
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    response = client.post(_url(lucia, "identity-add"), {"kind": "email", "value": "l@example.com"})
    assert response.status_code in (403, 422)
    assert "can read customers but not change them" in response.content.decode()
    assert not lucia.identities.exists()


def test_a_rep_cannot_edit_a_customer_out_of_his_scope(client, rep):
    other = CustomerFactory(first_name="Pedro")
    client.force_login(rep)
    assert client.get(_url(other, "edit")).status_code == 404
    response = client.post(
        _url(other, "edit"), {"kind": "person", "status": "inactive", "first_name": "X"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == Customer.Status.ACTIVE
