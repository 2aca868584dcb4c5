"""Every marketing record is in the Django admin (read only: written by services) or
shown inside its parent's page; a suppression can be lifted there."""

import pytest
from django.apps import apps
from django.contrib import admin

from panorama.marketing.models import Journey, JourneyStep, Suppression

pytestmark = pytest.mark.django_db

# Shown inside their parent's page, or too many to list (a campaign's ledger).
INLINE_ONLY = {"CampaignVariant", "JourneyStep", "ListMembership", "Recipient"}


def test_every_model_is_in_the_admin():
    missing = [
        model.__name__
        for model in apps.get_app_config("marketing").get_models()
        if not admin.site.is_registered(model) and model.__name__ not in INLINE_ONLY
    ]
    assert missing == []


def test_an_administrator_reads_a_journey_with_its_steps_and_lifts_a_suppression(
    client, admin_user
):
    journey = Journey.objects.create(name="Bienvenida", trigger="event", trigger_event="x")
    JourneyStep.objects.create(journey=journey, position=0, kind="wait", config={"days": 3})
    gone = Suppression.objects.create(email="ana@example.com", reason="hard_bounce")
    client.force_login(admin_user)
    page = client.get(f"/admin/marketing/journey/{journey.pk}/change/").content.decode()
    assert "Bienvenida" in page and 'name="_save"' not in page  # read only
    assert f"/marketing/journeys/{journey.pk}/" in page  # the link to the app
    for name in ("segment", "campaign", "enrolment", "optin", "signupform", "suppression"):
        assert client.get(f"/admin/marketing/{name}/").status_code == 200
    answer = client.post(
        f"/admin/marketing/suppression/{gone.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert answer.status_code == 200 and not Suppression.objects.exists()
