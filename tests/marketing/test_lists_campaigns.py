"""Campaigns on the shared list: what each user sees and may do, chips in the URL, and
*Cancel* in bulk through campaign_cancel (a campaign already over is refused, alone)."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.marketing.models import Campaign

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/marketing/campaigns/"


def _campaign(name, *, owner=None, **fields):
    return Campaign.objects.create(name=name, owner=owner, **fields)


def _names(response) -> list[str]:
    return [row.obj.name for row in response.context["list"].rows]


def _bulk(client, **data):
    return client.post("/ui/lists/campaigns/bulk/", data, headers={"HX-Request": "true"})


@pytest.fixture
def campaigns(marketer):
    other = UserFactory(username="olga", first_name="Olga", role=Role.MARKETING)
    return {
        "spring": _campaign("Primavera", owner=marketer, channel="email"),
        "summer": _campaign("Verano", owner=other, channel="sms", status="sent"),
        "calls": _campaign("Otoño", owner=other, channel="call_list", status="sending"),
    }


def test_the_route_name_still_draws_the_campaigns_newest_first(client, marketer, campaigns):
    client.force_login(marketer)
    response = client.get(reverse("marketing:campaign_list"))
    assert response.status_code == 200
    assert _names(response) == ["Otoño", "Verano", "Primavera"]
    page = response.content.decode()
    assert 'id="campaigns-list"' in page and "3 campaigns" in page
    assert reverse("marketing:campaign_detail", args=[campaigns["spring"].pk]) in page


def test_a_chip_narrows_the_campaigns_and_lives_in_the_url(client, marketer, campaigns):
    client.force_login(marketer)
    response = client.get(URL + "?channel=sms")
    assert _names(response) == ["Verano"]
    chip_text = response.content.decode()
    assert "Channel: SMS" in chip_text
    # A filter chosen over HTMX pushes the canonical URL (reload or copy: same rows).
    swapped = client.get(
        URL + "?owner=me&sort=name",
        headers={"HX-Request": "true", "HX-Target": "campaigns-list"},
    )
    assert _names(swapped) == ["Primavera"]
    assert swapped["HX-Push-Url"] == URL + "?owner=me&sort=name"
    assert _names(client.get(URL + "?status=sending&q=oto")) == ["Otoño"]
    # Another owner is a choice of the owner filter; a stale value is ignored.
    olga = campaigns["summer"].owner
    assert _names(client.get(URL + f"?owner={olga.pk}&sort=name")) == ["Otoño", "Verano"]
    assert len(_names(client.get(URL + "?channel=pigeon"))) == 3


def test_cancel_goes_through_the_service_which_refuses_a_campaign_that_is_over(
    client, marketer, campaigns
):
    client.force_login(marketer)
    ids = [campaigns[k].pk for k in ("spring", "summer", "calls")]
    response = _bulk(client, action="cancel", ids=ids)
    report = response.context["list"].report
    assert report.done == 2
    assert report.refused == [("Verano", "This campaign is over: nothing to cancel.")]
    assert "1 row refused" in response.content.decode()
    statuses = dict(Campaign.objects.values_list("name", "status"))
    assert statuses == {"Primavera": "cancelled", "Verano": "sent", "Otoño": "cancelled"}


def test_a_rep_reads_the_campaigns_but_may_not_cancel_them(client, campaigns):
    rep = UserFactory(username="pepe", role=Role.SALES_REP)
    client.force_login(rep)
    response = client.get(URL)
    assert len(_names(response)) == 3
    assert response.context["list"].bulk is None  # no bulk bar: nothing he may do
    assert "New campaign" not in response.content.decode()
    refused = _bulk(client, action="cancel", ids=[campaigns["spring"].pk])
    assert refused.context["list"].bulk_error == "Choose an action."
    assert Campaign.objects.get(pk=campaigns["spring"].pk).status == "draft"
    client.logout()
    assert client.get(URL).status_code == 302  # to the sign-in page
