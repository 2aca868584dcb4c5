"""Double opt-in: a visitor signs up on a list's public page, gets a confirmation
e-mail through a real SMTP server, and only following its signed link records the
consent, with its proof, on the customer's consents and timeline."""

import re

import pytest
from django.core import signing

from panorama.channels.models import Interaction
from panorama.customers.models import Consent, Customer
from panorama.marketing.models import ListMembership, OptIn, StaticList
from panorama.marketing.services.signups import SALT, signup_form_save
from tests.factories import UserFactory

from .conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(marketer):
    return signup_form_save(
        by=marketer,
        name="Boletín de ahorro",
        static_list=StaticList.objects.create(name="Boletín"),
        consent_text_es="Acepto recibir el boletín mensual de ahorro por e-mail.",
        consent_text_en="I agree to receive the monthly savings newsletter by e-mail.",
    )


def _link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https://crm\.example\.com(/marketing/confirm/\S+/)", body).group(1)


def test_signing_up_sends_a_confirmation_and_consents_to_nothing_yet(client, smtp, form):
    page = client.get(f"/marketing/join/{form.token}/", HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200 and b"Acepto recibir el bolet" in page.content
    answer = client.post(
        f"/marketing/join/{form.token}/",
        {"first_name": "Nora", "email": "Nora@Example.com"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert answer.status_code == 200 and b"data-asked" in answer.content
    [mail] = smtp.to("nora@example.com")
    assert "Boletín de ahorro" in mail["Subject"] and _link(mail)
    assert "Acepto recibir el boletín" in mail.get_body(("plain",)).get_content()
    optin = OptIn.objects.get()
    assert optin.request_ip == "203.0.113.7" and optin.confirmed_at is None
    assert not Consent.objects.exists() and not Customer.objects.exists()


def test_confirming_records_the_consent_with_its_proof(client, smtp, form):
    client.post(
        f"/marketing/join/{form.token}/",
        {"first_name": "Nora", "email": "nora@example.com"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    link = _link(smtp.emails[0])
    shown = client.get(link)  # a mail scanner's GET confirms nothing
    assert shown.status_code == 200 and not Consent.objects.exists()
    done = client.post(link, REMOTE_ADDR="198.51.100.9")
    assert done.status_code == 200 and b"data-confirmed" in done.content
    customer = Customer.objects.get()
    assert customer.status == "prospect" and customer.first_name == "Nora"
    consent = Consent.objects.get(customer=customer)
    assert consent.granted and (consent.purpose, consent.channel) == ("marketing", "email")
    optin = OptIn.objects.get()
    assert optin.consent == consent and optin.confirm_ip == "198.51.100.9"
    assert ListMembership.objects.filter(static_list=form.static_list, customer=customer).exists()
    entry = Interaction.objects.get(customer=customer, outcome="confirmed")
    assert "203.0.113.7" in entry.body and "198.51.100.9" in entry.body
    assert "Acepto recibir el boletín mensual" in entry.body
    # A replay records nothing more.
    client.post(link)
    assert Consent.objects.count() == 1 and ListMembership.objects.count() == 1


def test_an_existing_customer_is_found_by_his_address(client, smtp, form, world):
    client.post(f"/marketing/join/{form.token}/", {"email": "eva@example.com"})
    client.post(_link(smtp.emails[0]))
    assert Consent.objects.filter(customer=world["eva"], granted=True).exists()
    assert Customer.objects.count() == len(world)


def test_a_tampered_or_expired_link_is_refused(client, smtp, form, settings):
    client.post(f"/marketing/join/{form.token}/", {"email": "nora@example.com"})
    link = _link(smtp.emails[0])
    assert client.post(link[:-3] + "xx/").status_code == 400
    settings.PANORAMA_OPTIN_HOURS = 0
    token = signing.dumps({"o": OptIn.objects.get().pk}, salt=SALT)
    import time

    time.sleep(1.1)
    expired = client.post(f"/marketing/confirm/{token}/")
    assert expired.status_code == 410 and b"expired" in expired.content
    assert not Consent.objects.exists()


def test_the_honeypot_keeps_nothing_and_the_rate_limit_answers_429(client, smtp, form, settings):
    answer = client.post(
        f"/marketing/join/{form.token}/", {"email": "bot@example.com", "website": "http://x"}
    )
    assert answer.status_code == 200 and not OptIn.objects.exists() and not smtp.messages
    settings.PANORAMA_WEBFORM_LIMIT = 3  # the bot's post counted too
    for n in range(2):
        client.post(f"/marketing/join/{form.token}/", {"email": f"p{n}@example.com"})
    third = client.post(f"/marketing/join/{form.token}/", {"email": "p3@example.com"})
    assert third.status_code == 429 and OptIn.objects.count() == 2


def test_bad_input_is_named_and_unknown_forms_are_404(client, smtp, form):
    answer = client.post(f"/marketing/join/{form.token}/", {"email": "not an address"})
    assert answer.status_code == 422 and b"data-error" in answer.content
    assert client.get("/marketing/join/nope/").status_code == 404
    form.active = False
    form.save()
    assert client.get(f"/marketing/join/{form.token}/").status_code == 404


def test_only_list_builders_make_forms(db):
    from panorama.core.exceptions import PermissionDenied

    analyst = UserFactory(role="analyst")
    with pytest.raises(PermissionDenied):
        signup_form_save(
            by=analyst,
            name="X",
            static_list=StaticList.objects.create(name="L"),
            consent_text_es="Sí",
        )


def test_a_confirmed_customer_gets_campaigns(client, smtp, form):
    person("Ana García", consent=None)
    client.post(f"/marketing/join/{form.token}/", {"email": "ana@example.com"})
    client.post(_link(smtp.emails[0]))
    from panorama.marketing.rules import consent_granted

    assert Customer.objects.filter(consent_granted("marketing", "email")).count() == 1
