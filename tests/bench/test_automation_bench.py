"""The automation bench figures, on small data: web events stored through a live server
(one client: the test server's in-memory SQLite takes one writer at a time)
and events evaluated against 50 rules come back as numbers, and the bench leaves
nothing behind."""

import pytest

from panorama.automation.models import EventCheck, Rule, RuleRun, WebEvent
from panorama.bench import automation as bench_automation
from panorama.bench import burst as bench_burst
from tests.factories import AdminFactory, CustomerFactory, UserFactory

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


def test_the_staff_ui_figures_idle_and_during_a_burst(live_server):
    """The ficha answered under both loads, and the burst's events are not left behind
    (one tracking client: the test server's in-memory SQLite takes one writer at a time)."""
    user = AdminFactory()
    customer = CustomerFactory()
    figures = bench_burst.staff_ui_under_burst(
        live_server.url, user, customer.pk, requests=5, clients=1
    )
    assert set(figures) == set(bench_burst.KEYS)
    assert 0 < figures["staff_ui_p50_idle_ms"] <= figures["staff_ui_p95_idle_ms"]
    assert 0 < figures["staff_ui_p50_burst_ms"] <= figures["staff_ui_p95_burst_ms"]
    assert figures["staff_ui_burst_events_per_s"] > 0
    assert not WebEvent.objects.exists()


def test_the_bench_writes_the_staff_ui_keys():
    from panorama.bench.parts import JSON_KEYS, PARTS

    assert {"staff_ui_p95_idle_ms", "staff_ui_p95_burst_ms"} <= set(JSON_KEYS)
    assert "burst" in PARTS
