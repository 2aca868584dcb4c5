"""E-mail to lead, against a real Dovecot: a message to a mailbox that "creates
leads" becomes a lead of source e-mail (name and address from From, subject and text
as its notes, scored and assigned by the rules); the sender's next message joins his
open lead instead of making a second one; a known customer's message makes a lead
linked to him and lands on his timeline, related to the lead."""

import pytest

from panorama.accounts.models import Role
from panorama.channels.mail.imap import poll
from panorama.channels.mail.services import mailbox_save
from panorama.channels.models import Interaction, Mailbox, MailEntry
from panorama.core.exceptions import ValidationFailed
from panorama.sales.models import AssignmentRule, Lead, ScoringRule
from tests.factories import CustomerFactory, IdentityFactory, TeamFactory, UserFactory

from .conftest import AGENT, make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_mailbox(mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(creates_leads=True)
    return Mailbox.objects.get(pk=mailbox.pk)


@pytest.fixture
def rules():
    team = TeamFactory(name="Inbound")
    rep = UserFactory(username="eva", role=Role.SALES_REP, teams=[team])
    AssignmentRule.objects.create(name="Inbound", kind="round_robin", team=team)
    ScoringRule.objects.create(
        name="By e-mail", field="source", operator="equals", value="email", points=7
    )
    ScoringRule.objects.create(
        name="Writes back", kind="behaviour", activity_kind="email_reply", points=3
    )
    return rep


def _poll(mailbox, capture):
    with capture(execute=True):
        return poll(mailbox.pk)


def test_an_unknown_sender_becomes_a_lead_and_his_next_message_joins_it(
    imap, lead_mailbox, rules, django_capture_on_commit_callbacks
):
    imap.append(
        AGENT,
        make_mail(
            sender="marta@startup.example",
            subject="Quiero información sobre el TPV",
            body="Somos una tienda de 5 empleados.",
        ),
    )
    _poll(lead_mailbox, django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    assert (lead.source, lead.email, lead.customer_id) == ("email", "marta@startup.example", None)
    # make_mail's From display name is "Ana García".
    assert (lead.first_name, lead.last_name) == ("Ana", "García")
    assert "Quiero información sobre el TPV" in lead.notes
    assert "Somos una tienda de 5 empleados." in lead.notes
    assert lead.owner == rules and "Inbound" in lead.assignment_note  # assigned by the rule
    assert lead.score == 7  # scored by the rule
    entry = MailEntry.objects.get()
    assert (entry.status, entry.lead, entry.customer) == ("imported", lead, None)
    assert not Interaction.objects.exists()  # no customer: no timeline

    imap.append(
        AGENT,
        make_mail(sender="marta@startup.example", subject="Re: TPV", body="¿Precio con IVA?"),
    )
    _poll(lead_mailbox, django_capture_on_commit_callbacks)
    assert Lead.objects.count() == 1  # no second lead
    lead.refresh_from_db()
    assert "¿Precio con IVA?" in lead.notes and "Somos una tienda" in lead.notes
    assert lead.activities.filter(kind="email_reply", detail="Re: TPV").exists()
    assert lead.score == 10  # the reply counts
    assert MailEntry.objects.filter(lead=lead, status="imported").count() == 2


def test_a_known_customer_gets_a_lead_linked_to_him_and_the_message_on_his_timeline(
    imap, lead_mailbox, rules, django_capture_on_commit_callbacks
):
    ana = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=ana, kind="email", value="ana@example.com")
    imap.append(AGENT, make_mail(subject="Otra cuenta para mi hija", body="¿Qué necesito?"))
    _poll(lead_mailbox, django_capture_on_commit_callbacks)
    lead = Lead.objects.get()
    assert (lead.customer, lead.source, lead.email) == (ana, "email", "ana@example.com")
    email = Interaction.objects.get(customer=ana, channel="email")
    assert email.subject == "Otra cuenta para mi hija"
    assert email.related == lead
    entry = MailEntry.objects.get()
    assert (entry.customer, entry.lead, entry.interaction) == (ana, lead, email)


def test_a_converted_lead_does_not_swallow_a_new_enquiry(
    imap, lead_mailbox, rules, django_capture_on_commit_callbacks
):
    Lead.objects.create(email="marta@startup.example", last_name="Old", status="converted")
    imap.append(AGENT, make_mail(sender="marta@startup.example", subject="Nueva consulta"))
    _poll(lead_mailbox, django_capture_on_commit_callbacks)
    assert Lead.objects.filter(status="new", email="marta@startup.example").count() == 1


def test_a_mailbox_makes_leads_or_cases_not_both(admin_user, lead_mailbox):
    lead_mailbox.creates_cases = True
    with pytest.raises(ValidationFailed) as refused:
        mailbox_save(by=admin_user, mailbox=lead_mailbox)
    assert refused.value.field == "creates_leads"
