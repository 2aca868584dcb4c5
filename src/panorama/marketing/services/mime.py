"""A campaign e-mail's MIME text, written directly.

Django builds each message as a tree of ``email`` package objects and flattens it with
its generator (header folding, a boundary checked against the whole text with a regular
expression compiled for it…): about 4 ms of Python per message, two thirds of what a
campaign spends on one recipient besides the SMTP round trips, and holding the GIL that
the thread building the next messages needs. A campaign's messages are all alike (a
text part, an HTML alternative, a handful of headers), so ``PreparedEmail`` writes the
same bytes Django would send with string joins: the headers common to the campaign are
written once (``Envelope``), the recipient's own (To, Subject, Message-ID, his
unsubscribe link) and the two parts per message. A non-ASCII header is RFC 2047-encoded
as Django does; a part is 7bit, 8bit, or quoted-printable when a line is longer than
RFC 5322's 998 octets (Django's rule too). Every Django mail backend takes it: the SMTP
one sends ``message().as_bytes()``; the console, file and in-memory ones read the same.
"""

import email.quoprimime
import random
import re
import time
from email.header import Header
from email.utils import formatdate

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import sanitize_address

LINE_LIMIT = 998  # RFC 5322, octets
_dated: tuple[int, bool, str] = (0, False, "")


def date_header() -> str:
    """``formatdate(localtime=EMAIL_USE_LOCALTIME)``, as Django's Date header, written
    once per second (its text changes no more often) for all the messages of that second."""
    global _dated
    now, localtime = int(time.time()), settings.EMAIL_USE_LOCALTIME
    second, local, text = _dated
    if second != now or local != localtime:
        text = formatdate(now, localtime=localtime)
        _dated = (now, localtime, text)
    return text


def _header(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for {name})")
    if value.isascii():
        return f"{name}: {value}\r\n"
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode()}\r\n"


def _address(value: str) -> str:
    return value if value.isascii() else sanitize_address(value, "utf-8")


# An address that is a plain ASCII addr-spec: dot-atoms of common characters, labels of
# 1 to 63 letters, digits and hyphens (what IDNA leaves as it is).
_PLAIN = re.compile(
    r"[A-Za-z0-9_%+=-]+(?:\.[A-Za-z0-9_%+=-]+)*@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
)


def plain_address(address: str) -> bool:
    """Whether ``address`` is a plain ASCII addr-spec (see ``_PLAIN``)."""
    return _PLAIN.fullmatch(address) is not None


def envelope_address(address: str, encoding: str = "utf-8") -> str:
    """``sanitize_address(address, encoding)``: what Django's SMTP backend gives the server
    as the envelope's sender or recipient. A plain ASCII addr-spec (nearly every
    customer's) is its own answer, tested against Django's; the email package's header
    parser (about 50 µs per address) reads only the rest."""
    if plain_address(address):
        return address
    return sanitize_address(address, encoding)


def _part(content_type: str, text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if any(len(line.encode()) > LINE_LIMIT for line in lines):
        encoding = "quoted-printable"
        text = email.quoprimime.body_encode(text.encode().decode("latin-1"))
    else:
        encoding = "7bit" if text.isascii() else "8bit"
    return (
        f'Content-Type: {content_type}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n" + text.replace("\n", "\r\n")
    )


class Envelope:
    """The headers every message of a campaign shares, written once."""

    def __init__(self, *, from_email: str, headers: dict[str, str]) -> None:
        self.from_email, self.headers = from_email, headers
        self.common = _header("From", _address(from_email)) + "".join(
            _header(name, value) for name, value in headers.items()
        )


class _Written(bytes):
    """What ``EmailMessage.message()`` gives the backends, already flat."""

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n", **_kw) -> bytes:
        return bytes(self) if linesep == "\r\n" else bytes(self).replace(b"\r\n", b"\n")

    def as_string(self, unixfrom: bool = False, linesep: str = "\n", **_kw) -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8")

    def get_charset(self) -> None:
        return None


class PreparedEmail(EmailMultiAlternatives):
    """An ``EmailMultiAlternatives`` (a text body, one HTML alternative) whose MIME text
    is written directly (see the module)."""

    def __init__(
        self,
        *,
        envelope: Envelope,
        to: str,
        subject: str,
        body: str,
        html: str,
        headers: dict[str, str],
    ) -> None:
        super().__init__(
            subject=subject,
            body=body,
            from_email=envelope.from_email,
            to=[to],
            headers={**envelope.headers, **headers},
            alternatives=[(html, "text/html")],
        )
        self.envelope, self.own_headers = envelope, headers

    def message(self, *, policy=None) -> _Written:
        # 128 random bits, as uuid4's hex gave, from the ``random`` module (as the email
        # package's own boundaries): ``os.urandom`` released the GIL once per message.
        boundary = f"===============panorama{random.getrandbits(128):032x}=="
        own = "".join(_header(name, value) for name, value in self.own_headers.items())
        if "Message-ID" not in self.own_headers:
            raise BadHeaderError("a prepared campaign e-mail carries its Message-ID")
        date = date_header()
        html, _mimetype = self.alternatives[0]
        text = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n'
            "MIME-Version: 1.0\r\n"
            + _header("Subject", str(self.subject))
            + self.envelope.common
            + _header("To", _address(self.to[0]))
            + f"Date: {date}\r\n"
            + own
            + f"\r\n--{boundary}\r\n"
            + _part("text/plain", str(self.body))
            + f"\r\n--{boundary}\r\n"
            + _part("text/html", str(html))
            + f"\r\n--{boundary}--\r\n"
        )
        return _Written(text.encode("utf-8"))
