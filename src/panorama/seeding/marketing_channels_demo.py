"""The demo's campaigns beyond e-mail, one per channel, each a pilot on a small list
drawn from its segment so the seeding stays quick whatever the demo's size:

- an SMS campaign (card holders: split purchases into instalments), texted through the
  channels' messaging account with an in-memory provider (the demo sends no real SMS;
  the account stays paused afterwards, as the channels' demo leaves it);
- a call list (account holders without home insurance) with its *argumentario*, part
  of it worked by the call centre's agent with every outcome recorded, the rest open;
- a direct mail (account holders without an investment fund) whose addresses were
  exported for the printer.

Everything goes through the services: consents recorded on the customers' channel,
launch with a control group, sending, calls, export, responses (leads for sales) and
conversions (more in the target group than in the control group). The pilots leave
out the e-mail campaign's audience: its customers stay "not contacted in 90 days"."""

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.utils import timezone

from panorama.accounts.models import Role, User
from panorama.channels.models import MessagingAccount
from panorama.channels.sms.provider import PROVIDERS, ProviderError
from panorama.channels.sms.services import messaging_account_save
from panorama.core.exceptions import DomainError
from panorama.customers.models import Consent, Customer
from panorama.customers.services.relations import consent_record
from panorama.marketing.models import Campaign, Recipient, Segment
from panorama.marketing.selectors import segment_customers
from panorama.marketing.services.calls import call_next, call_outcome_record
from panorama.marketing.services.campaigns import (
    campaign_conversion_record,
    campaign_launch,
    campaign_response_record,
    campaign_save,
)
from panorama.marketing.services.directmail import direct_mail_export
from panorama.marketing.services.segments import list_create, segment_save
from panorama.marketing.services.sending import campaign_send
from panorama.marketing.services.templates import template_save
from panorama.sales.services.script import script_create

ACCOUNT = ["ACC-NOM", "ACC-ONL"]
CARD_HOLDERS = "Clientes con tarjeta"  # the loyalty demo's bonus targets it too
SMS_NAME = "SMS: fracciona tus compras con la tarjeta"
CALLS_NAME = "Llamadas: seguro de hogar para clientes de cuenta"
MAIL_NAME = "Carta: Fondo Indexado sin comisión de suscripción"

SMS_ES = (
    "Banco Demo: {{ first_name }}, fracciona tus compras de mas de 100 EUR con tu tarjeta "
    "en 3 meses sin intereses. Info: banco-demo.example/fracciona "
    "Baja: {{ unsubscribe_url }}"
)
SMS_EN = (
    "Banco Demo: {{ first_name }}, split purchases over 100 EUR with your card into 3 "
    "months, interest-free. Info: banco-demo.example/split Stop: {{ unsubscribe_url }}"
)
LETTER_ES = """Estimado/a {{ first_name }}:

Durante este trimestre puede suscribir el Fondo Indexado Banco Demo sin comisión de \
suscripción y desde 50 € al mes. Replica un índice mundial con una comisión de gestión \
del 0,45 % y puede traspasarlo cuando quiera sin pasar por Hacienda.

Pase por su oficina con esta carta o llámenos al 900 100 200.

Atentamente,
Su gestor"""
LETTER_EN = """Dear {{ first_name }},

This quarter you can invest in the Banco Demo Index Fund with no subscription fee, \
from 50 € a month. It tracks a world index with a 0.45% management fee.

Bring this letter to your branch or call us on 900 100 200.

Yours sincerely,
Your account manager"""
SCRIPT = {
    "title": "Seguro de hogar para clientes de cuenta",
    "language": "es",
    "body": "1. Preséntate y confirma que hablas con el titular de la cuenta.\n"
    "2. Motivo: revisamos las coberturas de sus clientes; no tiene seguro de hogar con "
    "nosotros.\n"
    "3. Oferta: Seguro de Hogar Completo desde 14 €/mes, el primer mes gratis, con "
    "asistencia 24 h, daños por agua y responsabilidad civil hasta 300.000 €.\n"
    "4. Pregunta si su vivienda es propia o de alquiler y si tiene otro seguro y cuándo "
    "vence.\n"
    "5. Si le interesa, registra «Interesado»: su gestor le enviará el presupuesto.",
    "objections": [
        {
            "objection": "Ya tengo un seguro de hogar",
            "answer": "¿Cuándo vence? Le llamamos un mes antes con un presupuesto para "
            "comparar, sin compromiso.",
        },
        {
            "objection": "Es caro",
            "answer": "Desde 14 €/mes y el primer mes gratis; con la nómina domiciliada, "
            "un 10 % menos.",
        },
        {
            "objection": "No me interesa, estoy de alquiler",
            "answer": "El seguro de contenido cubre sus muebles y su responsabilidad "
            "civil frente al propietario, desde 7 €/mes.",
        },
    ],
}
# What the agent hears, in order of likelihood, and the note he takes.
CALLS: list[tuple[str, str, float]] = [
    ("no_answer", "", 0.30),
    ("not_interested", "Ya tiene seguro con otra compañía; vence en marzo.", 0.22),
    ("interested", "Vivienda propia de 90 m². Pide presupuesto por correo.", 0.18),
    ("reached", "Lo consultará con su pareja; tiene la información.", 0.15),
    ("call_back", "Prefiere hablar por la tarde, después de las 18 h.", 0.15),
]


class _TextsInMemory:
    """A messaging provider that keeps the texts (the SMS twin of Django's locmem mail
    backend); one number in about fifteen is refused, as real networks do."""

    def __init__(self, rng: random.Random) -> None:
        self.sent: list[dict[str, str]] = []
        self.rng = rng

    def send(self, *, account: MessagingAccount, to: str, body: str) -> str:
        if self.rng.random() < 0.07:
            raise ProviderError("HTTP 422: the number is not reachable")
        self.sent.append({"to": to, "body": body})
        return f"demo-{len(self.sent)}"

    def read(self, payload: dict) -> Any:
        raise ValueError("the demo's provider receives nothing")


@contextmanager
def _texts_in_memory(rng: random.Random) -> Iterator[_TextsInMemory]:
    kind = MessagingAccount.Provider.REFERENCE
    saved, PROVIDERS[kind] = PROVIDERS[kind], _TextsInMemory(rng)
    try:
        yield PROVIDERS[kind]  # type: ignore[misc]
    finally:
        PROVIDERS[kind] = saved


def channel_campaigns_demo(
    *, rng: random.Random, pilot: int = 30, skip: set[int] | None = None
) -> dict[str, Campaign]:
    """The SMS, call list and direct mail campaigns (those whose pilot found customers),
    by channel."""
    marketer = User.objects.filter(role=Role.MARKETING, is_active=True).order_by("pk").first()
    agent = (
        User.objects.filter(role=Role.SERVICE_AGENT, is_active=True).order_by("pk").first()
        or marketer
    )
    skip, taken = set(skip or ()), set[int]()
    made: dict[str, Campaign] = {}
    sms = _sms(rng, _pilot("SMS", _card_holders(), pilot, skip, taken, Consent.Channel.SMS, rng))
    if sms is not None:
        made["sms"] = sms
    calls = _calls(
        rng,
        _pilot("llamadas", _without("INS-HOME"), pilot, skip, taken, Consent.Channel.PHONE, rng),
        agent,
    )
    if calls is not None:
        made["call_list"] = calls
    mail = _direct_mail(
        rng,
        _pilot("carta", _without("FUND-IDX"), pilot, skip, taken, Consent.Channel.POST, rng),
        marketer,
    )
    if mail is not None:
        made["direct_mail"] = mail
    return made


def _card_holders() -> Segment:
    return segment_save(
        by=None,
        name=CARD_HOLDERS,
        description="Titulares de una tarjeta de crédito o de débito.",
        rules={"field": "holding", "op": "has", "value": ["CARD-CR", "CARD-DB"]},
    )


def _without(code: str) -> Segment:
    names = {"INS-HOME": "seguro de hogar", "FUND-IDX": "fondo de inversión"}
    return segment_save(
        by=None,
        name=f"Cuenta sin {names[code]}",
        rules={
            "op": "and",
            "rules": [
                {"field": "holding", "op": "has", "value": ACCOUNT},
                {"field": "holding", "op": "has_not", "value": code},
            ],
        },
    )


def _pilot(
    label: str,
    segment: Segment,
    size: int,
    skip: set[int],
    taken: set[int],
    channel: str,
    rng: random.Random,
):
    """A list of up to ``size`` customers of ``segment`` (never one of ``skip``; one of
    another pilot only when the segment has no one else: a small demo), most of whom
    said yes to marketing on ``channel`` (at the branch or on the phone)."""
    members = segment_customers(user=None, rules=segment.rules).exclude(pk__in=skip)
    ids = list(members.exclude(pk__in=taken).order_by("pk").values_list("pk", flat=True)[:size])
    if len(ids) < size:
        ids += list(
            members.filter(pk__in=taken)
            .order_by("pk")
            .values_list("pk", flat=True)[: size - len(ids)]
        )
    if not ids:
        return None
    taken.update(ids)
    for customer in Customer.objects.filter(pk__in=ids).order_by("pk"):
        if rng.random() < 0.85:
            consent_record(
                customer=customer,
                purpose=Consent.Purpose.MARKETING,
                channel=channel,
                granted=True,
                source=rng.choice(("branch", "phone")),
                by=None,
            )
    return list_create(by=None, name=f"Piloto {label}: {segment.name}", customer_ids=ids)


def _launched(changes: dict[str, Any]) -> Campaign | None:
    campaign = campaign_save(by=None, changes=changes)
    try:
        campaign_launch(by=None, campaign=campaign)
    except DomainError:
        return None  # nobody in the pilot may be reached on this channel: a draft
    return Campaign.objects.get(pk=campaign.pk)


def _sms(rng: random.Random, pilot) -> Campaign | None:
    if pilot is None:
        return None
    account = MessagingAccount.objects.filter(kind=MessagingAccount.Kind.SMS).order_by("pk").first()
    created = account is None
    if account is None:
        account = messaging_account_save(
            by=None,
            account=MessagingAccount(
                name="SMS", number="+34600100200", api_url="https://sms.banco-demo.example/api"
            ),
            api_key="demo",
        )
    paused = created or not account.active  # an example provider: paused when idle
    # Active while the campaign is launched and texted, paused again after (the demo's
    # provider is an example: nothing else goes out through it).
    MessagingAccount.objects.filter(pk=account.pk).update(active=True)
    template = template_save(
        by=None,
        name="SMS fraccionar compras",
        subject_es="Fracciona tus compras",
        body_es=SMS_ES,
        subject_en="Split your purchases",
        body_en=SMS_EN,
    )
    campaign = _launched(
        {
            "name": SMS_NAME,
            "objective": "Que los titulares de tarjeta fraccionen sus compras grandes.",
            "channel": Campaign.Channel.SMS,
            "static_list": pilot,
            "template": template,
            "sms_account": account,
            "control_percent": 10,
            "budget": Decimal("400"),
            "cost": Decimal("85"),
        }
    )
    if campaign is not None:
        with _texts_in_memory(rng):
            campaign_send(campaign_id=campaign.pk, rate=0)
    if paused:
        MessagingAccount.objects.filter(pk=account.pk).update(active=False)
    if campaign is None:
        return None
    sent = campaign.recipients.filter(status=Recipient.Status.SENT).order_by("pk")
    for n, recipient in enumerate(sent):
        if n == 0 or rng.random() < 0.12:
            campaign_response_record(
                by=None,
                campaign=campaign,
                customer_id=recipient.customer_id,
                note="Contestó «INFO» al SMS.",
            )
    _conversions(campaign, rng, target=0.15, control=0.04, amounts=("18.00", "27.00", "45.00"))
    return campaign


def _calls(rng: random.Random, pilot, agent: User | None) -> Campaign | None:
    if pilot is None:
        return None
    script = script_create(by=None, **SCRIPT)
    campaign = _launched(
        {
            "name": CALLS_NAME,
            "objective": "Ofrecer el Seguro de Hogar Completo a clientes de cuenta sin él.",
            "channel": Campaign.Channel.CALL_LIST,
            "static_list": pilot,
            "script": script,
            "control_percent": 10,
            "offer_product_code": "INS-HOME",
            "budget": Decimal("1500"),
            "cost": Decimal("640"),
        }
    )
    if campaign is None or agent is None:
        return campaign
    # The agent worked two thirds of the list this morning; the rest is still to call.
    to_call = max(
        1, round(campaign.recipients.filter(group=Recipient.Group.TARGET).count() * 2 / 3)
    )
    outcomes, weights = [o for o, _n, _w in CALLS], [w for _o, _n, w in CALLS]
    notes = {o: n for o, n, _w in CALLS}
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    for n in range(to_call):
        recipient = call_next(by=agent, campaign=campaign)
        if recipient is None:
            break
        outcome = "interested" if n == 0 else rng.choices(outcomes, weights)[0]
        call_outcome_record(
            by=agent,
            campaign=campaign,
            recipient_id=recipient.pk,
            outcome=outcome,
            note=notes[outcome],
            callback_at=tomorrow.replace(hour=18, minute=30) if outcome == "call_back" else None,
        )
    # Half the interested took out the insurance (the first one at least); the control
    # group was not called, and a few of them took it out all the same.
    _conversions(campaign, rng, target=0.0, control=0.1, amounts=("168.00", "204.00", "252.00"))
    return campaign


def _direct_mail(rng: random.Random, pilot, marketer: User | None) -> Campaign | None:
    if pilot is None:
        return None
    letter = template_save(
        by=None,
        name="Carta Fondo Indexado",
        subject_es="Su Fondo Indexado, sin comisión de suscripción",
        body_es=LETTER_ES,
        subject_en="Your Index Fund, with no subscription fee",
        body_en=LETTER_EN,
    )
    campaign = _launched(
        {
            "name": MAIL_NAME,
            "objective": "Abrir el primer fondo de inversión a clientes de cuenta.",
            "channel": Campaign.Channel.DIRECT_MAIL,
            "static_list": pilot,
            "template": letter,
            "control_percent": 15,
            "offer_product_code": "FUND-IDX",
            "budget": Decimal("2000"),
            "cost": Decimal("1150"),
        }
    )
    if campaign is None or marketer is None:
        return campaign
    direct_mail_export(by=marketer, campaign=campaign, fmt="csv")  # for the printer
    exported = campaign.recipients.filter(status=Recipient.Status.EXPORTED).order_by("pk")
    for n, recipient in enumerate(exported):
        if n == 0 or rng.random() < 0.1:
            campaign_response_record(
                by=None,
                campaign=campaign,
                customer_id=recipient.customer_id,
                note="Vino a la oficina con la carta.",
            )
    _conversions(campaign, rng, target=0.1, control=0.03, amounts=("60.00", "120.00", "300.00"))
    return campaign


def _conversions(
    campaign: Campaign, rng: random.Random, *, target: float, control: float, amounts
) -> None:
    """Who bought: half the responders, and some of the rest at the group's rate (more in
    the target group than in the control group: the uplift)."""
    first = True
    for recipient in campaign.recipients.order_by("pk"):
        if recipient.responded_at is not None:
            rate, first = (1.0 if first else 0.5), False  # the first responder bought
        else:
            rate = target if recipient.group == Recipient.Group.TARGET else control
        if rng.random() < rate:
            campaign_conversion_record(
                by=None,
                campaign=campaign,
                customer_id=recipient.customer_id,
                revenue=Decimal(rng.choice(amounts)),
            )
