"""Channel setup outside the Django admin: administrators and managers list and edit
sending identities, messaging accounts and tracked sites on shared lists and forms, saved
through the same services as the API (same errors); other roles get a 403; a site's
page gives the tracking and chat snippets, from our own static files."""

import html

import pytest

from panorama.accounts.models import Role
from panorama.automation.models import TrackedSite
from panorama.channels.models import MessagingAccount, SendingIdentity
from panorama.channels.sms.services import messaging_account_save

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return UserFactory(username="marta", role=Role.SALES_MANAGER)


def test_a_manager_creates_a_tracked_site_and_copies_its_snippets(client, manager):
    client.force_login(manager)
    answer = client.post(
        "/channels/setup/sites/new/",
        {
            "name": "Web del banco",
            "origins": "https://www.bank.example/\nhttps://WWW.bank.example",
            "require_consent": "on",
            "rate_per_minute": "600",
            "active": "on",
        },
    )
    assert answer.status_code == 302
    site = TrackedSite.objects.get()
    assert site.origins == "https://www.bank.example"  # cleaned, once
    page = html.unescape(client.get(f"/channels/setup/sites/{site.pk}/").content.decode())
    assert f'data-site="{site.public_key}"' in page and "/static/channels/chat-widget.js" in page
    assert "/static/automation/track.js" in page and 'data-consent="required"' in page
    listing = client.get("/channels/setup/sites/").content.decode()
    assert "Web del banco" in listing and "https://www.bank.example" in listing


def test_a_bad_origin_is_shown_beside_the_field_as_the_api_says_it(client, api_as, manager):
    client.force_login(manager)
    page = client.post(
        "/channels/setup/sites/new/",
        {"name": "Web", "origins": "www.bank.example/path", "rate_per_minute": "600"},
    )
    assert page.status_code == 422
    assert "is not an origin" in page.content.decode()
    api = api_as(manager)
    answer = api.post("/channels/sites", json={"name": "Web", "origins": ["www.bank.example/path"]})
    assert answer.status_code == 422 and "is not an origin" in answer.json()["detail"]
    assert TrackedSite.objects.count() == 0
    good = api.post("/channels/sites", json={"name": "Web", "origins": ["https://m.bank.example"]})
    assert good.status_code == 201 and good.json()["origins"] == ["https://m.bank.example"]


def test_a_sending_identity_is_created_and_edited_on_its_page(client, manager):
    client.force_login(manager)
    answer = client.post(
        "/channels/setup/identities/new/",
        {"name": "Atención", "from_address": "atencion@bank.example", "active": "on"},
    )
    assert answer.status_code == 302
    identity = SendingIdentity.objects.get()
    assert identity.shared and identity.from_address == "atencion@bank.example"
    bad = client.post(
        f"/channels/setup/identities/{identity.pk}/",
        {"name": "Atención", "from_address": "no-es-correo", "active": "on"},
    )
    assert bad.status_code == 422
    assert SendingIdentity.objects.get().from_address == "atencion@bank.example"


def test_a_messaging_account_keeps_its_key_sealed_and_shows_its_webhook(client, manager):
    client.force_login(manager)
    data = {
        "name": "SMS",
        "kind": "sms",
        "provider": "reference",
        "number": "600 10 02 00",
        "api_url": "http://127.0.0.1:9/api",
        "active": "on",
    }
    missing_key = client.post("/channels/setup/accounts/new/", data)
    assert missing_key.status_code == 422 and "API key" in missing_key.content.decode()
    assert (
        client.post("/channels/setup/accounts/new/", {**data, "api_key": "k-1"}).status_code == 302
    )
    account = MessagingAccount.objects.get()
    assert account.number == "+34600100200" and account.api_key_sealed != "k-1"
    page = client.get(f"/channels/setup/accounts/{account.pk}/").content.decode()
    assert f"/api/v1/channels/messaging/{account.pk}/webhook" in page and "k-1" not in page
    # Left empty, the key is kept.
    assert client.post(f"/channels/setup/accounts/{account.pk}/", data).status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/channels/setup/sites/",
        "/channels/setup/sites/new/",
        "/channels/setup/identities/",
        "/channels/setup/accounts/new/",
    ],
)
def test_an_agent_is_refused_the_setup_pages(client, url):
    client.force_login(UserFactory(role=Role.SERVICE_AGENT))
    answer = client.get(url)
    assert answer.status_code == 403
    assert "administrators and managers" in answer.content.decode()


def test_an_agent_cannot_save_an_account_by_the_service_either():
    agent = UserFactory(role=Role.SERVICE_AGENT)
    from panorama.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        messaging_account_save(
            by=agent,
            account=MessagingAccount(name="X", number="+34600100200", api_url="http://x"),
            api_key="k",
        )


def test_the_admin_saves_a_site_through_the_same_service(client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    answer = client.post(
        "/admin/automation/trackedsite/add/",
        {"name": "Web", "origins": "ftp://bank.example", "rate_per_minute": "600"},
    )
    assert answer.status_code == 200 and "is not an origin" in answer.content.decode()
    assert TrackedSite.objects.count() == 0
