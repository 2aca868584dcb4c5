"""Alerts raised in bulk by a system sweep (``alerts_raise_for_users``, the SLA sweep's
warnings): each source raised once however often the sweep asks, the sources already
used looked up in chunks, and the queries do not grow with the alerts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.automation.models import Alert
from panorama.automation.services import alerts as alert_services
from panorama.automation.services.alerts import NewAlert, alerts_raise_for_users

from ..factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _alerts(customer, user, sources) -> list[NewAlert]:
    return [
        NewAlert(
            customer_id=customer.pk,
            user_id=user.pk,
            title=f"Case {source} is about to breach its SLA",
            body="Its resolution is due soon.",
            priority=int(Alert.Priority.HIGH),
            source=source,
        )
        for source in sources
    ]


def test_a_source_already_raised_is_not_raised_again_across_chunks(monkeypatch):
    monkeypatch.setattr(alert_services, "SOURCES_AT_ONCE", 3)  # several lookups
    customer, user = CustomerFactory(), UserFactory()
    first = alerts_raise_for_users(_alerts(customer, user, [f"sla:{n}" for n in range(5)]))
    assert len(first) == 5
    # Two of the five again (one in each lookup chunk), a new one, and one source
    # differing only in case: only the new two are raised.
    again = alerts_raise_for_users(
        _alerts(customer, user, ["sla:0", "sla:new", "sla:4", "SLA:1", "sla:new"])
    )
    assert len(again) == 2
    assert sorted(Alert.objects.values_list("source", flat=True)) == sorted(
        [f"sla:{n}" for n in range(5)] + ["sla:new", "SLA:1"]
    )
    assert set(Alert.objects.filter(pk__in=again).values_list("source", flat=True)) == {
        "sla:new",
        "SLA:1",
    }
    assert alerts_raise_for_users(_alerts(customer, user, ["sla:2"])) == []


def test_the_queries_do_not_grow_with_the_alerts():
    customer, user = CustomerFactory(), UserFactory()
    counts = []
    for n, size in enumerate((10, 100)):
        sources = [f"sla:{n}:{i}" for i in range(size)]
        with CaptureQueriesContext(connection) as queries:
            assert len(alerts_raise_for_users(_alerts(customer, user, sources))) == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert Alert.objects.filter(user=user).count() == 110
