"""/api/v1/custom-fields: the administrators' custom fields over the API, with the
screen's services and rules (key and type fixed, deactivation keeps the values)."""

import pytest

from panorama.customers.models import CustomFieldDefinition

from ..factories import CustomerFactory, CustomFieldDefinitionFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_creates_lists_and_reads_fields(api):
    r = api.post(
        "/custom-fields",
        json={"key": "tier", "label": "Tier", "type": "choice", "choices": ["gold", "silver"]},
    )
    assert r.status_code == 201
    field = r.json()
    assert field["choices"] == ["gold", "silver"] and field["active"] is True
    api.post("/custom-fields", json={"key": "branch", "label": "Branch", "position": 5})
    listed = api.get("/custom-fields").json()["items"]
    assert [f["key"] for f in listed] == ["tier", "branch"]
    assert api.get(f"/custom-fields/{field['id']}").json()["label"] == "Tier"
    assert api.get("/custom-fields/999999").status_code == 404


def test_the_models_rules_are_422s(api):
    r = api.post("/custom-fields", json={"key": "tier", "label": "Tier", "type": "choice"})
    assert r.status_code == 422 and "choices" in r.json()["detail"].lower()
    api.post("/custom-fields", json={"key": "tier", "label": "Tier"})
    again = api.post("/custom-fields", json={"key": "TIER", "label": "Again"})
    assert again.status_code == 422
    assert again.json()["detail"] == "A custom field with the key “TIER” already exists."
    assert api.post("/custom-fields", json={"key": "a b", "label": "X"}).status_code == 422


def test_patch_changes_the_label_and_refuses_the_key_and_type(api):
    field = CustomFieldDefinitionFactory(key="tier", label="Tier")
    r = api.patch(f"/custom-fields/{field.pk}", json={"label": "Level", "position": 3})
    assert r.status_code == 200 and r.json()["label"] == "Level" and r.json()["position"] == 3
    r = api.patch(f"/custom-fields/{field.pk}", json={"type": "integer"})
    assert r.status_code == 422 and r.json()["errors"] == {"type": ["This field is not accepted."]}
    r = api.patch(f"/custom-fields/{field.pk}", json={"label": None})
    assert r.status_code == 422
    assert CustomFieldDefinition.objects.get(pk=field.pk).label == "Level"


def test_patch_deactivates_and_reactivates_keeping_the_values(api):
    field = CustomFieldDefinitionFactory(key="branch", label="Branch")
    ana = CustomerFactory(custom_fields={"branch": "Sevilla"})
    r = api.patch(f"/custom-fields/{field.pk}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert [f["key"] for f in api.get("/custom-fields?active=false").json()["items"]] == ["branch"]
    assert api.get("/custom-fields?active=true").json()["items"] == []
    refused = api.patch(f"/customers/{ana.pk}", json={"custom_fields": {"branch": "Cádiz"}})
    assert refused.status_code == 422
    assert api.patch(f"/custom-fields/{field.pk}", json={"active": True}).json()["active"]
    ana.refresh_from_db()
    assert ana.custom_fields == {"branch": "Sevilla"}


def test_a_refused_change_keeps_the_deactivation_out(api):
    field = CustomFieldDefinitionFactory(key="tier", label="Tier", type="choice", choices=["a"])
    CustomerFactory(custom_fields={"tier": "a"})
    r = api.patch(f"/custom-fields/{field.pk}", json={"choices": ["b"], "active": False})
    assert r.status_code == 422
    assert CustomFieldDefinition.objects.get(pk=field.pk).active


def test_a_rep_gets_403_everywhere(api_as, rep):
    field = CustomFieldDefinitionFactory(key="tier", label="Tier")
    as_rep = api_as(rep)
    assert as_rep.get("/custom-fields").status_code == 403
    assert as_rep.get(f"/custom-fields/{field.pk}").status_code == 403
    assert as_rep.post("/custom-fields", json={"key": "x", "label": "X"}).status_code == 403
    r = as_rep.patch(f"/custom-fields/{field.pk}", json={"active": False})
    assert r.status_code == 403
    assert CustomFieldDefinition.objects.get(pk=field.pk).active
