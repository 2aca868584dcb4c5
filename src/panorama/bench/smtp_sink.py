"""A counting SMTP server in a process of its own, for the bench's campaign figure.

A company's mail server is never inside the process that sends: run in the sender's
process, aiosmtpd's thread takes the GIL for each of the four round trips of every
message, and the figure measured that contention more than the sending. Run as
``python -m panorama.bench.smtp_sink PORT``: it prints ``ready``, answers a ``count``
line on its standard input with the number of messages received, and stops at the end
of its input. It advertises PIPELINING (RFC 2920) as Postfix, Exim and Exchange do:
aiosmtpd answers pipelined commands in order but does not say so itself."""

import sys

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname  # what aiosmtpd does without this hook
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.count += 1
        return "250 OK"


def main() -> None:
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "count":
                print(handler.count, flush=True)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
