"""A rule's condition "the customer is / is not in segment S": checked with the
segment's own SQL for that one customer, named in the editor and the API, refused with
a clear 422 when the segment is unknown or out of the editor's sight."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.automation.conditions import Subject, compile_conditions, subjects_preload
from panorama.automation.engine import rule_test
from panorama.automation.services.rules import rule_save
from panorama.core.exceptions import ValidationFailed
from panorama.marketing.models import Segment

from ..factories import CustomerFactory

pytestmark = pytest.mark.django_db

SPANISH = {"field": "language", "op": "eq", "value": "es"}


def rule_data(segment_id, op="eq"):
    return {
        "name": "Hispanohablantes con simulación",
        "trigger": "event",
        "event": "web.event_tracked",
        "conditions": {
            "all": [
                {"field": "event.name", "op": "eq", "value": "mortgage_simulation"},
                {"field": "segment", "op": op, "value": segment_id},
            ]
        },
        "actions": [{"type": "alert", "to": "owner", "title": "Llamar"}],
    }


@pytest.fixture
def spanish(db):
    return Segment.objects.create(name="Hispanohablantes", rules=SPANISH)


def test_a_rule_matches_a_customer_in_the_segment_and_not_one_outside(admin_user, spanish):
    rule = rule_save(by=admin_user, data=rule_data(spanish.pk))
    ana = CustomerFactory(language="es")
    john = CustomerFactory(language="en")
    payload = {"name": "mortgage_simulation"}
    inside = rule_test(rule=rule, customer=ana, payload=payload)
    assert inside.matched and f"  segment {spanish.pk} (in) = in ✓" in inside.explanation
    outside = rule_test(rule=rule, customer=john, payload=payload)
    assert not outside.matched and f"  segment {spanish.pk} (out) = in ✗" in outside.explanation
    negated = rule_save(by=admin_user, data=rule_data(spanish.pk, "ne"), rule_id=rule.pk)
    assert rule_test(rule=negated, customer=john, payload=payload).matched
    assert not rule_test(rule=negated, customer=ana, payload=payload).matched


def test_one_customer_is_checked_without_loading_the_segment(spanish):
    ana = CustomerFactory(language="es")
    for _n in range(5):
        CustomerFactory(language="es")
    check = compile_conditions({"field": "segment", "op": "eq", "value": spanish.pk})
    with CaptureQueriesContext(connection) as ctx:
        held, _lines = check(Subject(customer_given=ana))
    assert held
    # The segment's rules, the custom field catalogue, then its SQL for Ana alone.
    assert len(ctx) == 3
    last = ctx.captured_queries[-1]["sql"]
    assert f"IN ({ana.pk})" in last.replace("'", "")


def test_a_batch_checks_a_segment_in_one_query_for_all_its_customers(spanish):
    people = [CustomerFactory(language="es" if n % 2 else "en") for n in range(20)]
    subjects = [Subject(customer_given=c) for c in people]
    node = {"field": "segment", "op": "eq", "value": spanish.pk}
    from panorama.automation.conditions import field_heads

    with CaptureQueriesContext(connection) as ctx:
        subjects_preload(subjects, field_heads(node))
    assert len(ctx) == 3
    check = compile_conditions(node)
    with CaptureQueriesContext(connection) as ctx:
        results = [check(s)[0] for s in subjects]
    assert len(ctx) == 0
    assert results == [c.language == "es" for c in people]


def test_an_unknown_or_hidden_segment_is_a_clear_422(api, admin_user, spanish):
    refused = api.post("/automation/rules", json=rule_data(999999))
    assert refused.status_code == 422
    assert "Unknown segment 999999" in refused.json()["detail"]
    wrong_op = api.post("/automation/rules", json=rule_data(spanish.pk, "gt"))
    assert wrong_op.status_code == 422 and "segment" in wrong_op.json()["detail"]
    created = api.post("/automation/rules", json=rule_data(spanish.pk))
    assert created.status_code == 201
    assert created.json()["conditions"]["all"][1] == {
        "field": "segment",
        "op": "eq",
        "value": spanish.pk,
    }


def test_a_segment_out_of_the_editors_sight_is_refused_like_an_unknown_one(spanish):
    from panorama.accounts.models import Role
    from panorama.automation.conditions import conditions_validate
    from panorama.marketing.models import Segment as S

    from ..factories import TeamFactory, UserFactory

    kept = S.objects.create(name="Barcelona", rules=SPANISH, team=TeamFactory(name="BCN"))
    rep = UserFactory(username="pepe", role=Role.SALES_REP)
    node = {"field": "segment", "op": "eq", "value": kept.pk}
    with pytest.raises(ValidationFailed) as caught:
        conditions_validate(node, event=None, user=rep)
    assert f"Unknown segment {kept.pk}" in str(caught.value.message)
    assert conditions_validate(node, event=None, user=None) == node


def test_the_editor_takes_a_segments_name(client, admin_user, spanish):
    client.force_login(admin_user)
    form = {
        "name": "Por segmento",
        "active": "on",
        "trigger": "event",
        "event": "web.event_tracked",
        "match": "all",
        "c0_field": "segment",
        "c0_op": "ne",
        "c0_value": "hispanohablantes",
        "alert_on": "on",
        "alert_to": "owner",
        "alert_title": "Llamar",
        "alert_priority": "2",
    }
    saved = client.post("/automation/rules/new/", form)
    assert saved.status_code == 302, saved.content.decode()[:500]
    from panorama.automation.models import Rule

    rule = Rule.objects.get(name="Por segmento")
    assert rule.conditions == {"all": [{"field": "segment", "op": "ne", "value": spanish.pk}]}
    page = client.get(f"/automation/rules/{rule.pk}/").content.decode()
    assert 'value="Hispanohablantes"' in page
    refused = client.post("/automation/rules/new/", {**form, "name": "Otra", "c0_value": "Nadie"})
    assert refused.status_code == 422 and "Unknown segment Nadie" in refused.content.decode()
