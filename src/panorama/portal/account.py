"""The customer's own account in the portal: his contact details, his consents, his
service contracts and loyalty card, and his answer to the web-tracking banner.

A new e-mail address waits for his confirmation from that address (``email_change``).
Every write goes through the owning app's service, so the portal gets the validation,
the messages, the field history and the events the staff form and the API get:
``customers.services.contact.identity_replace`` (e-mail, phone), ``customer_update``
(language), ``address_add`` / ``address_update``, ``relations.consent_record`` (the
unsubscribe link's service). Nobody on the staff makes these changes: ``by=None`` (the
system, on his behalf, as the import, the web forms and the unsubscribe link do), and
the field history says who with its reason ``"portal"`` (as the import's says
``"import"``); one entry on his timeline (channel *portal*, inbound) says what he changed.
Reads are scoped to the signed-in customer: there is no id to pass, so no one else's."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.exceptions import ValidationFailed
from panorama.customers import identifiers
from panorama.customers.models import Address, Consent, Customer, Identity
from panorama.customers.services.contact import identity_main, identity_replace
from panorama.customers.services.customer import (
    AddressData,
    address_add,
    address_update,
    customer_update,
)
from panorama.customers.services.relations import consent_record

from .email_change import email_change_request

REASON = "portal"  # the field history's reason (customers.history.history_reasons)

# --- my details -------------------------------------------------------------------------

ADDRESS_FIELDS = ("line1", "line2", "postal_code", "city", "region", "country")


@dataclass
class Details:
    """What he may change himself: his main e-mail and phone, his language, his main
    address (the primary one, else the first)."""

    email: str = ""
    phone: str = ""
    language: str = ""
    address: dict[str, str] = field(default_factory=dict)


def _main_address(customer: Customer) -> Address | None:
    found = list(customer.addresses.all())
    return next((a for a in found if a.is_primary), found[0] if found else None)


def details_get(*, customer: Customer) -> Details:
    """His details as the form shows them: two queries (identities, addresses), none
    when the caller prefetched them."""
    prefetch_related_objects([customer], "identities", "addresses")
    email = identity_main(customer, Identity.Kind.EMAIL)
    phone = identity_main(customer, Identity.Kind.PHONE)
    address = _main_address(customer)
    return Details(
        email=email.value if email else "",
        phone=phone.value if phone else "",
        language=customer.language,
        address={name: getattr(address, name) for name in ADDRESS_FIELDS} if address else {},
    )


def _blank(values: dict[str, str]) -> bool:
    return not any((values.get(name) or "").strip() for name in ADDRESS_FIELDS if name != "country")


@dataclass
class Saved:
    changed: list[str]  # the labels of what changed (empty: nothing did)
    email_pending: str = ""  # a new e-mail address waiting for his confirmation


@transaction.atomic
def details_update(*, customer: Customer, details: Details, language: str = "") -> Saved:
    """Change his details through the customers app's services (their validation, their
    messages: a refused value changes nothing, the whole change is one transaction).
    His e-mail is how he signs in: it cannot be emptied, and a new one is checked now
    but replaces the old one only when he confirms it from the new address
    (``email_change``: a link goes to it). A change lands on his timeline."""
    if not (details.email or "").strip():
        raise ValidationFailed(
            _("Your e-mail address is how you sign in: it cannot be left empty."), field="email"
        )
    new_email = identifiers.normalise_email(details.email)  # the identity service's message
    email_check(customer, new_email)
    language = (details.language or "").strip()
    if language and language not in dict(settings.LANGUAGES) and language != customer.language:
        raise ValidationFailed(_("Choose one of the languages offered."), field="language")
    customer = Customer.objects.prefetch_related("identities", "addresses").get(pk=customer.pk)
    before = details_get(customer=customer)
    changed: list[str] = []
    identity_replace(
        customer=customer, kind=Identity.Kind.PHONE, value=details.phone, by=None, reason=REASON
    )
    customer = Customer.objects.prefetch_related("identities", "addresses").get(pk=customer.pk)
    after = details_get(customer=customer)
    pending = new_email if new_email != before.email else ""
    if pending:
        email_change_request(customer=customer, old=before.email, new=pending, language=language)
    if after.phone != before.phone:
        changed.append(str(_("Phone")))
    if language != before.language:
        customer_update(customer=customer, by=None, changes={"language": language}, reason=REASON)
        changed.append(str(_("Language")))
    changed += _address_save(customer, before.address, details.address)
    if changed:
        interaction_record(
            customer_id=customer.pk,
            by=None,
            channel=Interaction.Channel.PORTAL,
            direction="inbound",
            subject=(
                _("Changed his details in the customer portal: %(what)s")
                % {"what": ", ".join(changed)}
            )[:200],
            outcome="updated",
        )
    return Saved(changed, pending)


def email_check(customer: Customer, email: str) -> None:
    """An address another customer holds is refused here (the staff may record a shared
    family address; a customer may not take one over: with two holders, ``identify``
    finds neither and the other loses his sign-in). A malformed address is left to the
    identity service, so its message is the staff form's and the API's."""
    from panorama.core.exceptions import DomainError
    from panorama.customers.selectors import identify

    try:
        value = identifiers.normalise_email(email)
    except DomainError:
        return
    holders = identify(user=None, value=value, kind="email")
    if any(match.customer.pk != customer.pk for match in holders):
        raise ValidationFailed(
            _(
                "This e-mail address cannot be used for your customer area. If it is yours, "
                "ask us to change it."
            ),
            field="email",
        )


def _address_save(customer: Customer, before: dict[str, str], given: dict[str, str]) -> list[str]:
    given = {name: (given.get(name) or "").strip() for name in ADDRESS_FIELDS}
    given["country"] = given["country"].upper() or "ES"
    if before and all(before.get(name, "") == given[name] for name in ADDRESS_FIELDS):
        return []
    if not before and _blank(given):
        return []  # none before, none given
    item = AddressData(
        **{name: given[name] for name in ADDRESS_FIELDS},
        kind=Address.Kind.HOME,
        is_primary=True,
    )
    current = _main_address(customer)
    if current is None:
        address_add(customer=customer, item=item, by=None, reason=REASON)
    else:
        item.kind = current.kind
        address_update(address=current, item=item, by=None, reason=REASON)
    return [str(_("Address"))]


# --- my consents ------------------------------------------------------------------------

# What he decides in the portal: marketing and service messages channel by channel (a
# campaign asks consent on its own channel, ``marketing.services.campaigns``), profiling
# and sharing with partners as a whole (channel "any").
BY_CHANNEL = (
    Consent.Channel.EMAIL,
    Consent.Channel.SMS,
    Consent.Channel.PHONE,
    Consent.Channel.POST,
)
CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Consent.Purpose.MARKETING, BY_CHANNEL),
    (Consent.Purpose.SERVICE, BY_CHANNEL),
    (Consent.Purpose.PROFILING, (Consent.Channel.ANY,)),
    (Consent.Purpose.THIRD_PARTY, (Consent.Channel.ANY,)),
)
CONSENT_KEYS = [(purpose, channel) for purpose, channels in CHOICES for channel in channels]


@dataclass
class ConsentState:
    purpose: str
    channel: str
    granted: bool
    at: datetime.datetime | None  # of the decision in force (None: never asked)

    @property
    def key(self) -> str:
        return f"{self.purpose}:{self.channel}"

    @property
    def channel_label(self) -> str:
        return str(Consent.Channel(self.channel).label)


@dataclass
class PurposeConsents:
    purpose: str
    label: str
    states: list[ConsentState]


def consents_current(*, customer: Customer) -> list[PurposeConsents]:
    """His decision in force for each purpose and channel the portal offers, as the
    campaigns read it (``marketing.rules.consent_granted``: the newest decision for that
    channel or for "any channel"; never asked: no). One query."""
    rows = list(Consent.objects.filter(customer=customer).order_by("-at", "-id"))
    shown = []
    for purpose, channels in CHOICES:
        states = []
        for channel in channels:
            accepted = {channel, Consent.Channel.ANY}
            newest = next((r for r in rows if r.purpose == purpose and r.channel in accepted), None)
            states.append(
                ConsentState(
                    purpose=purpose,
                    channel=channel,
                    granted=bool(newest and newest.granted),
                    at=newest.at if newest else None,
                )
            )
        shown.append(PurposeConsents(purpose, str(Consent.Purpose(purpose).label), states))
    return shown


@transaction.atomic
def consents_set(*, customer: Customer, granted: set[str]) -> list[Consent]:
    """Record each decision he changed: ``granted`` is the keys (``purpose:channel``) he
    has switched on, every other key offered is off. A decision is recorded through the
    customers' consent service (the unsubscribe link's), source *portal*, in force at
    once; the unchanged ones record nothing. One entry on his timeline."""
    unknown = granted - {f"{p}:{c}" for p, c in CONSENT_KEYS}
    if unknown:
        raise ValidationFailed(_("There is no such consent to give."), field="consents")
    recorded = []
    now = timezone.now()
    source = _("Customer portal")[:100]
    for group in consents_current(customer=customer):
        for state in group.states:
            wanted = state.key in granted
            if wanted == state.granted:
                continue
            recorded.append(
                consent_record(
                    customer=customer,
                    purpose=state.purpose,
                    channel=state.channel,
                    granted=wanted,
                    source=source,
                    at=now,
                    by=None,
                )
            )
    if recorded:
        lines = [
            (_("Gave: %(what)s") if row.granted else _("Withdrew: %(what)s"))
            % {"what": f"{row.get_purpose_display()} · {row.get_channel_display()}"}
            for row in recorded
        ]
        interaction_record(
            customer_id=customer.pk,
            by=None,
            channel=Interaction.Channel.PORTAL,
            direction="inbound",
            subject=_("Changed his consents in the customer portal"),
            body="\n".join(lines),
            outcome="consent",
        )
    return recorded


def tracking_consent_record(*, customer: Customer) -> Consent:
    """He accepted web tracking on the portal's banner: his consent to profiling and
    analytics, recorded through the consent service (source: the portal's banner)."""
    return consent_record(
        customer=customer,
        purpose=Consent.Purpose.PROFILING,
        channel=Consent.Channel.ANY,
        granted=True,
        source=_("Customer portal, web tracking banner")[:100],
        by=None,
    )


# --- my contracts and loyalty card ------------------------------------------------------


@dataclass
class ContractLine:
    contract: object
    state: str  # in_force, not_started, ended, cancelled
    state_label: str


def customer_contracts(*, customer: Customer) -> list[ContractLine]:
    """His service contracts and warranties, those in force first then by end date: one
    query (``service.selectors.field.contracts_visible_to``, scoped to him)."""
    from panorama.service.models import ServiceContract
    from panorama.service.selectors.field import contracts_visible_to

    today = timezone.localdate()
    labels = {
        "in_force": _("In force"),
        "not_started": _("Not started yet"),
        "ended": _("Ended"),
        "cancelled": _("Cancelled"),
    }
    lines = []
    for contract in contracts_visible_to(None).filter(customer=customer).order_by("-ends_on", "id"):
        if contract.status == ServiceContract.Status.CANCELLED:
            state = "cancelled"
        elif contract.starts_on > today:
            state = "not_started"
        elif contract.ends_on < today:
            state = "ended"
        else:
            state = "in_force"
        lines.append(ContractLine(contract, state, str(labels[state])))
    order = {"in_force": 0, "not_started": 1, "ended": 2, "cancelled": 3}
    return sorted(lines, key=lambda line: order[line.state])


def customer_cards(*, customer: Customer, movements: int = 5) -> list[dict]:
    """His loyalty cards: programme, card number, tier, balance, the way to the next tier
    (``loyalty.selectors.standing``) and his latest movements (the member statement,
    ``loyalty.selectors.statement``). Three queries plus one per card (a customer holds
    one card per programme: a handful at most)."""
    from panorama.loyalty import selectors as loyalty

    memberships = list(
        loyalty.memberships_visible_to(None)
        .filter(customer=customer)
        .select_related("programme", "tier")
        .prefetch_related("programme__tiers")
        .order_by("programme__name", "id")
    )
    points = loyalty.qualifying_points(memberships)
    return [
        {
            "standing": loyalty.standing(m, list(m.programme.tiers.all()), points[m.pk]),
            "movements": loyalty.statement(membership=m, limit=movements).items,
        }
        for m in memberships
    ]
