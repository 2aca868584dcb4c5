"""Custom fields defined by administrators (the /settings/custom-fields/ screen)."""

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.models import AuditEvent
from panorama.customers.models import CustomFieldDefinition
from panorama.customers.services.custom_fields import custom_field_create, custom_field_update

from ..factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", role=Role.ADMIN)


def test_an_administrator_adds_a_choice_field(boss):
    field = custom_field_create(
        by=boss, key="tier", label=" Tier ", type="choice", choices="gold\nsilver\n\n"
    )
    assert field.label == "Tier" and field.choices == ["gold", "silver"]
    assert AuditEvent.objects.get(kind="custom_field_created").detail["target"] == "tier"


def test_the_model_rules_hold(boss):
    with pytest.raises(ValidationFailed) as exc:
        custom_field_create(by=boss, key="tier", label="Tier", type="choice")
    assert exc.value.field == "choices"
    with pytest.raises(ValidationFailed) as exc:
        custom_field_create(by=boss, key="not a slug", label="X")
    assert exc.value.field == "key"
    custom_field_create(by=boss, key="tier", label="Tier")
    with pytest.raises(ValidationFailed) as exc:
        custom_field_create(by=boss, key="TIER", label="Again")
    assert exc.value.field == "key"


def test_a_rep_may_not_define_fields(rep):
    with pytest.raises(PermissionDenied):
        custom_field_create(by=rep, key="x", label="X")


def test_label_and_choices_change_key_and_type_do_not(boss):
    field = custom_field_create(by=boss, key="tier", label="Tier", type="choice", choices=["a"])
    custom_field_update(by=boss, definition=field, changes={"label": "Level", "choices": "a\nb"})
    field.refresh_from_db()
    assert field.label == "Level" and field.choices == ["a", "b"]
    with pytest.raises(ValidationFailed):
        custom_field_update(by=boss, definition=field, changes={"type": "text"})


def test_a_choice_customers_hold_cannot_be_removed(boss):
    field = custom_field_create(by=boss, key="tier", label="Tier", type="choice", choices="a\nb")
    CustomerFactory(custom_fields={"tier": "a"})
    with pytest.raises(ValidationFailed) as exc:
        custom_field_update(by=boss, definition=field, changes={"choices": ["b"]})
    assert exc.value.field == "choices"
    custom_field_update(by=boss, definition=field, changes={"choices": ["a"]})  # b is unused
    assert CustomFieldDefinition.objects.get(pk=field.pk).choices == ["a"]


def test_the_screen_adds_and_edits_a_field(client, boss):
    client.force_login(boss)
    response = client.post(
        "/settings/custom-fields/new/",
        {"key": "tier", "label": "Tier", "type": "choice", "choices": "gold", "position": 1},
    )
    assert response.status_code == 302
    field = CustomFieldDefinition.objects.get(key="tier")
    response = client.post(
        f"/settings/custom-fields/{field.pk}/",
        {"label": "Level", "choices": "gold\nsilver", "position": 1, "required": "on"},
    )
    assert response.status_code == 302
    field.refresh_from_db()
    assert field.label == "Level" and field.required and field.choices == ["gold", "silver"]
    bad = client.post(
        "/settings/custom-fields/new/", {"key": "x", "label": "X", "type": "choice", "position": 0}
    )
    assert bad.status_code == 422


def test_definitions_emit_their_events(boss, emitted):
    with emitted() as events:
        field = custom_field_create(by=boss, key="tier", label="Tier")
        custom_field_update(by=boss, definition=field, changes={"label": "Level"})
    assert events == [
        (
            "custom_field.created",
            {"field_id": field.pk, "key": "tier", "type": "text", "by": boss.pk},
        ),
        (
            "custom_field.updated",
            {"field_id": field.pk, "key": "tier", "fields": ["label"], "by": boss.pk},
        ),
    ]
