"""A private Dovecot IMAP server on loopback, for the tests and the bench.

Debian's ``dovecot-imapd`` (``make dovecot`` installs it) started from a configuration
written into a temporary folder: nothing system-wide is touched, no systemd. It runs as
root with Dovecot's own unprivileged users (``dovecot``, ``dovenull``), as the package
creates them. See docs/architecture.md, "E-mail in"."""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = {uid}
mail_location = maildir:{dir}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={dir}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
"""


def available() -> bool:
    """Dovecot is installed and we may start it (it needs root to switch users)."""
    if not os.path.exists(DOVECOT) or os.geteuid() != 0:
        return False
    try:
        pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
    except KeyError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    """``with Dovecot(users={"agent@example.com": "secret"}) as server:`` then
    ``server.append(user, raw)``; ``server.port`` is its IMAP port."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = dict(users)
        self.port = 0
        self.dir = Path()

    def __enter__(self) -> "Dovecot":
        self.dir = Path(tempfile.mkdtemp(prefix="panorama-dovecot-"))
        os.chmod(self.dir, 0o755)  # noqa: S103 (dovecot's own users must reach the folder)
        owner = pwd.getpwnam("dovecot")
        for sub in ("run", "state", "mail"):
            (self.dir / sub).mkdir()
        os.chown(self.dir / "mail", owner.pw_uid, owner.pw_gid)
        (self.dir / "users").write_text(
            "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in self.users.items())
        )
        self.port = _free_port()
        (self.dir / "dovecot.conf").write_text(
            CONFIG.format(dir=self.dir, port=self.port, uid=min(owner.pw_uid, 100))
        )
        subprocess.run([DOVECOT, "-c", str(self.dir / "dovecot.conf")], check=True)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def __exit__(self, *exc) -> None:
        subprocess.run(  # noqa: S603 (our own binary and config)
            [DOVECOT, "-c", str(self.dir / "dovecot.conf"), "stop"], check=False
        )
        pid_file = self.dir / "run" / "master.pid"
        deadline = time.monotonic() + 5
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, user: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(user, self.users[user])
        return imap

    def append(self, user: str, *messages: bytes, folder: str = "INBOX") -> None:
        """Deliver messages with IMAP APPEND, as a mail client would file them."""
        imap = self.client(user)
        try:
            for raw in messages:
                answer = imap.append(folder, None, None, raw)  # type: ignore[arg-type]
                if answer[0] != "OK":
                    raise RuntimeError(f"APPEND failed: {answer[1]!r}")
        finally:
            imap.logout()

    def recreate_folder(self, user: str, folder: str = "Cases") -> None:
        """Delete and create ``folder`` again: the server gives it a new UIDVALIDITY."""
        imap = self.client(user)
        try:
            imap.delete(folder)
            imap.create(folder)
        finally:
            imap.logout()
