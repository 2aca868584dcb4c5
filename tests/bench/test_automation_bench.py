"""The automation bench figures, on small data: web events stored through a live server
(one client: the test server's in-memory SQLite takes one writer at a time)
and events evaluated against 50 rules come back as numbers, and the bench leaves
nothing behind."""

import pytest

from panorama.automation.models import EventCheck, Rule, RuleRun, WebEvent
from panorama.bench import automation as bench_automation
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_web_tracking_figure(live_server):
    rate = bench_automation.web_events_per_second(live_server.url, clients=1, seconds=0.5)
    assert rate > 0
    assert not WebEvent.objects.exists()


def test_the_rule_evaluation_figure():
    owner = UserFactory()
    CustomerFactory.create_batch(3, owner=owner)
    rate = bench_automation.rule_events_per_second(count=120)
    assert rate > 0
    assert not Rule.objects.exists() and not RuleRun.objects.exists()
    assert not EventCheck.objects.exists()


def test_the_bench_writes_both_keys():
    from panorama.bench.parts import JSON_KEYS

    assert {"web_events_per_s", "rule_eval_events_per_s"} <= set(JSON_KEYS)
