"""A campaign e-mail's SMTP transaction in two round trips instead of four.

``smtplib.SMTP.sendmail`` waits for the server's answer to MAIL, then to RCPT, then to
DATA, then to the message: four round trips per e-mail, each a wake-up of the sending
thread (which waits for the GIL the message builder holds) and of the server. A server
that advertises PIPELINING (RFC 2920: Postfix, Exim, Exchange and the big providers do)
takes MAIL, RCPT and DATA in one write and answers them in order; the message follows
once DATA's 354 is read. ``sendmail`` below sends the same commands with the same bytes,
reads every answer, and raises what ``smtplib`` raises for the same answers
(``SMTPSenderRefused``, ``SMTPRecipientsRefused``, ``SMTPDataError``), the transaction
reset after a refusal as ``smtplib`` does; a server without PIPELINING (or a non-ASCII
envelope address) gets ``smtplib``'s own ``sendmail``."""

import contextlib
import re
import smtplib
from collections.abc import Callable

from .mime import plain_address

_PERIODS = re.compile(rb"(?m)^\.")


def _quoted(address: str) -> str:
    """``smtplib.quoteaddr``; a plain addr-spec (nearly every one) without its parser."""
    return f"<{address}>" if plain_address(address) else smtplib.quoteaddr(address)


def _reset(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _closed(smtp: smtplib.SMTP, code: int) -> bool:
    """A 421 answer: the server is closing the connection (``smtplib`` closes it too)."""
    if code == 421:
        smtp.close()
        return True
    return False


def _give_up(smtp: smtplib.SMTP, code: int) -> None:
    """After a refused transaction: closed on a 421 (as ``smtplib``), else reset."""
    if not _closed(smtp, code):
        _reset(smtp)


def _pipelines(smtp: smtplib.SMTP, sender: str, recipients: list[str]) -> bool:
    smtp.ehlo_or_helo_if_needed()
    pipelined = smtp.does_esmtp and smtp.has_extn("pipelining")
    return bool(pipelined) and all(a.isascii() for a in (sender, *recipients))


def _envelope(smtp: smtplib.SMTP, sender: str, recipients: list[str], data: bytes) -> bytes:
    """MAIL, RCPT and DATA as ``smtplib`` writes them, in one piece."""
    size = f" size={len(data)}" if smtp.has_extn("size") else ""
    commands = [f"mail FROM:{_quoted(sender)}{size}"]
    commands += [f"rcpt TO:{_quoted(recipient)}" for recipient in recipients]
    if any("\r" in c or "\n" in c for c in commands):
        raise ValueError("command and arguments contain prohibited newline characters")
    return "".join(f"{command}\r\n" for command in (*commands, "data")).encode("ascii")


def _envelope_answers(smtp: smtplib.SMTP, sender: str, recipients: list[str]) -> None:
    """Read the answers to ``_envelope`` (the server answers every command of the group,
    in order): return at DATA's 354, else raise what ``smtplib.sendmail`` raises for
    those answers, the transaction reset."""
    code, answer = smtp.getreply()
    if _closed(smtp, code):
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for recipient in recipients:
        rcpt_code, rcpt_answer = smtp.getreply()
        if rcpt_code not in (250, 251):
            refused[recipient] = (rcpt_code, rcpt_answer)
        if _closed(smtp, rcpt_code):
            raise smtplib.SMTPRecipientsRefused(refused)
    data_code, data_answer = smtp.getreply()
    nobody = len(refused) == len(recipients)
    if data_code == 354 and (code != 250 or nobody):
        # A server that took DATA anyway: end the message empty, then start over.
        smtp.send(b".\r\n")
        data_code, data_answer = smtp.getreply()
    if code != 250:
        _reset(smtp)
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    if nobody:
        _reset(smtp)
        raise smtplib.SMTPRecipientsRefused(refused)
    if data_code != 354:
        _give_up(smtp, data_code)
        raise smtplib.SMTPDataError(data_code, data_answer)


def _text(data: bytes) -> bytes:
    """The message as DATA sends it: periods doubled, the final dot."""
    quoted = _PERIODS.sub(b"..", data)
    return quoted + (b".\r\n" if quoted.endswith(b"\r\n") else b"\r\n.\r\n")


def _text_answer(smtp: smtplib.SMTP, *, reset: bool = True) -> None:
    """The answer to the message's text. ``reset``: RSET after a refusal as ``smtplib``
    does (not when the next envelope is already on its way: its answers come first, and
    the refusal ended the transaction anyway)."""
    code, answer = smtp.getreply()
    if code != 250:
        if not _closed(smtp, code) and reset:
            _reset(smtp)
        raise smtplib.SMTPDataError(code, answer)


def sendmail(smtp: smtplib.SMTP, sender: str, recipients: list[str], data: bytes) -> None:
    """``smtp.sendmail(sender, recipients, data)``, the envelope pipelined when the server
    allows it: the message goes to the recipients accepted, an error when none was."""
    if not _pipelines(smtp, sender, recipients):
        smtp.sendmail(sender, recipients, data)
        return
    smtp.send(_envelope(smtp, sender, recipients, data))
    _envelope_answers(smtp, sender, recipients)
    smtp.send(_text(data))
    _text_answer(smtp)


Done = Callable[[Exception | None], None]
# The server's refusals: the connection stays in step (unless the answer was 421).
REFUSALS = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


class Stream:
    """Messages one after the other on one connection, each message's envelope written
    with the previous message's text: one write and one wait per message instead of two.
    RFC 2920 lets the text end a group of commands; the server answers it, then the
    envelope that follows. ``send`` starts a message and ``finish`` ends the one held at
    DATA; each message's ``done`` gets None or what ``sendmail`` would have raised, in
    order, perhaps during the next ``send``. A server without PIPELINING gets
    ``sendmail``. After an error other than a refusal the connection is out of step:
    ``broken``, and every message still open on it gets that error."""

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp
        self.held: tuple[bytes, Done] | None = None  # answered 354, its text not written
        self.broken = False

    def send(self, sender: str, recipients: list[str], data: bytes, done: Done) -> None:
        held, self.held = self.held, None
        try:
            pipelines = _pipelines(self.smtp, sender, recipients)
        except Exception as exc:  # noqa: BLE001 (the connection's error, for both)
            self._break(exc, held, done)
            return
        if not pipelines:
            self._end(held)
            self._alone(sender, recipients, data, done)
            return
        try:
            envelope = _envelope(self.smtp, sender, recipients, data)
            self.smtp.send((_text(held[0]) if held else b"") + envelope)
            if held is not None:
                self._answer(held[1], reset=False)
                held = None
            _envelope_answers(self.smtp, sender, recipients)
        except REFUSALS as exc:  # the server's answer: the stream goes on
            done(exc)
            self.broken = self.smtp.sock is None
            return
        except Exception as exc:  # noqa: BLE001 (socket errors and the like)
            self._break(exc, held, done)
            return
        self.held = (data, done)

    def finish(self) -> None:
        """Write the text of the message held at DATA (nothing else to go with it)."""
        held, self.held = self.held, None
        self._end(held)

    def _end(self, held: tuple[bytes, Done] | None) -> None:
        if held is None:
            return
        try:
            self.smtp.send(_text(held[0]))
        except Exception as exc:  # noqa: BLE001
            self._break(exc, held)
            return
        self._answer(held[1])

    def _answer(self, done: Done, *, reset: bool = True) -> None:
        try:
            _text_answer(self.smtp, reset=reset)
        except REFUSALS as exc:
            done(exc)
            self.broken = self.smtp.sock is None
        except Exception as exc:  # noqa: BLE001
            self._break(exc, None, done)
        else:
            done(None)

    def _alone(self, sender: str, recipients: list[str], data: bytes, done: Done) -> None:
        try:
            sendmail(self.smtp, sender, recipients, data)
        except REFUSALS as exc:
            done(exc)
            self.broken = self.smtp.sock is None
        except Exception as exc:  # noqa: BLE001
            self._break(exc, None, done)
        else:
            done(None)

    def _break(self, exc: Exception, held: tuple[bytes, Done] | None, *done: Done) -> None:
        self.broken = True
        for callback in ([held[1]] if held else []) + list(done):
            callback(exc)
