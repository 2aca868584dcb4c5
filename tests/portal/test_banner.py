"""The campaigns' portal banner on the portal's home: shown, personalised, to the
customers of a running banner campaign's target group who consent to marketing; never to
its control group, to one who withdrew his consent, nor after the campaign is cancelled.
Showing it counts as the message's open, its link's click as the e-mail's click."""

import pytest

from panorama.channels.models import Interaction
from panorama.marketing.models import Campaign, MessageTemplate, Recipient, Segment
from panorama.marketing.services.campaigns import campaign_cancel, campaign_launch
from tests.factories import ConsentFactory, CustomerFactory

from .test_views import _signed_in

pytestmark = pytest.mark.django_db

HOME = "/portal/"


@pytest.fixture
def campaign(settings):
    settings.PANORAMA_PUBLIC_URL = "http://testserver"
    for n in range(12):
        customer = CustomerFactory(first_name=f"Cliente{n}", language="es")
        ConsentFactory(customer=customer, channel="any")
    CustomerFactory(first_name="Outsider", language="en")  # not in the segment
    template = MessageTemplate.objects.create(
        name="Hipoteca",
        subject_es="{{ first_name }}, tu hipoteca al 2 %",
        body_es="Simúlala aquí: https://www.bank.example/hipoteca",
    )
    segment = Segment.objects.create(
        name="ES", rules={"field": "language", "op": "eq", "value": "es"}
    )
    campaign = Campaign.objects.create(
        name="Hipoteca primavera",
        channel=Campaign.Channel.BANNER,
        segment=segment,
        template=template,
        control_percent=50,
        control_seed=7,
    )
    campaign_launch(by=None, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def _one(campaign, group) -> Recipient:
    return Recipient.objects.filter(campaign=campaign, group=group).select_related("customer")[0]


def test_a_target_customer_sees_his_banner_and_it_counts_as_shown_then_clicked(
    client, campaign, emitted
):
    assert campaign.status == Campaign.Status.SENDING  # launched: running
    row = _one(campaign, Recipient.Group.TARGET)
    _signed_in(client, row.customer)

    with emitted() as events:
        page = client.get(HOME).content.decode()

    assert f"{row.customer.first_name}, tu hipoteca al 2 %" in page
    row.refresh_from_db()
    assert (row.status, row.opens) == (Recipient.Status.SENT, 1)
    assert row.sent_at and row.opened_at
    assert (
        "campaign.opened",
        {"campaign_id": campaign.pk, "customer_id": row.customer_id, "recipient_id": row.pk},
    ) in events
    client.get(HOME)  # the same session: no second impression
    row.refresh_from_db()
    assert row.opens == 1
    [seen] = Interaction.objects.filter(customer=row.customer, channel="portal")
    # In his language (Spanish): the sign-in chose it for the portal.
    assert seen.subject == "Vio el banner del portal de la campaña Hipoteca primavera"
    assert seen.outcome == "opened"

    click = page.split('href="http://testserver')[1].split('"')[0].replace("&amp;", "&")
    followed = client.get(click)
    assert followed.status_code == 302
    assert followed["Location"].startswith("https://www.bank.example/hipoteca")
    row.refresh_from_db()
    assert (row.clicks, bool(row.clicked_at)) == (1, True)


def test_the_control_group_and_customers_outside_the_target_see_no_banner(client, campaign):
    held = _one(campaign, Recipient.Group.CONTROL)
    _signed_in(client, held.customer)
    assert 'id="portal-banner"' not in client.get(HOME).content.decode()
    held.refresh_from_db()
    assert (held.status, held.opens) == (Recipient.Status.HELD, 0)

    outsider = CustomerFactory(first_name="Nadie")
    ConsentFactory(customer=outsider, channel="any")
    _signed_in(client, outsider)
    assert 'id="portal-banner"' not in client.get(HOME).content.decode()


def test_no_banner_without_consent_or_once_the_campaign_is_cancelled(client, campaign):
    row = _one(campaign, Recipient.Group.TARGET)
    ConsentFactory(customer=row.customer, channel="any", granted=False)  # withdrew it
    _signed_in(client, row.customer)
    assert 'id="portal-banner"' not in client.get(HOME).content.decode()

    other = Recipient.objects.filter(campaign=campaign, group="target").exclude(pk=row.pk)[0]
    campaign_cancel(by=None, campaign=campaign)
    _signed_in(client, other.customer)
    assert 'id="portal-banner"' not in client.get(HOME).content.decode()
    assert Recipient.objects.filter(campaign=campaign, opens__gt=0).count() == 0


def test_one_impression_per_session_not_one_per_view(client, campaign, django_assert_num_queries):
    """The home page writes the banner's impression once per portal session (customer
    and banner); the views after it read and write nothing of the campaign's."""
    row = _one(campaign, Recipient.Group.TARGET)
    _signed_in(client, row.customer)
    client.get(HOME)
    # Session, customer, his consent, the ledger row, the merge fields (4), two case
    # lists, the tracked site (and a savepoint): reads only.
    with django_assert_num_queries(13) as done:
        page = client.get(HOME).content.decode()
    writes = [q["sql"] for q in done.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert writes == []
    assert 'id="portal-banner"' in page
    client.get(HOME)
    row.refresh_from_db()
    assert row.opens == 1
    assert Interaction.objects.filter(customer=row.customer, channel="portal").count() == 1

    _signed_in(client, row.customer)  # a new sign-in, a new session: one more impression
    client.get(HOME)
    client.get(HOME)
    row.refresh_from_db()
    assert row.opens == 2
    assert Interaction.objects.filter(customer=row.customer, channel="portal").count() == 1
