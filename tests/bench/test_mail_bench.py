"""The bench's inbound mail figure: messages in a private Dovecot, one timed poll, and
nothing of the run left behind in the bench database."""

import pytest

from panorama.bench import mail as bench_mail
from panorama.channels.mail import dovecot
from panorama.channels.models import Interaction, Mailbox, MailEntry
from tests.factories import IdentityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not dovecot.available(), reason="dovecot-imapd not installed (make dovecot)")
def test_the_mail_import_figure_leaves_nothing_behind():
    IdentityFactory(kind="email", value="ana@example.com")
    assert bench_mail.import_rate(messages=20) > 0
    assert not Mailbox.objects.exists() and not MailEntry.objects.exists()
    assert not Interaction.objects.exists()


def test_the_figure_is_skipped_with_a_note_without_dovecot(monkeypatch):
    said = []
    monkeypatch.setattr(dovecot, "available", lambda: False)
    assert bench_mail.measure_all(said.append) == {"mail_import_per_s": None}
    assert "skipped" in said[0]
