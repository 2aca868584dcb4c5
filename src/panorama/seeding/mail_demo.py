"""Inbound e-mail in the demo: a shared case mailbox (paused: its IMAP server is an
example) whose ledger shows each outcome — messages of the showcase customer that
opened a case and threaded into it, a sender nobody knows (on *Unknown senders*), a
duplicate and an out-of-office reply skipped, a message in a wrong charset imported
with its note. The messages go through the same import as the IMAP poller."""

import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from django.db import transaction
from django.utils import timezone

from panorama.channels.mail.crypto import seal
from panorama.channels.mail.importer import mail_import
from panorama.channels.models import Mailbox
from panorama.service.models import Queue

from .showcase import EMAIL

ADDRESS = "atencion@banco-demo.example"


def _mail(sender: str, subject: str, body: str, n: int, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ADDRESS
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now() - datetime.timedelta(hours=10 - n))
    msg["Message-ID"] = f"<demo-{n}@correo.example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


@transaction.atomic
def mail_demo_ensure() -> Mailbox | None:
    if Mailbox.objects.exists():
        return None
    queue = Queue.objects.order_by("name").first()
    mailbox = Mailbox.objects.create(
        name="Atención al cliente",
        address=ADDRESS,
        host="imap.banco-demo.example",
        port=993,
        username=ADDRESS,
        password_sealed=seal("demo"),
        active=False,  # an example server: paused, so the worker does not try it
        creates_cases=queue is not None,
        queue=queue,
        auto_reply=False,  # the demo sends no mail; switch it on in the mailbox's form
    )
    first = _mail(
        f"Ana García <{EMAIL}>",
        "No puedo entrar en la banca online",
        "Hola, desde ayer la web me dice que mi usuario está bloqueado.\nAna",
        1,
    )
    mail_import(raw=first, mailbox=mailbox)
    mail_import(raw=first, mailbox=mailbox)  # delivered twice: a skipped duplicate
    entry = mailbox.entries.exclude(case=None).first()
    reference = entry.case.reference if entry and entry.case else ""
    mail_import(
        raw=_mail(
            f"Ana García <{EMAIL}>",
            f"Re: {reference} No puedo entrar en la banca online",
            "Sigue igual esta mañana. ¿Me pueden llamar?",
            2,
            In_Reply_To="<demo-1@correo.example>",
        ),
        mailbox=mailbox,
    )
    mail_import(
        raw=_mail(
            f"Ana García <{EMAIL}>",
            "Fuera de la oficina",
            "Estaré fuera hasta el lunes.",
            3,
            Auto_Submitted="auto-replied",
        ),
        mailbox=mailbox,
    )
    for n, subject in ((4, "Quiero abrir una cuenta"), (5, "¿Tienen oficina en Getafe?")):
        mail_import(
            raw=_mail("Luis Nuevo <luis.nuevo@example.net>", subject, "Gracias.", n),
            mailbox=mailbox,
        )
    broken = (
        f"From: {EMAIL}\r\nTo: {ADDRESS}\r\nSubject: Factura de octubre\r\n"
        "Message-ID: <demo-6@correo.example>\r\n"
        "Content-Type: text/plain; charset=x-desconocido\r\n\r\n"
    ).encode() + "La factura de octubre está duplicada.\r\n".encode("latin-1")
    mail_import(raw=broken, mailbox=mailbox)
    return mailbox
