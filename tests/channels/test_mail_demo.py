"""The demo's mailbox: its ledger shows every outcome of an inbound message."""

import pytest

from panorama.channels.models import MailEntry
from panorama.seeding.mail_demo import mail_demo_ensure
from panorama.seeding.showcase import EMAIL
from panorama.service.models import Case
from tests.factories import CustomerFactory, IdentityFactory, QueueFactory

pytestmark = pytest.mark.django_db


def test_the_demo_mailbox_ledger_shows_each_outcome():
    ana = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=ana, kind="email", value=EMAIL)
    QueueFactory(name="Atención")
    mailbox = mail_demo_ensure()
    assert mailbox is not None and not mailbox.active
    outcomes = sorted(mailbox.entries.values_list("status", "reason"))
    assert outcomes == sorted(
        [
            ("imported", ""),
            ("skipped", "duplicate"),
            ("imported", ""),
            ("skipped", "auto_submitted"),
            ("unknown", ""),
            ("unknown", ""),
            ("imported", ""),
        ]
    )
    case = Case.objects.get(customer=ana, subject="No puedo entrar en la banca online")
    assert case.messages.filter(kind="customer").count() == 1  # the answer threaded in
    assert "charset" in MailEntry.objects.get(subject="Factura de octubre").detail
    assert mail_demo_ensure() is None  # once
