"""The rules take the outbox's batches whole: the queries of a batch do not grow with
its size, and a batch does what the events one at a time would (alerts raised once,
every event checked once, an earlier event's action seen by a later one, errors kept
on their run)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.automation.engine import SUBSCRIBER, rules_on
from panorama.automation.models import Alert, EventCheck, RuleRun
from panorama.automation.services.rules import rule_save
from panorama.core import outbox
from panorama.core.events import emit
from panorama.core.models import OutboxDelivery

from ..factories import ConsentFactory, CustomerFactory, HoldingFactory

pytestmark = pytest.mark.django_db

ALERT_RULE = {
    "name": "Big simulation",
    "event": "web.event_tracked",
    "conditions": {
        "all": [
            {"field": "event.name", "op": "eq", "value": "mortgage_simulation"},
            {"field": "event.data.amount", "op": "gte", "value": 100000},
            {"field": "holdings.count", "op": "gte", "value": 1},
            {"field": "consent.marketing", "op": "eq", "value": True},
        ]
    },
    "actions": [{"type": "alert", "to": "owner", "title": "Simulation of {event.data.amount}"}],
}
OTHER_RULES = [
    {
        "name": f"Other {n}",
        "event": "web.event_tracked",
        "conditions": {
            "all": [
                {"field": "event.name", "op": "eq", "value": f"other_{n}"},
                {"field": "customer.status", "op": "ne", "value": "inactive"},
            ]
        },
    }
    for n in range(5)
]


@pytest.fixture
def rules(admin_user):
    made = [rule_save(by=admin_user, data=ALERT_RULE)]
    made += [rule_save(by=admin_user, data=data) for data in OTHER_RULES]
    return made


def _customers(count, owner):
    customers = CustomerFactory.create_batch(count, owner=owner)
    for customer in customers:
        HoldingFactory(customer=customer)
        ConsentFactory(customer=customer, purpose="marketing", granted=True)
    return customers


def _emit(customers, amount=250000):
    for n, customer in enumerate(customers):
        name = "mortgage_simulation" if n % 2 == 0 else f"other_{n % 5}"
        emit(
            "web.event_tracked",
            site_id=1,
            name=name,
            customer_id=customer.pk,
            visitor=f"v-{n}",
            data={"amount": amount},
        )


def _deliver() -> int:
    """One batch of the rules' deliveries, as the dispatcher runs it; its query count."""
    subscriber = next(s for s in outbox.durable_subscribers() if s.name == SUBSCRIBER)
    with CaptureQueriesContext(connection) as queries:
        outbox._dispatch_batch(subscriber, outbox.BATCH, outbox.timezone.now())
    return len(queries)


def test_a_batch_costs_the_same_queries_for_6_or_60_events(rules, rep):
    warm, few, many = _customers(2, rep), _customers(6, rep), _customers(60, rep)
    rules_on("web.event_tracked")  # the active rules, read once per process and cached
    # A first batch pays once for lookups a process caches (alone on PostgreSQL: +3).
    _emit(warm)
    _deliver()
    _emit(few)
    small = _deliver()
    _emit(many)
    large = _deliver()
    # Constant per batch, not per event: the deliveries, the events done already, the
    # customers, holdings, consents, users, alert sources, one INSERT of each kind.
    assert small == large <= 24
    assert EventCheck.objects.count() == 68
    assert Alert.objects.count() == 34  # every other event: one alert each
    assert RuleRun.objects.filter(rule=rules[0], matched=True).count() == 34
    alert = Alert.objects.order_by("id").first()
    run = RuleRun.objects.get(rule=rules[0], key=alert.source.split(":", 2)[2].rsplit(":", 1)[0])
    assert run.actions_done == [f"Alert {alert.pk} raised"]
    assert alert.title == "Simulation of 250000" and alert.user == rep


def test_a_redelivered_batch_does_nothing_again(rules, rep):
    _emit(_customers(8, rep))
    _deliver()
    OutboxDelivery.objects.filter(subscriber=SUBSCRIBER).update(delivered_at=None)
    _deliver()
    assert Alert.objects.count() == 4 and EventCheck.objects.count() == 8
    assert RuleRun.objects.count() == 8


def test_an_alert_with_nobody_to_tell_fails_its_run_only(rules, rep):
    lonely, owned = _customers(2, None)[0], _customers(1, rep)[0]
    lonely.team = None
    lonely.save()
    _emit([lonely])
    _emit([owned])
    _deliver()
    failed = RuleRun.objects.get(customer=lonely)
    assert failed.matched and "no owner" in failed.error and failed.actions_done == []
    assert list(Alert.objects.values_list("customer_id", flat=True)) == [owned.pk]


def test_a_later_event_sees_what_an_earlier_one_changed(admin_user, rep):
    rule_save(
        by=admin_user,
        data={
            "name": "Close",
            "event": "web.event_tracked",
            "conditions": {"all": [{"field": "event.name", "op": "eq", "value": "close"}]},
            "actions": [{"type": "update_field", "field": "customer.status", "value": "inactive"}],
        },
    )
    rule_save(
        by=admin_user,
        data={
            "name": "Still active",
            "event": "web.event_tracked",
            "conditions": {
                "all": [
                    {"field": "event.name", "op": "eq", "value": "ping"},
                    {"field": "customer.status", "op": "eq", "value": "inactive"},
                ]
            },
        },
    )
    customer = _customers(1, rep)[0]
    for name in ("close", "ping"):
        emit(
            "web.event_tracked",
            site_id=1,
            name=name,
            customer_id=customer.pk,
            visitor="v",
            data={},
        )
    _deliver()  # both in one batch
    assert RuleRun.objects.filter(rule__name="Still active", matched=True).count() == 1
