"""The demo's automation: rules (the mortgage one among them), web visits, and the
alerts and calls the mortgage rule made of them, waiting for the managers."""

import pytest

from panorama.automation.models import Alert, Rule, WebEvent
from panorama.channels.models import Interaction
from panorama.sales.models import Activity
from panorama.seeding.automation_demo import automation_demo_ensure

from ..factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_rules_visits_and_waiting_alerts(rep):
    CustomerFactory.create_batch(8, owner=rep)
    assert automation_demo_ensure(visitors=8) > 0
    assert Rule.objects.filter(name="Simulación de hipoteca", active=True).exists()
    assert Rule.objects.count() == 4
    simulations = WebEvent.objects.filter(name="mortgage_simulation")
    assert simulations.exists() and not simulations.filter(customer__isnull=True).exists()
    big = simulations.filter(data__amount__gte=100000).count()
    assert Alert.objects.filter(user=rep, priority=3).count() == big
    assert Activity.objects.filter(kind="call", owner=rep).count() == big
    assert Interaction.objects.filter(channel="web").count() == 8
    assert automation_demo_ensure(visitors=8) == 0  # once
