"""The demo's service desk: queues with agents, an SLA policy and calendar, cases in
every state, some near breach; ``seed --cases``."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from panorama.service.models import Case, CaseMessage, Queue, SlaPolicy
from panorama.service.services.escalation import sla_sweep

pytestmark = pytest.mark.django_db


def test_seed_adds_cases_in_every_state_with_service_levels():
    call_command("seed", customers=40, cases=48, verbosity=0)
    assert Case.objects.count() == 48
    assert set(Case.objects.values_list("status", flat=True)) == set(Case.Status.values)
    assert Queue.objects.count() == 3 and SlaPolicy.objects.count() == 4
    assert not Case.objects.filter(reference=None).exists()
    assert Case.objects.filter(reference__regex=r"^C-\d{6}$").count() == 48
    assert Case.objects.filter(sla_policy=None).count() == 0
    assert CaseMessage.objects.filter(kind="note").exists()
    # Opened over the last days as seeded (the bulk insert keeps the given times).
    opened = Case.objects.order_by("created_at").values_list("created_at", flat=True)
    assert opened[0] < timezone.now() - datetime.timedelta(days=1)
    assert opened[0] != opened.last()
    result = sla_sweep()
    assert result["warned"] >= 4  # the near-breach ones
    assert result["escalated"] > 0  # old open cases past their due times


def test_the_demo_has_defects_over_several_months_and_satisfaction_answers():
    from panorama.seeding.catalog_demo import catalog_demo_ensure
    from panorama.seeding.quality_demo import quality_demo_ensure
    from panorama.service.models import CaseSurvey, Defect
    from panorama.service.selectors.defects import defect_report
    from panorama.service.selectors.reports import service_report

    call_command("seed", customers=40, cases=48, verbosity=0)
    catalog_demo_ensure()
    assert quality_demo_ensure() == 10
    assert quality_demo_ensure() == 0  # once
    report = defect_report(months=6)
    assert sum(report.per_month) == 10
    assert len([n for n in report.per_month if n]) >= 4  # spread over the months
    assert Defect.objects.filter(cases__isnull=False).exists()
    assert CaseSurvey.objects.exists()
    assert service_report(user=None).totals.csat_answers > 0
