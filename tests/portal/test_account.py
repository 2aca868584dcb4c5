"""The customer's own account in the portal: he sees only his details, consents,
contracts and loyalty card; he changes his contact details through the customers app's
services (their message for a bad e-mail or phone, the field history saying "portal",
his timeline saying what he changed, ``identify`` finding him by his new address); a
consent he withdraws is in force at once (the next campaign does not mail him)."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from panorama.channels.models import Interaction
from panorama.core.models import FieldChange
from panorama.customers.models import Consent
from panorama.customers.selectors import identify
from panorama.marketing.models import Recipient
from panorama.marketing.services.campaigns import campaign_launch, campaign_save
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.templates import template_save
from panorama.portal.models import LoginLink
from panorama.portal.services import login_link_request
from panorama.service.models import ServiceContract
from tests.factories import AddressFactory, ConsentFactory, CustomerFactory, IdentityFactory

from .test_views import _signed_in

pytestmark = pytest.mark.django_db

DETAILS, CONSENTS, CONTRACTS = (
    "/portal/account/",
    "/portal/account/consents/",
    "/portal/account/contracts/",
)


@pytest.fixture
def ana():
    customer = CustomerFactory(
        first_name="Ana", last_name="García", display_name="Ana García", language="en"
    )
    IdentityFactory(customer=customer, kind="email", value="ana@example.com", is_primary=True)
    IdentityFactory(customer=customer, kind="phone", value="+34600111222", is_primary=True)
    AddressFactory(customer=customer, line1="Calle Mayor 1", city="Madrid", postal_code="28013")
    return customer


@pytest.fixture
def bob():
    customer = CustomerFactory(first_name="Bob", last_name="Smith", display_name="Bob Smith")
    IdentityFactory(customer=customer, kind="email", value="bob@example.com", is_primary=True)
    AddressFactory(customer=customer, line1="Gran Vía 99", city="Bilbao")
    ServiceContract.objects.create(
        name="Mantenimiento de Bob",
        customer=customer,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2099, 1, 1),
    )
    return customer


def _form(**changes) -> dict:
    data = {
        "email": "ana@example.com",
        "phone": "+34600111222",
        "language": "en",
        "line1": "Calle Mayor 1",
        "line2": "",
        "postal_code": "28013",
        "city": "Madrid",
        "region": "",
        "country": "ES",
    }
    return {**data, **changes}


def test_a_stranger_is_sent_to_sign_in(client):
    for url in (DETAILS, CONSENTS, CONTRACTS):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/portal/login/"


def test_he_sees_his_own_details_never_anothers(client, ana, bob):
    _signed_in(client, ana)
    page = client.get(DETAILS).content.decode()
    assert 'value="ana@example.com"' in page and "Calle Mayor 1" in page
    assert "bob@example.com" not in page and "Gran Vía" not in page
    contracts = client.get(CONTRACTS).content.decode()
    assert "Mantenimiento de Bob" not in contracts
    assert "You have no service contract or warranty with us." in contracts


def _confirmation_path(smtp, address: str) -> str:
    """The confirmation link mailed to ``address``, as a path."""
    [message] = smtp.to(address)
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"https?://\S+(/portal/account/email/\S+/)", body)
    assert found, body
    return found.group(1)


def test_he_changes_his_details_and_signs_in_with_his_new_address_once_he_confirms_it(
    client, ana, bob, smtp, emitted, django_capture_on_commit_callbacks
):
    _signed_in(client, ana)
    with emitted() as events:  # runs the commit's callbacks: the mails go
        response = client.post(
            DETAILS,
            _form(email="Ana.Garcia@Example.com", phone="611 222 333", line1="Calle Luna 5"),
        )
    assert response.status_code == 302 and response["Location"] == DETAILS
    page = client.get(DETAILS).content.decode()
    assert "Saved: Phone, Address." in page
    assert "We sent a link to ana.garcia@example.com: open it" in page
    # Until he confirms, he signs in with the old address.
    assert 'value="ana@example.com"' in page and 'value="+34611222333"' in page
    assert identify(user=None, value="ana.garcia@example.com") == []
    # The link goes to the new address, a notice to the old one.
    notice = smtp.to("ana@example.com")[0]
    assert "ana.garcia@example.com" in notice.get_body(preferencelist=("plain",)).get_content()
    path = _confirmation_path(smtp, "ana.garcia@example.com")
    assert ("portal.email_change_requested", {"customer_id": ana.pk}) in events

    shown = client.get(path)  # a mail scanner's visit changes nothing
    assert shown.status_code == 200 and "ana.garcia@example.com" in shown.content.decode()
    assert identify(user=None, value="ana.garcia@example.com") == []
    with emitted() as events:
        done = Client().post(path)  # another device, no portal session: the link is the proof
    assert done.status_code == 200
    assert "From now on you sign in with ana.garcia@example.com." in done.content.decode()

    emails = list(ana.identities.filter(kind="email").values_list("value", flat=True))
    assert emails == ["ana.garcia@example.com"]
    assert ana.addresses.get().line1 == "Calle Luna 5"
    # The field history says who: nobody on the staff, the customer in the portal.
    history = FieldChange.objects.filter(customer_id=ana.pk)
    assert {c.field for c in history} == {"identity:email", "identity:phone", "address"}
    assert all(c.reason == "portal" and c.changed_by_id is None for c in history)
    # His timeline says what he changed, as done by him through the portal.
    entries = Interaction.objects.filter(customer=ana, channel="portal").order_by("id")
    assert [e.subject for e in entries] == [
        "Changed his details in the customer portal: Phone, Address",
        "Changed his details in the customer portal: E-mail",
    ]
    assert all(e.direction == "inbound" and e.agent_id is None for e in entries)
    assert "customer.identity_added" in [name for name, _payload in events]

    # identify (the sign-in's lookup) finds him by the new address, not the old one.
    assert [m.customer.pk for m in identify(user=None, value="ana.garcia@example.com")] == [ana.pk]
    assert identify(user=None, value="ana@example.com") == []
    with django_capture_on_commit_callbacks():
        login_link_request(email="ana.garcia@example.com", address="10.0.0.1")
        login_link_request(email="ana@example.com", address="10.0.0.2")
    assert list(LoginLink.objects.values_list("email", flat=True).order_by("id")) == [
        "x@example.com",  # _signed_in's
        "ana.garcia@example.com",
    ]
    # The link works once.
    again = client.post(path)
    assert again.status_code == 400
    assert "Your e-mail address is already ana.garcia@example.com." in again.content.decode()


def test_a_confirmation_link_out_of_date_forged_or_for_an_address_taken_since_is_refused(
    client, ana, bob, smtp, django_capture_on_commit_callbacks
):
    _signed_in(client, ana)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(DETAILS, _form(email="first@example.com"))
        client.post(DETAILS, _form(email="second@example.com"))
    first = _confirmation_path(smtp, "first@example.com")
    second = _confirmation_path(smtp, "second@example.com")

    forged = client.post(first.replace("/email/", "/email/x"))
    assert forged.status_code == 400 and "This link is not valid." in forged.content.decode()
    IdentityFactory(customer=bob, kind="email", value="second@example.com")
    taken = client.post(second)  # bob holds it now: ana may not take his sign-in
    assert taken.status_code == 422
    assert "cannot be used for your customer area" in taken.content.decode()
    assert client.post(first).status_code == 200  # the other link still works
    out_of_date = client.post(second)
    assert out_of_date.status_code == 400
    assert "changed after this link was sent" in out_of_date.content.decode()
    assert list(ana.identities.filter(kind="email").values_list("value", flat=True)) == [
        "first@example.com"
    ]


def test_a_bad_email_or_phone_gets_the_same_message_as_the_api(client, ana, api):
    for kind, value in (("email", "ana(at)example"), ("phone", "12")):
        from_api = api.post(f"/customers/{ana.pk}/identities", json={"kind": kind, "value": value})
        assert from_api.status_code == 422
        message = from_api.json()["detail"]
        assert value in message

        portal = Client()
        _signed_in(portal, ana)
        response = portal.post(DETAILS, _form(**{kind: value}))
        assert response.status_code == 422
        page = response.content.decode()
        assert message in page.replace("&#x27;", "'")
        assert 'aria-invalid="true"' in page
    # Nothing changed, nothing on his timeline.
    assert set(ana.identities.values_list("value", flat=True)) == {
        "ana@example.com",
        "+34600111222",
    }
    assert not Interaction.objects.filter(customer=ana, channel="portal").exists()


def test_he_may_not_empty_his_email_nor_take_another_customers(client, ana, bob):
    _signed_in(client, ana)
    empty = client.post(DETAILS, _form(email=""))
    assert empty.status_code == 422
    assert "how you sign in: it cannot be left empty" in empty.content.decode()
    taken = client.post(DETAILS, _form(email="bob@example.com"))
    assert taken.status_code == 422
    assert "cannot be used for your customer area" in taken.content.decode()
    assert [m.customer.pk for m in identify(user=None, value="bob@example.com")] == [bob.pk]


def test_his_language_changes_the_portals(client, ana):
    _signed_in(client, ana)
    response = client.post(DETAILS, _form(language="es"))
    assert response.cookies["django_language"].value == "es"
    ana.refresh_from_db()
    assert ana.language == "es"
    page = client.get(DETAILS).content.decode()
    assert '<h1 class="mb-0">Mis datos</h1>' in page
    assert FieldChange.objects.get(customer_id=ana.pk, field="language").reason == "portal"


def test_he_withdraws_marketing_by_email_and_the_next_campaign_does_not_mail_him(
    client, ana, smtp, settings, django_capture_on_commit_callbacks
):
    settings.PANORAMA_CAMPAIGN_RATE = 0
    ConsentFactory(customer=ana, purpose="marketing", channel="email", granted=True)
    ConsentFactory(customer=ana, purpose="marketing", channel="sms", granted=True)
    luis = CustomerFactory(first_name="Luis", language="en")
    IdentityFactory(customer=luis, kind="email", value="luis@example.com", is_primary=True)
    ConsentFactory(customer=luis, purpose="marketing", channel="email", granted=True)
    _signed_in(client, ana)
    page = client.get(CONSENTS).content.decode()
    assert 'value="marketing:email" id="consent-marketing-email" checked' in page

    response = client.post(CONSENTS, {"consent": ["marketing:sms"]})  # e-mail switched off
    assert response.status_code == 302
    withdrawal = Consent.objects.filter(customer=ana).order_by("-id").first()
    assert (withdrawal.purpose, withdrawal.channel, withdrawal.granted) == (
        "marketing",
        "email",
        False,
    )
    assert withdrawal.source == "Customer portal" and withdrawal.recorded_by_id is None
    assert Consent.objects.filter(customer=ana).count() == 3  # sms unchanged: nothing recorded
    [entry] = Interaction.objects.filter(customer=ana, channel="portal")
    assert "Withdrew: Marketing communications · E-mail" in entry.body

    segment = segment_save(
        by=None, name="Todos", rules={"field": "language", "op": "eq", "value": "en"}
    )
    template = template_save(
        by=None,
        name="Oferta",
        subject_es="Oferta",
        body_es="Hola",
        subject_en="Offer",
        body_en="Hello",
    )
    campaign = campaign_save(
        by=None,
        changes={
            "name": "Oferta",
            "segment": segment.pk,
            "template": template.pk,
            "control_percent": 0,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaign_launch(by=None, campaign=campaign)
    assert [m["To"] for m in smtp.emails] == ["luis@example.com"]
    skipped = Recipient.objects.get(campaign=campaign, customer=ana)
    assert (skipped.status, skipped.reason) == ("skipped", "no_consent")


def test_an_unknown_consent_is_refused(client, ana):
    _signed_in(client, ana)
    response = client.post(CONSENTS, {"consent": ["marketing:fax"]})
    assert response.status_code == 422
    assert not Consent.objects.filter(customer=ana).exists()


def test_his_contracts_with_their_status_and_his_loyalty_card(client, ana, bob):
    from panorama.loyalty.services.members import member_enrol, points_adjust
    from panorama.loyalty.services.programmes import programme_save, tier_add

    today = timezone.localdate()
    for name, start, end, status in (
        (
            "Mantenimiento caldera",
            today - datetime.timedelta(days=30),
            today + datetime.timedelta(days=300),
            "active",
        ),
        (
            "Garantía lavadora",
            today - datetime.timedelta(days=800),
            today - datetime.timedelta(days=70),
            "active",
        ),
        (
            "Seguro anulado",
            today - datetime.timedelta(days=10),
            today + datetime.timedelta(days=300),
            "cancelled",
        ),
    ):
        ServiceContract.objects.create(
            name=name, customer=ana, starts_on=start, ends_on=end, status=status
        )
    club = programme_save(by=None, name="Club Panorama", expiry_months=24, qualification_months=12)
    tier_add(by=None, programme=club, name="Bronce", threshold=0)
    tier_add(by=None, programme=club, name="Plata", threshold=500)
    member = member_enrol(by=None, programme_id=club.pk, customer_id=ana.pk)
    points_adjust(by=None, membership_id=member.pk, points=120, reason="Bienvenida")
    _signed_in(client, ana)

    page = client.get(CONTRACTS).content.decode()
    listed = page.split('id="portal-contracts"')[1]
    assert listed.index("Mantenimiento caldera") < listed.index("Garantía lavadora")
    assert "In force" in listed and "Ended" in listed and "Cancelled" in listed
    assert "Mantenimiento de Bob" not in page
    assert "Club Panorama" in page and member.card_number in page
    assert "120" in page


def test_query_budgets(client, ana, django_assert_num_queries):
    """Session, customer, tracked site, and each page's own: a fixed number of queries
    whatever his history (the contracts page: one more per loyalty card, a handful)."""
    from panorama.loyalty.services.members import member_enrol
    from panorama.loyalty.services.programmes import programme_save, tier_add

    for n in range(5):
        ConsentFactory(customer=ana, purpose="marketing", channel="email", granted=n % 2 == 0)
        ServiceContract.objects.create(
            name=f"Contrato {n}",
            customer=ana,
            starts_on=datetime.date(2024, 1, 1),
            ends_on=datetime.date(2030, 1, 1),
        )
    club = programme_save(by=None, name="Club", expiry_months=24, qualification_months=12)
    tier_add(by=None, programme=club, name="Bronce", threshold=0)
    member_enrol(by=None, programme_id=club.pk, customer_id=ana.pk)
    _signed_in(client, ana)
    # + identities, addresses | + consents | + contracts, cards, tiers, points, statement
    for url, queries in ((DETAILS, 5), (CONSENTS, 4), (CONTRACTS, 8)):
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_sweep_deletes_only_the_links_used_or_expired_over_a_day_ago(ana):
    from panorama.portal.services import login_links_sweep

    now = timezone.now()
    day = datetime.timedelta(days=1)

    def link(created, expires, used=None):
        row = LoginLink.objects.create(customer=ana, email="ana@example.com", expires_at=expires)
        LoginLink.objects.filter(pk=row.pk).update(created_at=created, used_at=used)
        return row.pk

    old_used = link(now - 3 * day, now - 3 * day + datetime.timedelta(minutes=15), now - 3 * day)
    old_expired = link(now - 2 * day, now - 2 * day + datetime.timedelta(minutes=15))
    fresh_used = link(
        now - datetime.timedelta(hours=2), now + day, now - datetime.timedelta(hours=1)
    )
    fresh_expired = link(now - datetime.timedelta(hours=3), now - datetime.timedelta(hours=2))
    waiting = link(now, now + datetime.timedelta(minutes=15))

    assert login_links_sweep() == 2
    assert set(LoginLink.objects.values_list("pk", flat=True)) == {
        fresh_used,
        fresh_expired,
        waiting,
    }
    assert old_used and old_expired


def test_the_workers_sweep_runs_it_once_an_hour(ana):
    from django.core.cache import cache

    from panorama.core import jobs
    from panorama.portal.tasks import SWEEP_KEY, login_links_tick

    old = timezone.now() - datetime.timedelta(days=3)
    row = LoginLink.objects.create(customer=ana, email="a@example.com", expires_at=old)
    cache.delete(SWEEP_KEY)
    login_links_tick()  # not in the worker: nothing
    assert LoginLink.objects.filter(pk=row.pk).exists()
    jobs.worker_mode(True)
    try:
        login_links_tick()
        assert not LoginLink.objects.filter(pk=row.pk).exists()
        again = LoginLink.objects.create(customer=ana, email="a@example.com", expires_at=old)
        login_links_tick()  # within the hour: left for the next turn
        assert LoginLink.objects.filter(pk=again.pk).exists()
    finally:
        jobs.worker_mode(False)
        cache.delete(SWEEP_KEY)


def test_a_language_the_site_does_not_offer_is_kept_when_he_saves(client, ana):
    ana.language = "ca"
    ana.save(update_fields=["language"])
    _signed_in(client, ana)
    page = client.get(DETAILS).content.decode()
    assert '<option value="ca" selected>ca</option>' in page
    client.post(DETAILS, _form(language="ca", phone="611 222 333"))
    ana.refresh_from_db()
    assert ana.language == "ca"
    assert client.post(DETAILS, _form(language="xx")).status_code == 422


def test_a_phone_he_already_holds_beside_the_main_one_is_a_conflict_not_an_error(client, ana):
    IdentityFactory(customer=ana, kind="phone", value="+34611222333", is_primary=False)
    _signed_in(client, ana)
    response = client.post(DETAILS, _form(phone="611222333"))
    assert response.status_code == 409
    assert "+34611222333 is already recorded for this customer." in response.content.decode()
