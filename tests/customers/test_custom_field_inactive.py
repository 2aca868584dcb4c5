"""A custom field an administrator deactivates: hidden from the forms, the ficha and
the import, refused on write, and the values customers hold kept for its return."""

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.models import AuditEvent
from panorama.customers.imports.services.mapping import definitions_by_key, mapping_resolve
from panorama.customers.models import CustomFieldDefinition
from panorama.customers.services.custom_fields import (
    custom_field_deactivate,
    custom_field_reactivate,
)
from panorama.customers.services.customer import CustomerData, customer_create, customer_update

from ..factories import CustomerFactory, CustomFieldDefinitionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", role=Role.ADMIN)


@pytest.fixture
def branch(db):
    return CustomFieldDefinitionFactory(key="branch", label="Branch office", required=True)


@pytest.fixture
def ana(branch):
    return CustomerFactory(first_name="Ana", custom_fields={"branch": "Sevilla Centro"})


def test_deactivating_keeps_the_values_and_is_audited(boss, branch, ana, emitted):
    with emitted() as events:
        custom_field_deactivate(by=boss, definition=branch)
    assert not CustomFieldDefinition.objects.get(pk=branch.pk).active
    ana.refresh_from_db()
    assert ana.custom_fields == {"branch": "Sevilla Centro"}
    assert AuditEvent.objects.get(kind="custom_field_changed").detail["active"] == [True, False]
    assert events == [
        (
            "custom_field.updated",
            {"field_id": branch.pk, "key": "branch", "fields": ["active"], "by": boss.pk},
        )
    ]


def test_a_rep_may_not_deactivate(rep, branch):
    with pytest.raises(PermissionDenied):
        custom_field_deactivate(by=rep, definition=branch)


def test_a_value_for_an_inactive_field_is_refused_and_the_rest_kept(boss, branch, ana):
    other = CustomFieldDefinitionFactory(key="sector", label="Sector")
    custom_field_deactivate(by=boss, definition=branch)
    with pytest.raises(ValidationFailed) as caught:
        customer_update(customer=ana, by=None, changes={"custom_fields": {"branch": "Cádiz"}})
    assert caught.value.field == "branch"
    assert "Branch office is inactive" in str(caught.value)
    customer_update(customer=ana, by=None, changes={"custom_fields": {other.key: "Banca"}})
    ana.refresh_from_db()
    assert ana.custom_fields == {"branch": "Sevilla Centro", "sector": "Banca"}


def test_an_inactive_required_field_is_not_asked_for(boss, branch):
    with pytest.raises(ValidationFailed):
        customer_create(data=CustomerData(first_name="Eva"), by=None)
    custom_field_deactivate(by=boss, definition=branch)
    assert customer_create(data=CustomerData(first_name="Eva"), by=None).custom_fields == {}


def test_the_api_answers_422_naming_the_field(api, boss, branch, ana):
    custom_field_deactivate(by=boss, definition=branch)
    r = api.patch(f"/customers/{ana.pk}", json={"custom_fields": {"branch": "Cádiz"}})
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "The custom field Branch office is inactive: an administrator must reactivate it first."
    )
    ana.refresh_from_db()
    assert ana.custom_fields == {"branch": "Sevilla Centro"}


def test_the_record_read_from_the_api_can_be_sent_back(api, boss, branch, ana):
    """The API shows an inactive field's held value: sending the record back unchanged
    is not a change to that field (clearing it is, and is refused)."""
    custom_field_deactivate(by=boss, definition=branch)
    held = api.get(f"/customers/{ana.pk}").json()["custom_fields"]
    assert held == {"branch": "Sevilla Centro"}
    sent_back = api.patch(f"/customers/{ana.pk}", json={"custom_fields": held, "last_name": "Lugo"})
    assert sent_back.status_code == 200, sent_back.json()
    cleared = api.patch(f"/customers/{ana.pk}", json={"custom_fields": {"branch": None}})
    assert cleared.status_code == 422
    ana.refresh_from_db()
    assert ana.custom_fields == {"branch": "Sevilla Centro"} and ana.last_name == "Lugo"


def test_the_import_does_not_offer_it(boss, branch):
    custom_field_deactivate(by=boss, definition=branch)
    assert "branch" not in definitions_by_key()
    with pytest.raises(ValidationFailed) as caught:
        mapping_resolve(
            headers=["Nombre", "Oficina"],
            mapping={"Nombre": "first_name", "Oficina": "cf:branch"},
            definitions=definitions_by_key(),
        )
    assert "inactive custom field branch" in str(caught.value)


def test_the_ficha_hides_it_and_shows_it_again_on_reactivation(client, boss, branch, ana):
    client.force_login(boss)
    page = client.get(f"/customers/{ana.pk}/").content.decode()
    assert "Branch office" in page and "Sevilla Centro" in page
    custom_field_deactivate(by=boss, definition=branch)
    page = client.get(f"/customers/{ana.pk}/").content.decode()
    assert "Branch office" not in page and "Sevilla Centro" not in page
    assert client.get(f"/customers/{ana.pk}/edit/").content.decode().count("cf_branch") == 0
    assert client.get(f"/customers/{ana.pk}/properties/cf_branch/").status_code == 404
    custom_field_reactivate(by=boss, definition=branch)
    page = client.get(f"/customers/{ana.pk}/").content.decode()
    assert "Sevilla Centro" in page


def test_the_settings_screen_deactivates_and_reactivates(client, boss, branch):
    client.force_login(boss)
    r = client.post(f"/settings/custom-fields/{branch.pk}/deactivate/")
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "This field is inactive" in page and "Reactivate" in page
    listed = client.get("/settings/custom-fields/?status=inactive").content.decode()
    assert "Branch office" in listed
    assert (
        "Branch office" not in client.get("/settings/custom-fields/?status=active").content.decode()
    )
    client.post(f"/settings/custom-fields/{branch.pk}/reactivate/")
    assert CustomFieldDefinition.objects.get(pk=branch.pk).active


def test_a_rep_cannot_use_the_screen(client, rep, branch):
    client.force_login(rep)
    assert client.post(f"/settings/custom-fields/{branch.pk}/deactivate/").status_code == 403
    assert CustomFieldDefinition.objects.get(pk=branch.pk).active
