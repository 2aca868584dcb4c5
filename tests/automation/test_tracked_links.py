# ruff: noqa: F811  (the fixtures imported from tests.marketing.conftest are parameters below)
"""Links that take a customer to the company's own web site carry his signed ``pn_c``
token, so the site's tracking snippet knows who arrived: a campaign's click redirect and
an agent's e-mail both add it, to the tracked sites' links only (a third party's site
never gets the token), and the token identifies the right customer."""

import re

import pytest

from panorama.automation.models import TrackedSite
from panorama.automation.services.tracking import _link_customer, url_tracked_if_ours
from panorama.channels.models import SendingIdentity
from panorama.channels.outbound.models import SentMail
from panorama.marketing.services.campaigns import campaign_save
from panorama.marketing.services.segments import list_create
from panorama.marketing.services.templates import template_save
from tests.factories import CustomerFactory, IdentityFactory
from tests.marketing.conftest import marketer, person  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BANK = "https://www.bank.example"


@pytest.fixture
def bank_site():
    return TrackedSite.objects.create(name="Bank web", origins=f"{BANK}\nhttps://m.bank.example")


def _token(url: str) -> int | None:
    found = re.search(r"[?&]pn_c=([^&#]+)", url)
    return _link_customer(found.group(1)) if found else None


def test_only_links_to_a_tracked_site_get_the_token_in_the_query(bank_site):
    assert _token(url_tracked_if_ours(f"{BANK}/hipotecas?x=1#simular", 7)) == 7
    tracked = url_tracked_if_ours(f"{BANK}/hipotecas?x=1#simular", 7)
    assert tracked.startswith(f"{BANK}/hipotecas?x=1&pn_c=") and tracked.endswith("#simular")
    assert url_tracked_if_ours("https://other.example/offer", 7) == "https://other.example/offer"
    bank_site.active = False
    bank_site.save()
    assert url_tracked_if_ours(f"{BANK}/hipotecas", 7) == f"{BANK}/hipotecas"


def test_a_campaign_click_arrives_on_the_bank_site_identified(
    bank_site, marketer, smtp, settings, client
):
    settings.PANORAMA_CAMPAIGN_RATE = 0
    settings.PANORAMA_PUBLIC_URL = "https://crm.example.com"
    ana = person("Ana García", email_address="ana@example.com")
    group = list_create(by=marketer, name="Hipotecas", customer_ids=[ana.pk])
    template = template_save(
        by=marketer,
        name="Hipoteca",
        subject_es="Tu hipoteca",
        body_es=f"Simula tu hipoteca: {BANK}/hipotecas\nY lee https://news.example/tipos",
    )
    campaign = campaign_save(
        by=marketer,
        changes={"name": "H", "static_list": group, "template": template, "control_percent": 0},
    )
    from panorama.marketing.services.campaigns import campaign_launch
    from panorama.marketing.services.sending import campaign_send

    campaign_launch(by=marketer, campaign=campaign)
    campaign_send(campaign_id=campaign.pk, rate=0)
    text = smtp.to("ana@example.com")[0].get_body(("plain",)).get_content()
    clicks = re.findall(r"https://crm\.example\.com(/marketing/c/\S+)", text)
    targets = [client.get(click)["Location"] for click in clicks]
    bank = next(t for t in targets if t.startswith(BANK))
    news = next(t for t in targets if t.startswith("https://news.example"))
    assert _token(bank) == ana.pk
    assert news == "https://news.example/tipos"


def test_an_agents_email_links_to_the_bank_site_carry_the_token(api, smtp, bank_site):
    luis = CustomerFactory(first_name="Luis", last_name="Pérez", display_name="Luis Pérez")
    IdentityFactory(customer=luis, kind="email", value="luis@example.com", is_primary=True)
    identity = SendingIdentity.objects.create(
        name="Support", from_address="support@bank.example", display_name="Banco"
    )
    body = f"Aquí tiene su simulación: {BANK}/hipotecas/123 (y https://other.example/x)."
    r = api.post(
        f"/customers/{luis.pk}/emails",
        json={"identity_id": identity.pk, "subject": "Su hipoteca", "body": body},
    )
    assert r.status_code == 201, r.content
    sent_text = smtp.emails[0].get_content()
    link = re.search(rf"{re.escape(BANK)}/hipotecas/123\S*", sent_text).group(0)
    assert _token(link) == luis.pk
    assert "https://other.example/x)" in sent_text
    # What the agent wrote is what the CRM keeps: no token in the stored text.
    assert "pn_c" not in SentMail.objects.get().body
