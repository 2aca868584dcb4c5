"""The import of one message (the code path of the poller, the pipe and the retry):
malformed mail, duplicates and unknown senders are ledgered, nothing is lost."""

import io
import sys

import pytest
from django.core.management import call_command

from panorama.accounts.models import Role
from panorama.channels.mail.importer import mail_import
from panorama.channels.mail.services import mail_entry_retry, mail_sender_link
from panorama.channels.models import Interaction, MailEntry
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

from .conftest import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    customer = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=customer, kind="email", value="ana@example.com")
    return customer


def test_the_same_message_twice_is_a_skipped_duplicate(ana, emitted):
    raw = make_mail(message_id="<once@example.com>")
    with emitted() as events:
        first, second = mail_import(raw=raw), mail_import(raw=raw)
    assert (first.status, second.status, second.reason) == ("imported", "skipped", "duplicate")
    assert Interaction.objects.filter(channel="email").count() == 1
    received = [p for name, p in events if name == "mail.received"]
    assert [p["status"] for p in received] == ["imported", "skipped"]


def test_a_wrong_charset_is_read_and_noted():
    raw = (
        b"From: ana@example.com\r\nSubject: Factura\r\nMessage-ID: <cs@example.com>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nLa factura est\xe1 mal\r\n"
    )
    CustomerFactory().identities.create(kind="email", value="ana@example.com")
    entry = mail_import(raw=raw)
    assert entry.status == "imported"
    assert "charset" in entry.detail
    assert "La factura est" in entry.interaction.body


def test_broken_mime_is_imported_with_a_note(ana):
    raw = (
        b"From: ana@example.com\r\nSubject: Broken\r\nMessage-ID: <b@example.com>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain\r\n\r\nThe text before the end\r\n"  # never closed
    )
    entry = mail_import(raw=raw)
    assert entry.status == "imported"
    assert "defect" in entry.detail.lower()
    assert entry.raw.read() == raw  # kept as received


def test_garbage_is_ledgered_never_lost():
    entry = mail_import(raw=b"\x00\xff not a message at all")
    assert entry.status in {"unknown", "failed"}
    assert entry.raw.read() == b"\x00\xff not a message at all"


def test_a_too_large_attachment_is_listed_and_the_message_still_imports(ana, settings):
    settings.PANORAMA_MAIL_MAX_ATTACHMENT_BYTES = 1000
    raw = make_mail(attachments=[("scan.tiff", b"x" * 5000, "image/tiff")])
    entry = mail_import(raw=raw)
    assert entry.status == "imported"
    attachment = entry.attachments.get()
    assert attachment.size == 5000 and not attachment.stored
    assert "scan.tiff" in entry.detail
    assert entry.interaction.metadata["attachments"][0]["stored"] is False


def test_an_unknown_sender_waits_then_is_linked_with_his_messages(emitted):
    mail_import(raw=make_mail(sender="new@example.com", subject="Hello"))
    mail_import(raw=make_mail(sender="new@example.com", subject="Hello again"))
    assert MailEntry.objects.filter(status="unknown").count() == 2
    assert not Interaction.objects.exists()
    customer = CustomerFactory()
    with emitted() as events:
        count = mail_sender_link(by=None, from_address="NEW@example.com", customer_id=customer.pk)
    assert count == 2
    assert {i.subject for i in customer.interactions.all()} == {"Hello", "Hello again"}
    assert (
        "mail.sender_linked",
        {"customer_id": customer.pk, "address": "new@example.com", "messages": 2, "by": None},
    ) in events
    # The address is his now: the next message goes straight to his timeline.
    assert mail_import(raw=make_mail(sender="new@example.com")).customer == customer


def test_linking_to_a_customer_out_of_scope_is_not_found():
    manager = UserFactory(role=Role.SALES_MANAGER)
    mail_import(raw=make_mail(sender="new@example.com"))
    stranger = CustomerFactory(owner=UserFactory())
    with pytest.raises(NotFound):
        mail_sender_link(by=manager, from_address="new@example.com", customer_id=stranger.pk)
    assert MailEntry.objects.get().status == "unknown"


def test_two_customers_with_the_address_leave_the_message_for_a_person_to_decide():
    for _n in range(2):
        CustomerFactory().identities.create(kind="email", value="family@example.com")
    entry = mail_import(raw=make_mail(sender="family@example.com"))
    assert (entry.status, entry.reason) == ("unknown", "ambiguous")


def test_a_failed_message_is_retried_from_its_raw_copy(ana, monkeypatch):
    from panorama.channels.mail import importer

    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(importer, "interaction_record", broken)
    entry = mail_import(raw=make_mail())
    assert entry.status == "failed" and "database hiccup" in entry.detail
    monkeypatch.undo()
    retried = mail_entry_retry(by=None, entry_id=entry.pk)
    assert retried.status == "imported" and retried.attempts == 2
    assert retried.customer == ana
    with pytest.raises(Conflict):
        mail_entry_retry(by=None, entry_id=entry.pk)


def test_only_managers_and_admins_retry(rep, ana):
    entry = MailEntry.objects.create(message_id="<x@y>", status="failed")
    with pytest.raises(PermissionDenied):
        mail_entry_retry(by=rep, entry_id=entry.pk)


def test_mail_receive_reads_a_piped_message(ana, monkeypatch):
    raw = make_mail(subject="From the MTA")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("mail", "receive", stdout=out)
    assert out.getvalue().startswith("imported")
    assert ana.interactions.get().subject == "From the MTA"
