"""The automation API: rules for administrators (validated like the editor, 4xx with a
message), their test and configuration file; each user's alerts."""

import pytest

from panorama.automation.models import Rule
from panorama.automation.services.alerts import alert_raise

from .conftest import MORTGAGE_RULE

pytestmark = pytest.mark.django_db


def test_an_administrator_manages_rules_through_the_api(api, customer):
    created = api.post("/automation/rules", json=MORTGAGE_RULE)
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    bad = {
        **MORTGAGE_RULE,
        "name": "Other",
        "conditions": {"field": "event.nope", "op": "eq", "value": 1},
    }
    refused = api.post("/automation/rules", json=bad)
    assert refused.status_code == 422 and "event.nope" in refused.json()["detail"]
    assert api.post(f"/automation/rules/{rule_id}/pause").json()["active"] is False
    tested = api.post(
        f"/automation/rules/{rule_id}/test",
        json={
            "customer_id": customer.pk,
            "payload": {"name": "mortgage_simulation", "data": {"amount": 300000}},
        },
    ).json()
    assert tested["matched"] and len(tested["actions"]) == 2
    config = api.get("/automation/rules/export").json()
    Rule.objects.all().delete()
    assert api.post("/automation/rules/import", json=config).json() == {"created": 1, "updated": 0}
    assert api.get("/automation/rules/999999").status_code == 404


def test_a_rep_cannot_touch_rules_but_reads_and_clears_his_alerts(api_as, rep, customer):
    alert = alert_raise(by=None, customer_id=customer.pk, user_id=rep.pk, title="Call her")
    client = api_as(rep)
    assert client.get("/automation/rules").status_code == 403
    [mine] = client.get("/automation/alerts").json()
    assert mine["title"] == "Call her" and mine["customer_name"] == "Lucía Vega"
    assert mine["seen"] is False
    assert client.post(f"/automation/alerts/{alert.pk}/seen").json()["seen"] is True
    assert client.get("/automation/alerts?unseen=true").json() == []
    assert client.post("/automation/alerts/999999/seen").status_code == 404
