"""A sales rep's own mailbox: he reads its sync ledger and retries its failed messages
(page and API), as managers do for every mailbox; another mailbox's ledger, the piped
messages and the mailbox's settings stay out of his reach (403)."""

import pytest
from django.urls import reverse

from panorama.channels.mail import selectors
from panorama.channels.mail.importer import mail_import
from panorama.channels.mail.services import mail_entry_retry, mailbox_save
from panorama.channels.models import Mailbox, MailEntry
from panorama.core.exceptions import PermissionDenied

from ..factories import UserFactory
from .conftest import make_mail

pytestmark = pytest.mark.django_db


def a_mailbox(name, owner=None):
    return mailbox_save(
        by=None,
        mailbox=Mailbox(
            name=name,
            address=f"{name.lower()}@bank.example",
            host="127.0.0.1",
            port=1993,
            use_ssl=False,
            username=name.lower(),
            owner=owner,
        ),
        password="x",
    )


@pytest.fixture
def mine(rep):
    return a_mailbox("Pedro", owner=rep)


@pytest.fixture
def shared(db):
    return a_mailbox("Support")


def failed(mailbox, sender="x@example.com"):
    entry = mail_import(raw=make_mail(sender=sender), mailbox=mailbox)
    MailEntry.objects.filter(pk=entry.pk).update(status="failed", reason="error", detail="boom")
    return entry


def test_the_owner_reads_and_retries_his_own_ledger_on_the_page(client, rep, mine, shared):
    entry = failed(mine)
    failed(shared, sender="y@example.com")
    client.force_login(rep)
    listed = client.get(reverse("channels:mailbox_list")).content.decode()
    assert "My mailboxes" in listed and "Pedro" in listed and "Support" not in listed
    assert "Unknown senders" not in listed and "Sync now" not in listed
    ledger = client.get(reverse("channels:mailbox_ledger", args=[mine.pk]))
    assert ledger.status_code == 200 and "boom" in ledger.content.decode()
    assert "Retry" in ledger.content.decode()
    done = client.post(reverse("channels:mail_retry", args=[entry.pk]))
    assert done.status_code == 302 and done["Location"].endswith(f"/mailboxes/{mine.pk}/")
    assert MailEntry.objects.get(pk=entry.pk).status == "unknown"  # imported again
    assert client.get(reverse("channels:mailbox_ledger", args=[shared.pk])).status_code == 403
    assert client.get(reverse("channels:mailbox_edit", args=[mine.pk])).status_code == 403
    rep.language = "es"
    rep.save(update_fields=["language"])
    assert "Mis buzones" in client.get(reverse("channels:mailbox_list")).content.decode()


def test_the_api_gives_him_his_ledger_and_refuses_the_others(api_as, rep, mine, shared):
    own, other = failed(mine), failed(shared, sender="y@example.com")
    api = api_as(rep)
    assert [m["name"] for m in api.get("/channels/mailboxes").json()] == ["Pedro"]
    page = api.get(f"/channels/mailboxes/{mine.pk}/ledger").json()
    assert [e["id"] for e in page["items"]] == [own.pk]
    assert api.get(f"/channels/mailboxes/{shared.pk}/ledger").status_code == 403
    assert api.get(f"/channels/mailboxes/{mine.pk}/ledger?status=nope").status_code == 422
    assert api.post(f"/channels/mail/{other.pk}/retry").status_code == 403
    retried = api.post(f"/channels/mail/{own.pk}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "unknown"
    again = api.post(f"/channels/mail/{own.pk}/retry")
    assert again.status_code == 409  # only a failed message is retried
    assert api.post("/channels/mail/999999/retry").status_code == 403
    assert api.post(f"/channels/mailboxes/{mine.pk}/sync").status_code == 403


def test_the_services_scope_him_to_his_mailboxes(rep, mine, shared, django_assert_num_queries):
    other_rep = UserFactory(username="luis")
    entry = failed(mine)
    with django_assert_num_queries(1):
        assert [m.name for m in selectors.mailboxes(user=rep)] == ["Pedro"]
    assert selectors.mailboxes(user=other_rep) == []
    with pytest.raises(PermissionDenied):
        selectors.ledger(user=rep, mailbox_id=None)  # the piped messages: managers only
    with pytest.raises(PermissionDenied):
        selectors.ledger(user=other_rep, mailbox_id=mine.pk)
    with pytest.raises(PermissionDenied):
        mail_entry_retry(by=other_rep, entry_id=entry.pk)
    assert len(selectors.ledger(user=rep, mailbox_id=mine.pk).items) == 1
