"""Polling a real IMAP server (Dovecot on loopback): import, idempotent re-poll, a new
UIDVALIDITY, attachments, the ledger."""

import pytest

from panorama.channels.mail.imap import poll
from panorama.channels.models import Interaction, Mailbox, MailEntry
from tests.factories import CustomerFactory, IdentityFactory

from .conftest import AGENT, make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    customer = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=customer, kind="email", value="ana@example.com")
    return customer


def test_poll_imports_a_known_senders_mail_onto_her_timeline(imap, mailbox, ana):
    imap.append(AGENT, make_mail(attachments=[("receipt.pdf", b"%PDF-1.4 x", "application/pdf")]))
    result = poll(mailbox.pk)
    assert result.fetched == 1 and result.statuses == {"imported": 1}
    entry = MailEntry.objects.get()
    assert entry.status == "imported" and entry.customer == ana
    interaction = Interaction.objects.get(customer=ana, channel="email")
    assert interaction.direction == "inbound"
    assert interaction.subject == "My card does not work"
    assert "refused at the shop" in interaction.body
    assert interaction.metadata["attachments"][0]["name"] == "receipt.pdf"
    attachment = entry.attachments.get()
    assert attachment.file.read() == b"%PDF-1.4 x"


def test_a_second_poll_imports_nothing_again(imap, mailbox, ana):
    imap.append(AGENT, make_mail(), make_mail(subject="Second"))
    assert poll(mailbox.pk).fetched == 2
    assert poll(mailbox.pk).fetched == 0
    imap.append(AGENT, make_mail(subject="Third"))
    assert poll(mailbox.pk).fetched == 1
    assert Interaction.objects.filter(channel="email").count() == 3
    mailbox.refresh_from_db()
    assert mailbox.last_uid >= 3 and mailbox.uidvalidity and mailbox.last_error == ""


def test_a_poll_that_died_before_saving_its_place_imports_nothing_twice(
    imap, mailbox, ana, django_assert_max_num_queries
):
    # The ledger is read once per batch of UIDs: the lines a dying poll left are found
    # there, and each message costs its own queries only (the duplicate check, identify,
    # the timeline entry, the ledger line, the transaction's savepoint and release).
    imap.append(AGENT, make_mail(), make_mail(subject="Second"))
    assert poll(mailbox.pk).statuses == {"imported": 2}
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)  # its place never saved
    imap.append(AGENT, *(make_mail(subject=f"New {n}") for n in range(5)))
    with django_assert_max_num_queries(8 + 5 * 7):
        result = poll(mailbox.pk)
    assert result.fetched == 7 and result.statuses == {"imported": 7}
    assert Interaction.objects.filter(channel="email").count() == 7
    assert MailEntry.objects.count() == 7


def test_a_new_uidvalidity_reads_again_without_duplicates(imap, mailbox, ana):
    imap.client(AGENT).create("Support")
    Mailbox.objects.filter(pk=mailbox.pk).update(folder="Support")
    first = make_mail(subject="Kept once")
    imap.append(AGENT, first, folder="Support")
    poll(mailbox.pk)
    before = Mailbox.objects.get(pk=mailbox.pk).uidvalidity
    imap.recreate_folder(AGENT, "Support")  # the server renumbers the folder
    imap.append(AGENT, first, make_mail(subject="New one"), folder="Support")
    result = poll(mailbox.pk)
    assert result.uidvalidity_changed
    assert Mailbox.objects.get(pk=mailbox.pk).uidvalidity != before
    assert result.statuses == {"skipped": 1, "imported": 1}
    assert Interaction.objects.filter(subject="Kept once").count() == 1
    skipped = MailEntry.objects.get(status="skipped")
    assert skipped.reason == "duplicate"


def test_a_wrong_password_is_the_mailboxs_error_not_a_crash(imap, mailbox):
    from panorama.channels.mail.crypto import seal

    Mailbox.objects.filter(pk=mailbox.pk).update(password_sealed=seal("wrong"))
    result = poll(mailbox.pk)
    assert result.error
    mailbox.refresh_from_db()
    assert mailbox.last_error and mailbox.polling_since is None
