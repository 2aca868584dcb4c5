"""The demo's marketing: the issue's example segment, and a campaign sent through the
real services with a control group, so the report has figures."""

import pytest

from panorama.marketing import selectors
from panorama.marketing.models import Journey, Segment
from panorama.sales.models import Lead
from panorama.seeding.marketing_demo import EXAMPLE_NAME, marketing_demo_ensure

from .conftest import person

pytestmark = pytest.mark.django_db


def test_the_demo_campaign_has_results_and_a_control_group(world):
    for n in range(120):
        person(f"Cliente D{n}", email_address=f"d{n}@example.com")
    campaign = marketing_demo_ensure()
    assert campaign is not None and campaign.status == "sent"
    assert Segment.objects.filter(name=EXAMPLE_NAME).exists()
    results = selectors.campaign_results(campaign=campaign)
    assert results.control.members > 0 and results.sent > 0 and results.opened > 0
    assert results.roi is not None and results.uplift is not None
    assert Lead.objects.filter(data__campaign_id=campaign.pk).count() == results.responded
    # A running welcome journey with customers in it, and its list's sign-up form.
    journey = Journey.objects.get(status="active")
    assert journey.steps.count() == 3 and journey.trigger_list.signup_forms.exists()
    waiting = journey.enrolments.filter(status="active")
    assert waiting.count() == 6 and all(e.step.kind == "send" for e in waiting)
    assert marketing_demo_ensure() is None  # once
    # It ran four months ago: its customers are in the example segment again.
    example = Segment.objects.get(name=EXAMPLE_NAME)
    everyone = results.target.members + results.control.members
    assert selectors.segment_count(user=None, rules=example.rules) == everyone
