"""A campaign e-mail's MIME text is written directly (``services.mime``): a mail client
reads exactly what Django's own message would give it — the headers (RFC 2047 for a
Spanish subject or name), the text and HTML parts, their transfer encoding (quoted-
printable once a line passes 998 octets)."""

import email
from email import policy

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from panorama.marketing.services.mime import Envelope, PreparedEmail, envelope_address

COMMON = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "X-Panorama-Campaign": "7"}
OWN = {"List-Unsubscribe": "<https://crm.example.com/marketing/u/abc/>", "Message-ID": "<1@b.es>"}


def _read(message) -> email.message.EmailMessage:
    raw = message.message().as_bytes(linesep="\r\n")
    return email.message_from_bytes(raw, policy=policy.default)


@pytest.mark.parametrize(
    ("subject", "body", "html"),
    [
        ("José, una oferta para ti", "Hola Ána:\n\nhttps://a.example/x\n", "<p>Hola Ána</p>"),
        ("Plain " + "z" * 90, "plain ascii", "<p>" + "x" * 1200 + "ñ</p>"),
    ],
)
def test_a_prepared_email_reads_as_djangos(subject, body, html):
    envelope = Envelope(from_email="Banco Panorámico <noticias@banco.example>", headers=COMMON)
    to = "José Pérez <jose@example.com>"
    ours = _read(
        PreparedEmail(envelope=envelope, to=to, subject=subject, body=body, html=html, headers=OWN)
    )
    django = _read(
        EmailMultiAlternatives(
            subject=subject,
            body=body,
            from_email=envelope.from_email,
            to=[to],
            headers={**COMMON, **OWN},
            alternatives=[(html, "text/html")],
        )
    )
    for name in ("Subject", "From", "To", *COMMON, *OWN):
        assert str(ours[name]).strip() == str(django[name]).strip(), name
    assert ours.get_content_type() == django.get_content_type() == "multipart/alternative"
    assert [(p.get_content_type(), p["Content-Transfer-Encoding"]) for p in ours.iter_parts()] == [
        (p.get_content_type(), p["Content-Transfer-Encoding"]) for p in django.iter_parts()
    ]
    for kind in ("plain", "html"):
        assert ours.get_body((kind,)).get_content() == django.get_body((kind,)).get_content()
    assert ours["Date"]


def test_a_header_with_a_line_break_is_refused():
    envelope = Envelope(from_email="noticias@banco.example", headers=COMMON)
    message = PreparedEmail(
        envelope=envelope, to="a@b.es", subject="Hola\nBcc: x@y.es", body="x", html="x", headers=OWN
    )
    with pytest.raises(BadHeaderError):
        message.message()


ADDRESSES = [
    "ana@example.com",
    "Ana.Garcia+ofertas@Banco.Example",
    "x=y%z_1-2@sub-d.example.co",
    "a..b@example.com",
    ".a@example.com",
    "a.@example.com",
    "a@-b.example",
    "a@b..example",
    "Ana García <ana@example.com>",
    "ñandú@example.com",
    "ana@bañ.example",
    "a@" + "x" * 63 + ".example",
    "a@" + "x" * 64 + ".example",
    "a b@example.com",
    '"quoted"@example.com',
    "ana@example.com.",
    "ana@example.com\nBcc: x@y.z",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_envelope_address_is_djangos(address):
    """The SMTP envelope's addresses read without the header parser are what Django's
    SMTP backend gives the server, or the same error."""
    try:
        expected = sanitize_address(address, "utf-8")
    except ValueError as exc:
        with pytest.raises(ValueError) as raised:
            envelope_address(address)
        assert str(raised.value) == str(exc)
    else:
        assert envelope_address(address) == expected
