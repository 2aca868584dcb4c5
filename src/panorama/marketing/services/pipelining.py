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


def sendmail(smtp: smtplib.SMTP, sender: str, recipients: list[str], data: bytes) -> None:
    """``smtp.sendmail(sender, recipients, data)``, the envelope pipelined when the server
    allows it: the message goes to the recipients accepted, an error when none was."""
    smtp.ehlo_or_helo_if_needed()
    pipelined = smtp.does_esmtp and smtp.has_extn("pipelining")
    if not pipelined or not all(a.isascii() for a in (sender, *recipients)):
        smtp.sendmail(sender, recipients, data)
        return
    size = f" size={len(data)}" if smtp.has_extn("size") else ""
    commands = [f"mail FROM:{_quoted(sender)}{size}"]
    commands += [f"rcpt TO:{_quoted(recipient)}" for recipient in recipients]
    if any("\r" in c or "\n" in c for c in commands):
        raise ValueError("command and arguments contain prohibited newline characters")
    smtp.send("".join(f"{command}\r\n" for command in (*commands, "data")))
    # The server answers every command of the group, in order.
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
        _closed(smtp, data_code) or _reset(smtp)
        raise smtplib.SMTPDataError(data_code, data_answer)
    quoted = _PERIODS.sub(b"..", data)
    smtp.send(quoted + (b".\r\n" if quoted.endswith(b"\r\n") else b"\r\n.\r\n"))
    code, answer = smtp.getreply()
    if code != 250:
        _closed(smtp, code) or _reset(smtp)
        raise smtplib.SMTPDataError(code, answer)
