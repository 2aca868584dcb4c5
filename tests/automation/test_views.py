"""The rule editor as an administrator uses it: create from the form, see an unknown
field named, test against a sample customer with the reasons, pause, export/import;
other roles are refused."""

import io
import json

import pytest
from django.urls import reverse

from panorama.automation.models import Rule

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Mortgage simulation",
    "active": "on",
    "trigger": "event",
    "event": "web.event_tracked",
    "match": "all",
    "c0_field": "event.name",
    "c0_op": "eq",
    "c0_value": "mortgage_simulation",
    "c1_field": "event.data.amount",
    "c1_op": "gte",
    "c1_value": "100000",
    "alert_on": "on",
    "alert_to": "owner",
    "alert_title": "Mortgage simulation",
    "alert_priority": "3",
    "agenda_on": "on",
    "agenda_kind": "call",
    "agenda_subject": "Call about the mortgage",
    "agenda_in_days": "1",
    "agenda_at": "09:00",
}


def test_an_administrator_builds_a_rule_in_the_form(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("automation:rule_new")).status_code == 200
    answer = client.post(reverse("automation:rule_new"), FORM)
    rule = Rule.objects.get()
    assert answer.status_code == 302 and answer.url == reverse(
        "automation:rule_edit", args=[rule.pk]
    )
    assert rule.conditions == {
        "all": [
            {"field": "event.name", "op": "eq", "value": "mortgage_simulation"},
            {"field": "event.data.amount", "op": "gte", "value": 100000},
        ]
    }
    assert [a["type"] for a in rule.actions] == ["alert", "agenda"]
    page = client.get(answer.url).content.decode()
    assert 'value="event.data.amount"' in page and "Call about the mortgage" in page
    # Saved again unchanged from its own page: the same rule.
    client.post(answer.url, {**FORM, "c1_value": "150000"})
    rule.refresh_from_db()
    assert rule.conditions["all"][1]["value"] == 150000


def test_an_unknown_field_is_named_and_nothing_saved(client, admin_user):
    client.force_login(admin_user)
    answer = client.post(reverse("automation:rule_new"), {**FORM, "c1_field": "event.data_amount"})
    assert answer.status_code == 422
    assert "Unknown field event.data_amount" in answer.content.decode()
    assert not Rule.objects.exists()


def test_test_against_a_sample_explains_the_result(client, admin_user, customer):
    client.force_login(admin_user)
    client.post(reverse("automation:rule_new"), FORM)
    rule = Rule.objects.get()
    sample = {"name": "mortgage_simulation", "data": {"amount": 90000}}
    answer = client.post(
        reverse("automation:rule_test", args=[rule.pk]),
        {"customer": customer.pk, "payload": json.dumps(sample)},
    )
    html = answer.content.decode()
    assert "Does not match" in html and "event.data.amount (90000) ≥ 100000 ✗" in html
    sample["data"]["amount"] = 300000
    html = client.post(
        reverse("automation:rule_test", args=[rule.pk]),
        {"customer": customer.pk, "payload": json.dumps(sample)},
    ).content.decode()
    assert "Matches" in html and "Plan a call in 1 day(s) at 09:00" in html


def test_pause_resume_export_and_import(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("automation:rule_new"), FORM)
    rule = Rule.objects.get()
    client.post(reverse("automation:rule_toggle", args=[rule.pk]))
    rule.refresh_from_db()
    assert not rule.active
    listing = client.get(reverse("automation:rule_list")).content.decode()
    assert "Mortgage simulation" in listing and "Paused" in listing
    exported = client.get(reverse("automation:rules_export"))
    assert exported["Content-Disposition"].startswith("attachment")
    Rule.objects.all().delete()
    upload = io.BytesIO(exported.content)
    upload.name = "rules.json"
    answer = client.post(reverse("automation:rules_import"), {"file": upload})
    assert answer.status_code == 302
    assert Rule.objects.get().name == "Mortgage simulation"
    bad = io.BytesIO(b'{"panorama": "rules", "rules": [{"name": "X", "event": "nope"}]}')
    bad.name = "bad.json"
    answer = client.post(reverse("automation:rules_import"), {"file": bad})
    assert answer.status_code == 422 and "Rule 1 (X)" in answer.content.decode()


def test_other_roles_cannot_open_the_rules(client, rep):
    client.force_login(rep)
    for name in ("automation:rule_list", "automation:rule_new", "automation:rules_export"):
        assert client.get(reverse(name)).status_code == 403
