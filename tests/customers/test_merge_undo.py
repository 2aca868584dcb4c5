"""Undoing a merge never loses what was added to the survivor since, nor reverts later
edits: each test reproduces a scenario where the old undo did."""

import datetime

import pytest
from django.urls import reverse

from panorama.channels.services import interaction_record
from panorama.core.models import FieldChange
from panorama.customers.duplicates.services.merge import customer_merge, customer_merge_undo
from panorama.customers.models import Consent, CustomerMerge, Holding, Identity
from panorama.customers.services.customer import IdentityData, customer_update, identity_add
from panorama.customers.services.relations import consent_record, holding_add
from tests.factories import CustomerFactory, CustomFieldDefinitionFactory, IdentityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(admin_user):
    """S lacks a birth date and notes; M has both, a phone and a holding."""
    survivor = CustomerFactory(first_name="Ana", last_name="García", birth_date=None, notes="")
    merged = CustomerFactory(
        first_name="Ana",
        last_name="García",
        birth_date=datetime.date(1980, 5, 1),
        notes="Prefiere el correo",
    )
    IdentityFactory(customer=merged, kind="phone", value="+34600111222")
    Holding.objects.create(
        customer=merged,
        product_code="P1",
        product_name="Plan",
        start_date=datetime.date(2020, 1, 1),
    )
    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)
    survivor.refresh_from_db()
    assert (survivor.birth_date, survivor.notes) == (
        datetime.date(1980, 5, 1),
        "Prefiere el correo",
    )
    return survivor, merged, merge


def test_records_added_to_the_survivor_after_the_merge_stay_with_it(pair, admin_user):
    survivor, merged, merge = pair
    phone = identity_add(
        customer=survivor, item=IdentityData(kind="phone", value="699887766"), by=admin_user
    )
    holding = holding_add(
        customer=survivor,
        product_code="P2",
        product_name="Seguro",
        start_date=datetime.date(2025, 1, 1),
        by=admin_user,
    )
    withdrawal = consent_record(
        customer=survivor, purpose="marketing", granted=False, by=admin_user
    )
    contact = interaction_record(
        customer_id=survivor.pk, channel="phone", direction="inbound", subject="Baja", by=admin_user
    )

    customer_merge_undo(merge=merge, by=admin_user)

    assert Identity.objects.get(pk=phone.pk).customer_id == survivor.pk
    assert Holding.objects.get(pk=holding.pk).customer_id == survivor.pk
    assert Consent.objects.get(pk=withdrawal.pk).customer_id == survivor.pk
    assert contact.__class__.objects.get(pk=contact.pk).customer_id == survivor.pk
    # What the merge moved goes back to M.
    assert merged.identities.filter(value="+34600111222").exists()
    assert merged.holdings.filter(product_code="P1").exists()


def test_a_field_edited_after_the_merge_keeps_its_edit_and_is_reported(pair, admin_user, api):
    survivor, merged, merge = pair
    customer_update(customer=survivor, by=admin_user, changes={"notes": "Llamar por la tarde"})

    customer_merge_undo(merge=merge, by=admin_user)

    survivor.refresh_from_db()
    # The edit stays; the birth date nobody touched goes back to empty.
    assert survivor.notes == "Llamar por la tarde"
    assert survivor.birth_date is None
    merge.refresh_from_db()
    assert merge.undo_conflicts == [
        {
            "field": "notes",
            "before": "",
            "merged": "Prefiere el correo",
            "current": "Llamar por la tarde",
        }
    ]
    undone = FieldChange.objects.filter(customer_id=survivor.pk, reason="merge undone")
    assert {c.field for c in undone} == {"birth_date", "merged_from"}
    listed = [m for m in api.get("/merges").json() if m["id"] == merge.pk][0]
    assert listed["undo_conflicts"][0]["field"] == "notes"


def test_custom_fields_go_back_key_by_key(admin_user):
    CustomFieldDefinitionFactory(key="segmento", label="Segmento")
    CustomFieldDefinitionFactory(key="zona", label="Zona")
    survivor = CustomerFactory(custom_fields={"zona": "Norte"})
    merged = CustomerFactory(custom_fields={"segmento": "A", "zona": "Sur"})
    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)
    survivor.refresh_from_db()
    assert survivor.custom_fields == {"zona": "Norte", "segmento": "A"}
    customer_update(customer=survivor, by=admin_user, changes={"custom_fields": {"zona": "Este"}})

    customer_merge_undo(merge=merge, by=admin_user)

    survivor.refresh_from_db()
    assert survivor.custom_fields == {"zona": "Este"}


def test_a_merged_field_changed_back_by_hand_is_not_a_conflict(pair, admin_user):
    survivor, merged, merge = pair
    customer_update(customer=survivor, by=admin_user, changes={"notes": ""})
    customer_merge_undo(merge=merge, by=admin_user)
    merge.refresh_from_db()
    assert merge.undo_conflicts == []


def test_the_merges_page_says_what_was_left(pair, admin_user, client):
    survivor, merged, merge = pair
    customer_update(customer=survivor, by=admin_user, changes={"notes": "Llamar por la tarde"})
    client.force_login(admin_user)
    r = client.post(
        reverse("customers:merge_undo", args=[merge.pk]), headers={"HX-Request": "true"}
    )
    page = r.content.decode()
    assert "changed since the merge" in page and "Llamar por la tarde" in page
    assert CustomerMerge.objects.get(pk=merge.pk).undone_at is not None
