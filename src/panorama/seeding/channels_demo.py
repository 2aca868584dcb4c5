"""The channel adapters in the demo: a shared sending identity and welcome templates in
Spanish and English, a branch, an SMS account (paused: its provider is an example) with
a message of the showcase customer and one from an unknown number, and a fax from her
on her timeline with its preview — all through the adapters' own services."""

from django.db import transaction
from weasyprint import HTML

from panorama.channels.fax.services import fax_receive
from panorama.channels.models import (
    Branch,
    MailTemplate,
    MessagingAccount,
    SendingIdentity,
)
from panorama.channels.sms.provider import Inbound
from panorama.channels.sms.services import _inbound, messaging_account_save

from .showcase import PHONE

FAX = """<html><body style="font-family: sans-serif; padding: 2cm">
<h1>Solicitud de cambio de domicilio</h1>
<p>Ana García · DNI 12345678Z</p>
<p>Ruego actualicen mi domicilio a Calle Mayor 1, 28013 Madrid.</p>
<p>Firma: Ana García</p></body></html>"""


@transaction.atomic
def channels_demo_ensure() -> bool:
    if SendingIdentity.objects.exists():
        return False
    SendingIdentity.objects.create(
        name="Atención al cliente",
        from_address="atencion@banco-demo.example",
        display_name="Banco Demo",
        signature="Banco Demo · Atención al cliente · 900 100 200",
    )
    MailTemplate.objects.create(
        name="Bienvenida",
        language="es",
        subject="Bienvenido/a, {{ customer.display_name }}",
        body="Hola {{ customer.display_name }}:\n\nGracias por confiar en Banco Demo.",
    )
    MailTemplate.objects.create(
        name="Bienvenida",
        language="en",
        subject="Welcome, {{ customer.display_name }}",
        body="Hello {{ customer.display_name }},\n\nThank you for banking with us.",
    )
    Branch.objects.create(code="MAD01", name="Madrid Sol", address="Puerta del Sol 1, Madrid")
    account = messaging_account_save(
        by=None,
        account=MessagingAccount(
            name="SMS", number="+34600100200", api_url="https://sms.banco-demo.example/api"
        ),
        api_key="demo",
    )
    MessagingAccount.objects.filter(pk=account.pk).update(active=False)  # an example provider
    _inbound(account, Inbound("demo-1", PHONE, "¿Abren el sábado la oficina de Sol?", None))
    _inbound(account, Inbound("demo-2", "+34699888777", "Soy Luis, ¿me pueden llamar?", None))
    fax_receive(
        by=None, number=PHONE, content=HTML(string=FAX).write_pdf(), note="Cambio de domicilio"
    )
    return True
