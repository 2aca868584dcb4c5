import pytest

from panorama.sales.models import AssignmentRule, Lead, ScoringRule, WebForm
from panorama.seeding.sales_leads import leads_seed
from panorama.seeding.staff import staff_ensure

from ..factories import pipeline_with_stages

pytestmark = pytest.mark.django_db


def test_demo_leads_in_every_status_scored_and_assigned():
    pipeline_with_stages()
    staff = staff_ensure()
    assert leads_seed(team_ids=staff.team_ids, count=80) == 80
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert statuses == set(Lead.Status.values)
    assert WebForm.objects.count() == 1 and ScoringRule.objects.count() == 6
    assert AssignmentRule.objects.count() == 4
    assert Lead.objects.filter(owner__isnull=False).exclude(assignment_note="").exists()
    assert Lead.objects.exclude(score_explanation=[]).count() > 60
    converted = Lead.objects.filter(status="converted")
    assert all(lead.customer_id and lead.opportunity_id for lead in converted)
    assert leads_seed(team_ids=staff.team_ids) == 0, "a second run adds nothing"
