"""The SLA sweep's warning before a breach tells someone: the case's agent, or the
policy's manager when nobody owns it, finds it in "My alerts" (the automation app's
alerts), in his own language, once."""

from datetime import timedelta

import pytest
from django.urls import reverse

from panorama.automation.models import Alert
from panorama.service.models import Case
from panorama.service.services import sla
from panorama.service.services.escalation import sla_sweep

from ..factories import CustomerFactory
from .test_escalation import MONDAY_9, setup  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_agent_of_a_case_about_to_breach_sees_an_alert_once(
    setup,  # noqa: F811
    smtp,
    client,
    emitted,
):
    case, _policy, _second, _boss = setup
    agent = case.owner
    with emitted() as events:
        assert sla_sweep(MONDAY_9 + timedelta(minutes=40))["warned"] == 1
    [alert] = Alert.objects.all()
    assert (alert.user, alert.customer) == (agent, case.customer)
    # One batch event for the sweep's alerts (the rules on alert.raised run per alert).
    assert (
        "automation.alerts_raised",
        {
            "rule_id": None,
            "alerts": [
                {
                    "alert_id": alert.pk,
                    "customer_id": case.customer_id,
                    "user_id": agent.pk,
                    "team_id": None,
                    "priority": 3,
                }
            ],
        },
    ) in events
    client.force_login(agent)
    home = client.get(reverse("automation:home")).content.decode()
    assert "Case C-000001 is about to breach its SLA" in home
    assert "Its first response is due at 2026-11-23 10:00 (policy Nivel 1)." in home
    # Warned once: the next sweeps raise nothing more.
    sla_sweep(MONDAY_9 + timedelta(minutes=45))
    assert Alert.objects.count() == 1


def test_an_unowned_case_warns_the_policys_manager_in_her_language(
    setup,  # noqa: F811
    smtp,
    client,
):
    case, policy, _second, boss = setup  # boss: jefa@example.com, the policy's manager
    boss.language = "es"
    boss.save(update_fields=["language"])
    unowned = Case.objects.create(
        customer=CustomerFactory(),
        subject="Sin cobertura",
        channel="phone",
        queue=case.queue,
        status="new",
        priority="normal",
        reference="C-000002",
    )
    sla.sla_start(unowned, MONDAY_9)
    unowned.save()
    assert sla_sweep(MONDAY_9 + timedelta(minutes=40))["warned"] == 2
    alert = Alert.objects.get(customer=unowned.customer)
    assert alert.user == boss
    assert alert.title == "El caso C-000002 está a punto de incumplir su SLA"
    client.force_login(boss)
    assert alert.title in client.get(reverse("automation:home")).content.decode()
    assert Alert.objects.get(customer=case.customer).user == case.owner
