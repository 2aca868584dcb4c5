"""A new e-mail address typed in *My details* replaces his sign-in address only once he
confirms it from the address itself.

His e-mail is how he signs in: replaced at once, a typo (or someone at his unlocked
screen) would take his customer area away from him. So ``details_update`` checks the
new address as the identity service would (the same messages) and that no other
customer holds it, then mails a signed link to the **new** address (it proves he reads
it) and a notice to the old one (he learns of a change he did not ask for). The link
works for ``EMAIL_CONFIRM_HOURS``, and only while his address is still the one it was
sent from: a second click, or an older link after another change, is refused. Opening
it shows a button (a mail scanner that follows links changes nothing); pressing it
replaces the identity through ``customers.services.contact.identity_replace`` (field
history reason ``"portal"``) and notes it on his timeline. Nothing is stored: the link
carries the customer, the old and the new address, signed with the site's key."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import DomainError
from panorama.customers.models import Customer, Identity
from panorama.customers.services.contact import identity_main, identity_replace

EMAIL_SALT = "panorama.portal.email"
EMAIL_CONFIRM_HOURS = 24
REASON = "portal"


class EmailLinkRefused(DomainError):
    """A confirmation link that cannot change anything: expired, not ours, or out of
    date (his address changed since it was sent)."""

    status_code = 400
    code = "email_link_refused"


@dataclass(frozen=True)
class EmailChange:
    customer_id: int
    old: str
    new: str


def email_change_token(change: EmailChange) -> str:
    return signing.dumps([change.customer_id, change.old, change.new], salt=EMAIL_SALT)


def email_change_request(*, customer: Customer, old: str, new: str, language: str = "") -> None:
    """Mail the confirmation link to ``new`` and the notice to ``old`` (in the background,
    after the caller's transaction commits); ``new`` was checked by the caller."""
    from .tasks import email_change_send_task

    emit("portal.email_change_requested", customer_id=customer.pk)
    args = (customer.pk, old, new, language)
    transaction.on_commit(lambda: email_change_send_task.enqueue(*args))


def email_change_mail(*, customer_id: int, old: str, new: str, language: str = "") -> bool:
    """The task's work: the link to the new address, the notice to the old one. False
    when the customer is gone."""
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation

    from panorama.marketing.messages import language_of

    customer = Customer.objects.filter(pk=customer_id, merged_into__isnull=True).first()
    if customer is None:
        return False
    token = email_change_token(EmailChange(customer_id, old, new))
    url = settings.PANORAMA_PUBLIC_URL + reverse("portal:email_confirm", args=[token])
    with translation.override(language or language_of(customer)):
        names = {"name": customer.display_name, "new": new, "old": old}
        subject = _("Confirm your new e-mail address for the customer portal")
        body = _(
            "Hello %(name)s,\n\nopen this link to make %(new)s the address you sign in to "
            "your customer area with:\n\n%(url)s\n\nIt works within %(hours)s hours. Until "
            "then you keep signing in with %(old)s. If you did not ask for it, ignore this "
            "message."
        ) % {**names, "url": url, "hours": EMAIL_CONFIRM_HOURS}
        notice_subject = _("A change of your e-mail address was asked for")
        notice = (
            _(
                "Hello %(name)s,\n\nsomeone signed in to your customer area asked to replace "
                "this address with %(new)s. Nothing changes unless that address confirms it. "
                "If it was not you, sign in and tell us, or answer this message."
            )
            % names
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [new])
    if old:
        send_mail(notice_subject, notice, settings.DEFAULT_FROM_EMAIL, [old])
    return True


def _due(token: str, *, lock: bool = False) -> tuple[Customer, EmailChange]:
    """His customer row and what the link asks for, if it may still be done; else
    ``EmailLinkRefused`` saying why. ``lock``: the row locked first (confirming), so
    two clicks at once cannot both pass the checks."""
    try:
        customer_id, old, new = signing.loads(
            token, salt=EMAIL_SALT, max_age=EMAIL_CONFIRM_HOURS * 3600
        )
    except signing.SignatureExpired:
        raise EmailLinkRefused(
            _("This link has expired: type your new address in your details again.")
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise EmailLinkRefused(_("This link is not valid.")) from None
    rows = Customer.objects.select_for_update() if lock else Customer.objects.all()
    customer = rows.filter(pk=customer_id, merged_into__isnull=True).first()
    if customer is None:
        raise EmailLinkRefused(_("This link is not valid."))
    current = identity_main(customer, Identity.Kind.EMAIL)
    if current is not None and current.value == new:
        raise EmailLinkRefused(_("Your e-mail address is already %(new)s.") % {"new": new})
    if (current.value if current else "") != old:
        raise EmailLinkRefused(
            _(
                "Your e-mail address changed after this link was sent: type your new "
                "address in your details again."
            )
        )
    return customer, EmailChange(customer.pk, old, new)


def email_change_check(*, token: str) -> EmailChange:
    """What the link asks for, if it may still be done; else ``EmailLinkRefused``."""
    return _due(token)[1]


@transaction.atomic
def email_change_confirm(*, token: str) -> EmailChange:
    """Make the link's new address his main e-mail (``identify`` finds him by it at once,
    no longer by the old one); refused as ``email_change_check`` says, or when another
    customer took the address since (``account.email_check``)."""
    from .account import email_check

    customer, change = _due(token, lock=True)
    email_check(customer, change.new)
    identity_replace(
        customer=customer, kind=Identity.Kind.EMAIL, value=change.new, by=None, reason=REASON
    )
    interaction_record(
        customer_id=customer.pk,
        by=None,
        channel=Interaction.Channel.PORTAL,
        direction="inbound",
        subject=(_("Changed his details in the customer portal: %(what)s") % {"what": _("E-mail")})[
            :200
        ],
        outcome="updated",
    )
    return change
