"""A campaign response becomes a lead or, for the known customer, an opportunity in the
default pipeline; won, that opportunity is the campaign's conversion and revenue."""

from decimal import Decimal

import pytest

from panorama.core.exceptions import ValidationFailed
from panorama.marketing import selectors
from panorama.marketing.services.campaigns import campaign_response_record, campaign_save
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.templates import template_save
from panorama.sales.models import Lead, Opportunity, Stage
from panorama.sales.services.opportunity import opportunity_move, opportunity_update
from tests.factories import LostReasonFactory, pipeline_with_stages

from .conftest import EXAMPLE_RULES

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world, marketer, smtp, launch):
    pipeline_with_stages()
    segment = segment_save(by=marketer, name="Sin tarjeta", rules=EXAMPLE_RULES)
    template = template_save(by=marketer, name="T", subject_es="Hola", body_es="Hola")
    made = campaign_save(
        by=marketer,
        changes={
            "name": "Tarjeta",
            "segment": segment.pk,
            "template": template.pk,
            "control_percent": 0,
            "cost": Decimal("100"),
        },
    )
    launch(by=marketer, campaign=made)
    return made


def test_the_page_records_a_response_as_an_opportunity(campaign, world, client, marketer):
    client.force_login(marketer)
    page = client.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    assert 'name="becomes"' in page and 'value="opportunity"' in page
    answer = client.post(
        f"/marketing/campaigns/{campaign.pk}/responses/",
        {"customer_id": world["ana"].pk, "note": "Llamó", "becomes": "opportunity"},
        follow=True,
    )
    opportunity = Opportunity.objects.get()
    assert opportunity.customer == world["ana"] and opportunity.pipeline.is_default
    assert opportunity.status == "open" and "Tarjeta" in opportunity.name
    assert f"opportunity {opportunity.pk} opened" in answer.content.decode()
    assert not Lead.objects.exists()
    # The default stays a lead.
    client.post(f"/marketing/campaigns/{campaign.pk}/responses/", {"customer_id": world["luis"].pk})
    assert Lead.objects.get().data["customer_id"] == world["luis"].pk
    assert Opportunity.objects.count() == 1


def test_the_api_takes_becomes(campaign, world, api_as, marketer):
    api = api_as(marketer)
    url = f"/api/v1/marketing/campaigns/{campaign.pk}/responses"
    made = api.post(url, {"customer_id": world["ana"].pk, "becomes": "opportunity"})
    assert made.status_code == 201
    body = made.json()
    assert body["lead_id"] is None
    assert Opportunity.objects.get(pk=body["opportunity_id"]).customer == world["ana"]
    lead = api.post(url, {"customer_id": world["luis"].pk})
    assert lead.status_code == 201 and lead.json()["opportunity_id"] is None
    assert Lead.objects.filter(pk=lead.json()["lead_id"]).exists()
    wrong = api.post(url, {"customer_id": world["luis"].pk, "becomes": "order"})
    assert wrong.status_code == 422
    with pytest.raises(ValidationFailed):
        campaign_response_record(
            by=marketer, campaign=campaign, customer_id=world["ana"].pk, becomes="order"
        )


def test_a_won_opportunity_counts_as_converted_with_its_revenue(campaign, world, marketer):
    ana = campaign_response_record(
        by=marketer, campaign=campaign, customer_id=world["ana"].pk, becomes="opportunity"
    )
    luis = campaign_response_record(
        by=marketer, campaign=campaign, customer_id=world["luis"].pk, becomes="opportunity"
    )
    results = selectors.campaign_results(campaign=campaign)
    assert results.responded == 2 and results.converted == 0 and results.revenue == 0
    opportunity_update(by=marketer, opportunity_id=ana.opportunity_id, changes={"amount": 250})
    won = Stage.objects.get(kind="won")
    opportunity_move(by=marketer, opportunity_id=ana.opportunity_id, stage_id=won.pk)
    lost = Stage.objects.get(kind="lost")
    opportunity_move(
        by=marketer,
        opportunity_id=luis.opportunity_id,
        stage_id=lost.pk,
        lost_reason_id=LostReasonFactory().pk,
    )
    results = selectors.campaign_results(campaign=campaign)
    assert results.converted == 1 and results.revenue == Decimal("250")
    assert results.roi == pytest.approx(1.5)
