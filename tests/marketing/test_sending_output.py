"""What a recipient receives from a campaign does not depend on how fast it was built:
sent through the real SMTP server (tests/smtp.py), every message is byte for byte what
the straightforward path gives — each link signed on its own by ``django.core.signing``,
the footer translated per message, Django's MIME rules (``mime``) — apart from its
Message-ID and Date. And a signed link is exactly the token ``django.core.signing``
makes, so the unsubscribe, pixel and click views read it."""

import html
import re

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from panorama.catalog.models import Product
from panorama.marketing import messages
from panorama.marketing.models import Recipient
from panorama.marketing.services.campaigns import campaign_launch, campaign_save
from panorama.marketing.services.links import token_make, token_read
from panorama.marketing.services.mime import PreparedEmail
from panorama.marketing.services.segments import list_create
from panorama.marketing.services.sending import (
    campaign_envelope,
    campaign_send,
    customer_context,
)
from panorama.marketing.services.templates import template_save

from .conftest import person

pytestmark = pytest.mark.django_db

BODY_ES = (
    "Hola {{ first_name }}:\n\n{% if 'CARD-CR' in products %}Gracias por tu tarjeta."
    "{% else %}Pide tu Tarjeta Oro: https://banco.example/oro?c=1&d=2{% endif %}\n"
    "Más en https://banco.example/oro?c=1&d=2 y https://banco.example/ayuda.\n\n"
    "Un saludo desde {{ city|default:'tu oficina' }} <equipo>."
)
BODY_EN = "Hi {{ first_name }},\n\nSee https://banco.example/gold\n\nThanks."
URL = re.compile(r"https?://[^\s<>\"')]+")
BOUNDARY = re.compile(rb"===============panorama[0-9a-f]{32}==")


TOKEN = re.compile(r"/marketing/([uoc])/([\w-]+:[0-9A-Za-z]+:[\w-]+)/")
KINDS = {"u": "unsubscribe", "o": "open", "c": "click"}


def _stamps(message) -> dict[tuple[str, str], list[str]]:
    """The second each link of a received message was signed at, by (kind, URL), in the
    order they appear (the order the straightforward path signed them in): its
    List-Unsubscribe header, its text part, its HTML part (quoted-printable when a line
    is long: read decoded)."""
    found: dict[tuple[str, str], list[str]] = {}
    text = "".join(
        [
            message["List-Unsubscribe"],
            message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content(),
        ]
    )
    for letter, token in TOKEN.findall(text):
        kind = KINDS[letter]
        url = token_read(token, kind).get("u", "")
        found.setdefault((kind, url), []).append(token.split(":")[1])
    return found


class _SignedAt(signing.TimestampSigner):
    """Django's own signer, at the second the received message was signed."""

    def __init__(self, stamp: str, **kwargs):
        super().__init__(**kwargs)
        self.stamp = stamp

    def timestamp(self) -> str:
        return self.stamp


def _previous_message(recipient, compiled, context, envelope, stamps) -> PreparedEmail:
    """The message as it was built before the per-second and per-batch caches: every
    token signed by ``django.core.signing`` on its own (at the second the received one
    was: ``stamps``), each link signed where it appears, the footer translated under
    ``translation.override``."""

    def token(kind, url=""):
        payload = {"r": recipient.pk, **({"u": url} if url else {})}
        seconds = stamps[(kind, url)]
        stamp = seconds.pop(0) if len(seconds) > 1 else seconds[0]
        return _SignedAt(stamp, salt=f"panorama.marketing.{kind}").sign_object(payload)

    def public(name, value):
        return settings.PANORAMA_PUBLIC_URL + reverse(name, args=[value])

    unsubscribe = public("marketing:unsubscribe", token("unsubscribe"))
    rendered = compiled.render(context | {"unsubscribe_url": unsubscribe})

    def tracked(url):
        return public("marketing:click", token("click", url))

    with translation.override(rendered.language):
        footer = _("To stop receiving these e-mails: %(url)s") % {"url": unsubscribe}
    text = URL.sub(lambda m: tracked(m.group(0)), rendered.body)
    parts, last = [], 0
    for match in URL.finditer(rendered.body):
        parts.append(html.escape(rendered.body[last : match.start()]))
        url = match.group(0)
        parts.append(f'<a href="{html.escape(tracked(url))}">{html.escape(url)}</a>')
        last = match.end()
    parts.append(html.escape(rendered.body[last:]))
    paragraphs = "".join(
        f"<p>{block.replace(chr(10), '<br>')}</p>" for block in "".join(parts).split("\n\n")
    )
    pixel = public("marketing:open", token("open"))
    body_html = (
        f"<!doctype html><html><body>{paragraphs}"
        f'<img src="{html.escape(pixel)}" width="1" height="1" alt=""></body></html>'
    )
    footer_html = (
        f'<p><a href="{html.escape(unsubscribe)}">{html.escape(footer.split(":")[0])}</a></p>'
    )
    return PreparedEmail(
        envelope=envelope,
        to=recipient.email,
        subject=rendered.subject,
        body=f"{text}\n\n--\n{footer}\n",
        html=body_html.replace("<img", footer_html + "<img", 1),
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "Message-ID": recipient.message_id},
    )


def _comparable(raw: bytes) -> bytes:
    """The bytes with the Date line and the MIME boundary (a fresh uuid) blanked."""
    raw = raw.replace(b"\r\n", b"\n")
    raw = re.sub(rb"(?m)^Date: .*$", b"Date: -", raw)
    return BOUNDARY.sub(b"BOUNDARY", raw)


def test_the_received_messages_are_byte_for_byte_the_previous_ones(marketer, smtp, settings):
    settings.PANORAMA_MAIL_CONNECTIONS = 2
    Product.objects.get_or_create(sku="CARD-CR", defaults={"name": "Tarjeta", "list_price": 0})
    people = [
        person("José Pérez", email_address="jose@example.com"),
        person("Ana García", card=True, email_address="ana@example.com"),
        person("Luis Brown", language="en", email_address="luis@example.com"),
        *(person(f"Cliente N{n}", email_address=f"n{n}@example.com") for n in range(5)),
    ]
    group = list_create(by=marketer, name="Oro", customer_ids=[p.pk for p in people])
    template = template_save(
        by=marketer,
        name="Oro",
        subject_es="{{ first_name }}, una oferta para ti",
        body_es=BODY_ES,
        subject_en="{{ first_name }}, an offer",
        body_en=BODY_EN,
    )
    campaign = campaign_save(
        by=marketer,
        changes={"name": "Oro", "static_list": group, "template": template, "control_percent": 0},
    )
    campaign_launch(by=marketer, campaign=campaign)

    assert campaign_send(campaign_id=campaign.pk, rate=0)["sent"] == 8

    assert len(smtp.messages) == 8
    compiled = messages.Compiled(template)
    envelope = campaign_envelope(campaign)
    contexts = customer_context([p.pk for p in people], compiled=[compiled])
    rows = {r.email: r for r in Recipient.objects.filter(campaign=campaign)}
    for received in smtp.messages:
        (address,) = received.rcpt_tos
        recipient = rows[address]
        parsed = received.message
        assert parsed["Message-ID"] == recipient.message_id
        assert parsed["Date"]
        stamps = _stamps(parsed)
        # All of a message's links are signed at the same second.
        assert len({second for seconds in stamps.values() for second in seconds}) == 1
        expected = _previous_message(
            recipient, compiled, contexts[recipient.customer_id], envelope, stamps
        ).message()
        assert _comparable(received.content) == _comparable(expected.as_bytes(linesep="\r\n"))
    # What the recipients notice: their language, the conditional block, the links.
    luis = smtp.to("luis@example.com")[0]
    assert luis["Subject"] == "Luis, an offer"
    assert "To stop receiving these e-mails" in luis.get_body(("plain",)).get_content()
    jose = smtp.to("jose@example.com")[0]
    assert jose["Subject"] == "José, una oferta para ti"
    assert jose["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = jose.get_body(("plain",)).get_content()
    assert "https://banco.example" not in text and "Tarjeta Oro" in text
    # The same link twice in a message is one signed link.
    clicks = re.findall(r"https://crm\.example\.com/marketing/c/[^\s]+", text)
    assert len(clicks) == 3 and clicks[0] == clicks[1] != clicks[2]


def test_a_token_is_what_django_signing_makes():
    for kind, url in [
        ("unsubscribe", ""),
        ("open", ""),
        ("click", "https://banco.example/oro?c=1&d=2"),
        ("click", 'https://banco.example/año/ñ?q="x"&z=<y>'),
    ]:
        token = token_make(41, kind, url)
        stamp = token.split(":")[1]
        payload = {"r": 41, **({"u": url} if url else {})}
        assert token == _SignedAt(stamp, salt=f"panorama.marketing.{kind}").sign_object(payload)
        assert token_read(token, kind) == payload
        assert signing.loads(token, salt=f"panorama.marketing.{kind}") == payload
        with pytest.raises(signing.BadSignature):
            token_read(token, "other")


def test_a_new_secret_key_signs_with_the_new_key(settings):
    before = token_make(7, "open")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    after = token_make(7, "open")
    assert after != before
    assert token_read(after, "open") == {"r": 7}
    with pytest.raises(signing.BadSignature):
        token_read(before, "open")
