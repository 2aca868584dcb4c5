"""The adapters' pages: the ficha's timeline offers e-mail, message, fax and visit; the
compose page answers the customer's e-mail; errors come back beside the field; pages
need login and the record check; Spanish."""

import pytest

from panorama.accounts.models import Role
from panorama.channels.mail.importer import mail_import
from panorama.channels.models import SendingIdentity
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

from .conftest import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    customer = CustomerFactory(display_name="Ana García")
    IdentityFactory(customer=customer, kind="email", value="ana@example.com")
    return customer


def test_the_timeline_offers_each_channel_and_a_reply(client, admin_user, ana):
    entry = mail_import(raw=make_mail(subject="Mi tarjeta"))
    client.force_login(admin_user)
    html = client.get(f"/customers/{ana.pk}/").content.decode()
    for url in (
        f"/channels/customers/{ana.pk}/email/",
        f"/channels/customers/{ana.pk}/text/",
        f"/channels/customers/{ana.pk}/fax/",
        f"/channels/visits/new/?customer={ana.pk}",
        f"/channels/customers/{ana.pk}/email/?reply_to={entry.interaction_id}",
    ):
        assert url in html


def test_the_compose_page_prefills_a_reply(client, admin_user, ana):
    SendingIdentity.objects.create(name="Support", from_address="support@bank.example")
    entry = mail_import(raw=make_mail(subject="Mi tarjeta"))
    client.force_login(admin_user)
    html = client.get(
        f"/channels/customers/{ana.pk}/email/?reply_to={entry.interaction_id}"
    ).content.decode()
    assert 'value="Re: Mi tarjeta"' in html
    assert f'value="{entry.interaction_id}"' in html


def test_compose_errors_come_back_beside_the_field(client, admin_user, ana, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    support = SendingIdentity.objects.create(name="Support", from_address="support@bank.example")
    client.force_login(admin_user)
    r = client.post(
        f"/channels/customers/{ana.pk}/email/", {"identity": support.pk, "subject": "", "body": "x"}
    )
    assert r.status_code == 422
    assert "A message needs a subject." in r.content.decode()


def test_without_an_identity_the_page_says_whom_to_ask(client, ana):
    agent = UserFactory(role=Role.SERVICE_AGENT)
    client.force_login(agent)
    r = client.get(f"/channels/customers/{ana.pk}/email/")
    assert "No sending identity for you" in r.content.decode()


def test_pages_in_spanish(client, ana):
    agent = UserFactory(role=Role.SERVICE_AGENT, language="es")
    client.force_login(agent)
    assert "Enviar un mensaje" in client.get(f"/channels/customers/{ana.pk}/text/").content.decode()
    assert "Números desconocidos" in client.get("/channels/numbers/unknown/").content.decode()
    assert "Registrar una visita" in client.get("/channels/visits/new/").content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/channels/customers/{id}/email/",
        "/channels/customers/{id}/text/",
        "/channels/customers/{id}/fax/",
        "/channels/visits/new/?customer={id}",
    ],
)
def test_a_rep_cannot_open_pages_of_customers_he_does_not_see(client, rep, url):
    stranger = CustomerFactory(owner=UserFactory(role=Role.SALES_REP))
    client.force_login(rep)
    assert client.get(url.format(id=stranger.pk)).status_code == 404


def test_an_analyst_may_not_send(client, ana):
    client.force_login(UserFactory(role=Role.ANALYST))
    assert client.get(f"/channels/customers/{ana.pk}/text/").status_code == 403


def test_pages_need_login(client, ana):
    r = client.get(f"/channels/customers/{ana.pk}/email/")
    assert r.status_code == 302 and "/login" in r["Location"]


def test_the_demo_has_a_fax_and_messages_on_the_showcase_timeline():
    from panorama.channels.models import Fax
    from panorama.seeding.channels_demo import channels_demo_ensure
    from panorama.seeding.showcase import PHONE

    ana = CustomerFactory(display_name="Ana García")
    IdentityFactory(customer=ana, kind="phone", value=PHONE)
    assert channels_demo_ensure() and not channels_demo_ensure()  # once
    fax = Fax.objects.get()
    assert fax.customer == ana and fax.preview
    assert set(ana.interactions.values_list("channel", flat=True)) == {"fax", "sms"}
