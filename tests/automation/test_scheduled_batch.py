"""A daily rule checks every customer in chunks: what its conditions read (holdings,
consents, analytics scores) is loaded for a whole chunk at once, so its queries do not
grow with the number of customers; the right customers are alerted, once a day."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panorama.analytics.models import CustomerScore
from panorama.automation.models import Alert
from panorama.automation.scheduled import scheduled_run
from panorama.automation.services.rules import rule_save

from ..factories import ConsentFactory, CustomerFactory, HoldingFactory

pytestmark = pytest.mark.django_db

AT_RISK = {
    "name": "At risk with products",
    "trigger": "schedule",
    "schedule_time": "08:00",
    "conditions": {
        "all": [
            {"field": "score.churn_risk", "op": "gte", "value": 0.7},
            {"field": "holdings.count", "op": "gte", "value": 1},
            {"field": "consent.marketing", "op": "eq", "value": True},
        ]
    },
    "actions": [{"type": "alert", "to": "owner", "title": "Call before he leaves"}],
}


def _customers(count: int, owner, *, risky: int) -> list:
    made = CustomerFactory.create_batch(count, owner=owner)
    for n, customer in enumerate(made):
        HoldingFactory(customer=customer)
        ConsentFactory(customer=customer, purpose="marketing", granted=True)
        CustomerScore.objects.create(customer=customer, churn_risk=0.9 if n < risky else 0.2)
    return made


def _nine(days: int = 0) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=tz)


def _run(rule, now) -> tuple[tuple[int, int], int]:
    with CaptureQueriesContext(connection) as queries:
        result = scheduled_run(rule, now)
    return result, len(queries)


def test_a_daily_rule_on_scores_costs_the_same_queries_for_4_or_16_customers(admin_user, rep):
    rule = rule_save(by=admin_user, data=AT_RISK)
    risky = _customers(4, rep, risky=2)
    (few, few_queries) = _run(rule, _nine())
    assert few == (4, 2)
    assert set(Alert.objects.values_list("customer_id", flat=True)) == {c.pk for c in risky[:2]}

    _customers(12, rep, risky=0)
    Alert.objects.all().delete()
    (many, many_queries) = _run(rule, _nine(days=1))  # tomorrow: a new day's pass
    assert many == (16, 2)
    assert many_queries == few_queries


def test_a_second_pass_the_same_day_alerts_nobody_again(admin_user, rep):
    rule = rule_save(by=admin_user, data=AT_RISK)
    _customers(3, rep, risky=3)
    assert scheduled_run(rule, _nine()) == (3, 3)
    assert scheduled_run(rule, _nine()) == (3, 0)
    assert Alert.objects.count() == 3


def test_a_customer_without_scores_does_not_match_a_score_condition(admin_user, rep):
    rule = rule_save(by=admin_user, data=AT_RISK)
    unscored = CustomerFactory(owner=rep)
    HoldingFactory(customer=unscored)
    ConsentFactory(customer=unscored, purpose="marketing", granted=True)
    assert scheduled_run(rule, _nine()) == (1, 0)
