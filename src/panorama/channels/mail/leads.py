"""E-mail to lead: a message to a mailbox that "creates leads" becomes a lead, or joins
the sender's open lead (the rule is ``sales.services.lead_email``'s).

From an unknown sender (nobody, or several customers, have the address) the ledger
line is imported with the lead and no customer: nothing waits on *Unknown senders*,
since the lead is the place to qualify him. From one known customer the lead is
linked to him and the message also lands on his timeline, related to the lead."""

from django.utils.translation import gettext as _

from panorama.customers.models import Customer
from panorama.sales.services.lead_email import lead_from_email

from .models import MailEntry
from .parse import Parsed


def lead_from_message(
    *, entry: MailEntry, parsed: Parsed, customer: Customer | None, notes: list[str]
) -> None:
    made = lead_from_email(
        address=parsed.from_address,
        display_name=parsed.from_name,
        subject=parsed.subject,
        text=parsed.text,
        customer=customer,
    )
    entry.lead = made.lead
    entry.detail = (
        _("New lead %(name)s.") if made.created else _("Added to the open lead %(name)s.")
    ) % {"name": str(made.lead)}
    notes.insert(0, entry.detail)
