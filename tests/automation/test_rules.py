"""Business rules: validated on save (an unknown field is named), run through the
outbox once per event whatever the redeliveries, every run logged, pausable, tested
against a sample, exported and imported, and a rule that triggers itself stops."""

import datetime
import json

import pytest
from django.utils import timezone

from panorama.automation.engine import rule_test
from panorama.automation.models import Alert, EventCheck, Rule, RuleRun
from panorama.automation.selectors import rule_runs_page
from panorama.automation.services.alerts import alert_raise
from panorama.automation.services.rules import (
    rule_save,
    rule_set_active,
    rules_export,
    rules_import,
)
from panorama.automation.services.tracking import events_ingest, link_token
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.models import OutboxDelivery
from panorama.sales.models import Activity

from ..factories import ConsentFactory, CustomFieldDefinitionFactory
from .conftest import MORTGAGE_RULE

pytestmark = pytest.mark.django_db


def simulate(site, customer, amount=250000):
    events_ingest(
        site=site,
        body={
            "visitor": "visitor-0001",
            "link": link_token(customer.pk),
            "events": [
                {
                    "name": "mortgage_simulation",
                    "url": "https://www.bank.example/sim",
                    "data": {"amount": amount, "term": 25, "rate": 2.9},
                }
            ],
        },
    )


def test_an_unknown_field_is_refused_at_save_and_named(admin_user):
    data = {**MORTGAGE_RULE, "conditions": {"field": "event.data_amount", "op": "gte", "value": 1}}
    with pytest.raises(ValidationFailed, match="event.data_amount"):
        rule_save(by=admin_user, data=data)
    data["conditions"] = {"field": "customer.shoe_size", "op": "eq", "value": 42}
    with pytest.raises(ValidationFailed, match="customer.shoe_size"):
        rule_save(by=admin_user, data=data)
    data["conditions"] = {}
    data["actions"] = [{"type": "update_field", "field": "customer.colour", "value": "x"}]
    with pytest.raises(ValidationFailed, match="customer.colour"):
        rule_save(by=admin_user, data=data)
    assert not Rule.objects.exists()


def test_only_administrators_edit_rules(rep):
    with pytest.raises(PermissionDenied):
        rule_save(by=rep, data=MORTGAGE_RULE)


def test_the_mortgage_rule_alerts_the_owner_and_plans_a_call_tomorrow(
    site, customer, rep, mortgage_rule, dispatch
):
    simulate(site, customer)
    dispatch()
    alert = Alert.objects.get()
    assert (alert.customer, alert.user, alert.priority) == (customer, rep, 3)
    assert alert.title == "Mortgage simulation of 250000 €"
    call = Activity.objects.get(kind="call")
    assert call.owner == rep and call.customer == customer
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert timezone.localtime(call.starts_at).date() == tomorrow
    assert timezone.localtime(call.starts_at).time() == datetime.time(10, 0)
    run = RuleRun.objects.get(rule=mortgage_rule)
    assert run.matched and run.customer == customer and len(run.actions_done) == 2
    assert "  event.data.amount (250000) ≥ 100000 ✓" in run.explanation


def test_a_small_simulation_is_logged_as_not_matched(
    site, customer, admin_user, mortgage_rule, dispatch
):
    simulate(site, customer, amount=50000)
    dispatch()
    assert not RuleRun.objects.exists() and not Alert.objects.exists()
    check = EventCheck.objects.get()
    assert check.customer_id == customer.pk
    assert check.misses == {
        str(mortgage_rule.pk): [
            "all:",
            "  event.name (mortgage_simulation) = mortgage_simulation ✓",
            "  event.data.amount (50000) ≥ 100000 ✗",
        ]
    }
    [run] = rule_runs_page(user=admin_user, rule=mortgage_rule, kind="misses").items
    assert not run.matched and run.customer == customer


def test_a_redelivered_event_acts_once(site, customer, mortgage_rule, dispatch):
    simulate(site, customer)
    dispatch()
    # The dispatcher delivers again (at least once): nothing new happens.
    OutboxDelivery.objects.filter(subscriber="automation.rules").update(delivered_at=None)
    dispatch()
    assert Alert.objects.count() == 1
    assert Activity.objects.filter(kind="call").count() == 1
    assert RuleRun.objects.count() == 1 and EventCheck.objects.count() == 1


def test_a_paused_rule_does_not_run(site, customer, admin_user, mortgage_rule, dispatch):
    rule_set_active(by=admin_user, rule_id=mortgage_rule.pk, active=False)
    simulate(site, customer)
    dispatch()
    assert not RuleRun.objects.exists() and not Alert.objects.exists()


def test_a_failing_action_is_logged_with_its_error_and_undoes_the_run(
    site, customer, admin_user, dispatch
):
    customer.owner = None
    customer.save()
    rule = rule_save(
        by=admin_user,
        data={
            **MORTGAGE_RULE,
            "actions": [
                {"type": "alert", "to": "team", "title": "Simulation"},
                {"type": "agenda", "kind": "call", "subject": "Call", "in_days": 1, "at": "09:00"},
            ],
        },
    )
    simulate(site, customer)
    dispatch()
    run = RuleRun.objects.get(rule=rule)
    assert run.matched and "no owner" in run.error
    assert not Alert.objects.exists()  # the alert of the same run was undone


def test_a_rule_that_triggers_itself_stops_at_the_depth_limit(
    admin_user, customer, dispatch, settings
):
    settings.PANORAMA_RULE_MAX_DEPTH = 3
    rule = rule_save(
        by=admin_user,
        data={
            "name": "Echo",
            "event": "alert.raised",
            "actions": [{"type": "alert", "to": "owner", "title": "Echo"}],
        },
    )
    alert_raise(by=None, customer_id=customer.pk, user_id=customer.owner_id, title="First")
    dispatch()
    # The first alert (depth 0) and one per level until the limit: 3 more, then it stops.
    assert Alert.objects.count() == 4
    runs = list(RuleRun.objects.filter(rule=rule).order_by("depth"))
    assert [r.depth for r in runs] == [0, 1, 2, 3]
    assert not runs[-1].matched and "Stopped" in runs[-1].explanation[0]


def test_conditions_on_custom_fields_holdings_and_consents(admin_user, customer):
    CustomFieldDefinitionFactory(key="segment")
    customer.custom_fields = {"segment": "premium"}
    customer.save()
    ConsentFactory(customer=customer, purpose="marketing", granted=True)
    rule = rule_save(
        by=admin_user,
        data={
            "name": "Premium with an account",
            "event": "web.event_tracked",
            "conditions": {
                "all": [
                    {"field": "customer.custom.segment", "op": "eq", "value": "premium"},
                    {"field": "holdings.product_code", "op": "contains", "value": "ACC-01"},
                    {"not": {"field": "holdings.category", "op": "contains", "value": "mortgages"}},
                    {
                        "any": [
                            {"field": "consent.marketing", "op": "eq", "value": True},
                            {"field": "customer.status", "op": "eq", "value": "inactive"},
                        ]
                    },
                ]
            },
            "actions": [{"type": "alert", "to": "owner", "title": "Offer a mortgage"}],
        },
    )
    outcome = rule_test(rule=rule, customer=customer)
    assert outcome.matched, outcome.explanation
    assert outcome.actions_done == ["Alert owner: Offer a mortgage"]
    assert not Alert.objects.exists()  # a test does nothing
    ConsentFactory(
        customer=customer,
        purpose="marketing",
        granted=False,
        at=timezone.now() + datetime.timedelta(minutes=1),
    )
    outcome = rule_test(rule=rule, customer=customer)
    assert not outcome.matched
    assert any("consent.marketing (False) = True ✗" in line for line in outcome.explanation)


def test_export_and_import_round_trip(admin_user, mortgage_rule):
    config = json.loads(json.dumps(rules_export()))
    assert config["rules"][0]["name"] == "Mortgage simulation"
    Rule.objects.all().delete()
    assert rules_import(by=admin_user, config=config) == (1, 0)
    assert rules_import(by=admin_user, config=config) == (0, 1)
    rule = Rule.objects.get()
    assert rule.conditions == MORTGAGE_RULE["conditions"]
    bad = {**config, "rules": [{**config["rules"][0], "event": "no.such"}]}
    with pytest.raises(ValidationFailed, match="Rule 1"):
        rules_import(by=admin_user, config=bad)


def test_a_daily_rule_runs_once_a_day_over_the_customers(admin_user, customer, rep):
    from panorama.automation.scheduled import scheduled_due, scheduled_run

    rule_save(
        by=admin_user,
        data={
            "name": "Morning check",
            "trigger": "schedule",
            "schedule_time": "08:00",
            "conditions": {"field": "holdings.count", "op": "gte", "value": 1},
            "actions": [{"type": "alert", "to": "owner", "title": "Has products"}],
        },
    )
    tz = timezone.get_current_timezone()
    seven = datetime.datetime.combine(timezone.localdate(), datetime.time(7, 0), tzinfo=tz)
    assert scheduled_due(seven) == []
    nine = seven + datetime.timedelta(hours=2)
    [rule] = scheduled_due(nine)
    assert scheduled_run(rule, nine) == (1, 1)
    assert scheduled_due(nine) == []
    assert Alert.objects.get().user == rep
