"""The mailbox pages and the /api/v1/channels/... routes: who may do what, the
password never shown back, the ledger, the unknown senders linked from the page."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.channels.mail.importer import mail_import
from panorama.channels.models import Interaction, Mailbox, MailEntry
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

from .conftest import AGENT, PASSWORD, make_mail

pytestmark = pytest.mark.django_db


def _payload(imap_port, **extra):
    data = {
        "name": "Support",
        "address": AGENT,
        "host": "127.0.0.1",
        "port": imap_port,
        "use_ssl": False,
        "username": AGENT,
        "password": PASSWORD,
    }
    data.update(extra)
    return data


def test_an_admin_adds_a_mailbox_on_the_page_and_the_password_is_never_shown(
    client, admin_user, imap
):
    client.force_login(admin_user)
    response = client.post(
        reverse("channels:mailbox_create"),
        {**_payload(imap.port), "folder": "INBOX", "poll_seconds": 60, "active": "on"},
    )
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert PASSWORD not in mailbox.password_sealed
    edit = client.get(reverse("channels:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert PASSWORD not in edit and mailbox.password_sealed not in edit
    tested = client.post(reverse("channels:mailbox_test", args=[mailbox.pk]), follow=True)
    assert "Connected: the folder holds" in tested.content.decode()


def test_a_bad_mailbox_form_says_what_is_wrong(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("channels:mailbox_create"),
        {**_payload(143, address="not-an-address"), "folder": "INBOX", "poll_seconds": 60},
    )
    assert response.status_code == 422
    assert "is not an e-mail address" in response.content.decode()


def test_only_admins_configure_and_managers_read(client, rep):
    manager = UserFactory(role=Role.SALES_MANAGER)
    client.force_login(rep)
    own = client.get(reverse("channels:mailbox_list"))  # his own mailboxes: none
    assert own.status_code == 200 and "No mailbox of your own" in own.content.decode()
    client.force_login(manager)
    assert client.get(reverse("channels:mailbox_list")).status_code == 200
    assert client.get(reverse("channels:mailbox_create")).status_code == 403


def test_api_creates_a_mailbox_without_echoing_the_password(api, imap):
    response = api.post("/channels/mailboxes", json=_payload(imap.port))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["has_password"] is True and "password" not in body
    assert PASSWORD not in response.content.decode()
    assert api.post(f"/channels/mailboxes/{body['id']}/test").json() == {"messages": 0}


def test_api_refuses_bad_mailboxes_with_a_message(api):
    bad_queue = api.post("/channels/mailboxes", json=_payload(143, creates_cases=True))
    assert bad_queue.status_code == 422 and "queue" in bad_queue.json()["detail"]
    no_such_queue = api.post("/channels/mailboxes", json=_payload(143, queue_id=999999))
    assert no_such_queue.status_code == 422
    bad_port = api.post("/channels/mailboxes", json=_payload(70000))
    assert bad_port.status_code == 422
    bad_template = api.post("/channels/mailboxes", json=_payload(143, auto_reply_body="{% if %}"))
    assert bad_template.status_code == 422
    no_password = api.post("/channels/mailboxes", json=_payload(143, password=""))
    assert no_password.status_code == 422


def test_api_sync_then_ledger_in_one_page(api, imap, mailbox, django_assert_max_num_queries):
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind="email", value="ana@example.com")
    imap.append(AGENT, *(make_mail(subject=f"Mail {n}") for n in range(5)))
    imap.append(AGENT, make_mail(sender="stranger@example.com"))
    assert api.post(f"/channels/mailboxes/{mailbox.pk}/sync").status_code == 202
    with django_assert_max_num_queries(8):
        page = api.get(f"/channels/mailboxes/{mailbox.pk}/ledger?limit=4").json()
    assert len(page["items"]) == 4 and page["next_cursor"]
    rest = api.get(
        f"/channels/mailboxes/{mailbox.pk}/ledger?limit=4&cursor={page['next_cursor']}"
    ).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    statuses = sorted(i["status"] for i in page["items"] + rest["items"])
    assert statuses == ["imported"] * 5 + ["unknown"]
    assert api.get(f"/channels/mailboxes/{mailbox.pk}/ledger?status=bogus").status_code == 422


def test_api_ledger_and_configuration_are_refused_to_reps(api_as, rep, mailbox):
    as_rep = api_as(rep)
    assert as_rep.get("/channels/mailboxes").json() == []  # his own: none (the shared one is not)
    assert as_rep.get(f"/channels/mailboxes/{mailbox.pk}/ledger").status_code == 403
    manager = api_as(UserFactory(role=Role.SALES_MANAGER))
    assert manager.get(f"/channels/mailboxes/{mailbox.pk}/ledger").status_code == 200
    assert manager.post(f"/channels/mailboxes/{mailbox.pk}/sync").status_code == 403
    assert manager.get("/channels/mailboxes/999999").status_code == 404


def test_api_links_an_unknown_sender_only_to_a_customer_in_scope(api_as):
    manager = UserFactory(role=Role.SALES_MANAGER)
    mail_import(raw=make_mail(sender="new@example.com", subject="Hola"))
    api = api_as(manager)
    senders = api.get("/channels/mail/unknown-senders").json()
    assert senders[0]["address"] == "new@example.com" and senders[0]["messages"] == 1
    hidden = CustomerFactory(owner=UserFactory())
    refused = api.post(
        "/channels/mail/unknown-senders/link",
        json={"address": "new@example.com", "customer_id": hidden.pk},
    )
    assert refused.status_code == 404
    own = CustomerFactory(owner=manager)
    done = api.post(
        "/channels/mail/unknown-senders/link",
        json={"address": "new@example.com", "customer_id": own.pk},
    )
    assert done.json() == {"imported": 1}
    assert own.interactions.get().subject == "Hola"


def test_unknown_senders_page_creates_the_customer_and_gives_him_the_messages(
    client, admin_user, django_assert_max_num_queries
):
    mail_import(raw=make_mail(sender="luis@example.com", subject="Quiero abrir una cuenta"))
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("channels:unknown_senders"))
    assert "luis@example.com" in page.content.decode()
    response = client.post(
        reverse("channels:unknown_sender_create"),
        {"address": "luis@example.com", "first_name": "Luis", "last_name": "Vidal"},
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get(subject="Quiero abrir una cuenta")
    assert interaction.customer.display_name == "Luis Vidal"
    assert MailEntry.objects.get().status == "imported"
    assert (
        "luis@example.com" not in client.get(reverse("channels:unknown_senders")).content.decode()
    )


def test_the_ledger_page_retries_a_failed_message(client, admin_user, mailbox):
    entry = mail_import(raw=make_mail(sender="x@example.com"), mailbox=mailbox)
    MailEntry.objects.filter(pk=entry.pk).update(status="failed", reason="error", detail="boom")
    client.force_login(admin_user)
    page = client.get(reverse("channels:mailbox_ledger", args=[mailbox.pk])).content.decode()
    assert "boom" in page and "Retry" in page
    client.post(reverse("channels:mail_retry", args=[entry.pk]))
    assert MailEntry.objects.get(pk=entry.pk).status == "unknown"


def test_an_attachment_downloads_only_for_who_sees_the_customer(client, rep):
    customer = CustomerFactory()
    IdentityFactory(customer=customer, kind="email", value="ana@example.com")
    entry = mail_import(raw=make_mail(attachments=[("a.txt", b"hello", "text/plain")]))
    attachment = entry.attachments.get()
    client.force_login(rep)
    url = reverse("channels:mail_attachment", args=[attachment.pk])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(role=Role.SERVICE_AGENT))
    assert b"".join(client.get(url).streaming_content) == b"hello"
