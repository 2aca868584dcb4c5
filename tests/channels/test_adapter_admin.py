"""Administrators configure the adapters in the admin; the forms are checked by the
same services as the API (a bad template, a short webhook secret are refused there)."""

import pytest

from panorama.channels.models import MailTemplate, MessagingAccount, SendingIdentity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_template_with_a_syntax_error_is_refused_beside_the_field(admin_client):
    add = "/admin/channels/mailtemplate/add/"
    refused = admin_client.post(
        add,
        {"name": "Hola", "language": "es", "subject": "Hola {% if %}", "body": "x", "active": "on"},
    )
    assert refused.status_code == 200
    assert "The template is not valid" in refused.content.decode()
    assert not MailTemplate.objects.exists()
    ok = admin_client.post(
        add,
        {
            "name": "Hola",
            "language": "es",
            "subject": "Hola {{ customer }}",
            "body": "x",
            "active": "on",
        },
    )
    assert ok.status_code == 302
    assert MailTemplate.objects.get().language == "es"


def test_a_shared_identity_for_some_users(admin_client):
    agent = UserFactory(username="agent")
    r = admin_client.post(
        "/admin/channels/sendingidentity/add/",
        {
            "name": "Legal",
            "from_address": "LEGAL@bank.example",
            "users": [agent.pk],
            "active": "on",
        },
    )
    assert r.status_code == 302
    identity = SendingIdentity.objects.get()
    assert identity.from_address == "legal@bank.example"
    assert list(identity.users.all()) == [agent]


def test_a_messaging_account_needs_a_key_and_keeps_it_sealed(admin_client):
    data = {
        "name": "SMS",
        "kind": "sms",
        "provider": "reference",
        "number": "600 100 200",
        "api_url": "https://sms.example/api",
        "webhook_secret": "short",
        "active": "on",
    }
    add = "/admin/channels/messagingaccount/add/"
    no_key = admin_client.post(add, {**data, "webhook_secret": "x" * 32})
    assert "Give the provider&#x27;s API key." in no_key.content.decode()
    refused = admin_client.post(add, {**data, "api_key": "k-123"})
    assert "at least 16 characters" in refused.content.decode()
    admin_client.post(add, {**data, "webhook_secret": "x" * 32, "api_key": "k-123"})
    account = MessagingAccount.objects.get()
    assert account.number == "+34600100200"
    assert "k-123" not in account.api_key_sealed


def test_other_roles_do_not_see_the_adapter_configuration(client):
    client.force_login(UserFactory(role="service_agent", is_staff=True))
    assert client.get("/admin/channels/sendingidentity/").status_code == 403
