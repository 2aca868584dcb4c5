"""Guessing passwords: failed sign-ins in a row for one username, or from one address, lock
further tries for a while (HTTP 429, audited), whether or not the account exists.

The throttle lives in the database, so both web worker processes see the same counts.
"The window passes" is simulated by moving the stored lock into the past.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import LoginThrottle
from panorama.core.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def sign_in(client, username, password, address="198.51.100.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def let_the_locks_pass():
    """What waiting out every lock does to the stored state."""
    LoginThrottle.objects.filter(locked_until__isnull=False).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )


def test_thirty_wrong_passwords_then_the_right_one_is_refused_until_the_lock_passes(client):
    UserFactory(username="lucia")

    answers = [sign_in(client, "lucia", f"guess-{n:04d}-xyz").status_code for n in range(30)]
    right = sign_in(client, "lucia", PASSWORD)

    # Five tries are checked (the form answers again); every later one is refused unread.
    assert answers == [200] * 5 + [429] * 25
    assert right.status_code == 429
    # A 60-second lock from the fifth failure; the 26 refused requests since take a moment
    # (more on a loaded machine, or measured for coverage).
    assert 55 <= int(right["Retry-After"]) <= 60
    assert "Too many failed sign-in attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session

    let_the_locks_pass()
    assert sign_in(client, "lucia", PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_each_further_failure_doubles_the_lock(client):
    UserFactory(username="lucia")
    for n in range(5):
        sign_in(client, "lucia", f"guess-{n:04d}-xyz")
    waits = []
    for n in range(4):
        let_the_locks_pass()
        assert sign_in(client, "lucia", f"again-{n:04d}-xyz").status_code == 200
        waits.append(int(sign_in(client, "lucia", PASSWORD)["Retry-After"]))

    assert waits == [120, 240, 480, 960]


def test_a_right_password_before_the_limit_ends_the_streak(client):
    UserFactory(username="lucia")
    for n in range(4):
        sign_in(client, "lucia", f"guess-{n:04d}-xyz")

    assert sign_in(client, "lucia", PASSWORD).status_code == 302
    client.logout()
    for n in range(4):  # four new mistakes are allowed again
        assert sign_in(client, "lucia", f"typo-{n:04d}-xyz").status_code == 200
    assert sign_in(client, "lucia", PASSWORD).status_code == 302


def test_many_clients_at_one_account_share_its_limit():
    """80 clients, each from its own address, guess one account's password: only the
    limit's worth are checked, and then the owner is refused too (from yet another
    address), until the lock passes."""
    UserFactory(username="lucia")
    answers = [
        sign_in(Client(), "lucia", f"guess-{n:04d}-xyz", address=f"192.0.2.{n + 1}").status_code
        for n in range(80)
    ]
    owner = Client()

    assert answers.count(200) == 5
    assert answers.count(429) == 75
    assert sign_in(owner, "lucia", PASSWORD, address="203.0.113.50").status_code == 429

    let_the_locks_pass()
    assert sign_in(owner, "lucia", PASSWORD, address="203.0.113.50").status_code == 302


def test_one_address_trying_many_usernames_is_locked_out(client):
    """Password spraying: one wrong password each for many accounts from one address.
    After the address's limit every try from it is refused, even a right password for an
    account nobody attacked; other addresses are not affected."""
    UserFactory(username="marta")
    answers = [
        sign_in(client, f"user{n}", "Primavera2024!", address="198.51.100.9").status_code
        for n in range(25)
    ]

    assert answers == [200] * 20 + [429] * 5
    assert sign_in(client, "marta", PASSWORD, address="198.51.100.9").status_code == 429
    assert sign_in(Client(), "marta", PASSWORD, address="198.51.100.10").status_code == 302


def test_the_refusal_is_the_same_for_an_existing_and_a_missing_account():
    UserFactory(username="lucia")
    answers = {}
    for username, address in (("lucia", "192.0.2.1"), ("nobody-here", "192.0.2.2")):
        for n in range(6):
            response = sign_in(Client(), username, f"guess-{n:04d}-xyz", address=address)
        # The page differs only by the username typed back and the form's CSRF token.
        page = response.content.decode().replace(username, "USERNAME")
        page = re.sub(r'csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", page)
        answers[username] = (response.status_code, response["Retry-After"], page)

    assert answers["lucia"][0] == 429
    assert answers["nobody-here"] == answers["lucia"]


def test_refusals_and_the_failure_that_started_the_lock_are_audited(client):
    UserFactory(username="lucia")
    for n in range(7):
        sign_in(client, "lucia", f"guess-{n:04d}-xyz", address="203.0.113.7")

    events = list(
        AuditEvent.objects.order_by("id").values_list("kind", "username", "ip_address", "detail")
    )
    assert [e[0] for e in events] == ["login_failed"] * 5 + ["login_throttled"] * 2
    assert events[4][3] == {"locked_for": 60}  # the fifth failure started the lock
    kind, username, address, detail = events[-1]
    assert (username, address, detail["scopes"]) == ("lucia", "203.0.113.7", ["account"])
    assert 0 < detail["retry_after"] <= 60
    assert all("guess" not in str(e[3]) for e in events)


def test_the_admin_sign_in_page_is_no_way_around_the_throttle(client):
    """The admin's own sign-in page checks no password: it sends to the main one."""
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for n in range(5):
        sign_in(client, "root", f"guess-{n:04d}-xyz")

    through_admin = sign_in(client, "root", PASSWORD, url=ADMIN_LOGIN)

    assert through_admin.status_code == 302
    assert through_admin["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "root", PASSWORD).status_code == 429


def test_the_message_is_in_spanish_for_a_spanish_browser(client):
    for n in range(6):
        response = client.post(
            LOGIN,
            {"username": "lucia", "password": f"guess-{n:04d}-xyz"},
            HTTP_ACCEPT_LANGUAGE="es",
        )

    assert response.status_code == 429
    assert "Demasiados intentos fallidos" in response.content.decode()


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, settings):
    settings.PANORAMA_PROXY_COUNT = 1
    for n in range(21):
        client.post(
            LOGIN,
            {"username": f"user{n}", "password": "guess"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.9",  # caller-supplied, then the real
        )

    assert LoginThrottle.objects.get(scope="address").key == "198.51.100.9"
    reply = client.post(
        LOGIN,
        {"username": "marta", "password": "guess"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert reply.status_code == 200  # another caller behind the same proxy is not locked
    assert reverse("accounts:login") == LOGIN


@pytest.mark.django_db(transaction=True)
def test_truly_parallel_guesses_never_get_more_tries_than_the_limit():
    """Twenty clients at once, each on its own database connection (as two worker
    processes would be): exactly the limit's worth reach the password check."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared between connections")
    UserFactory(username="lucia")

    def guess(n):
        try:
            return sign_in(Client(), "lucia", f"guess-{n:04d}-xyz", address=f"192.0.2.{n + 1}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = [r.status_code for r in pool.map(guess, range(20))]

    assert sorted(answers) == [200] * 5 + [429] * 15
    assert LoginThrottle.objects.get(scope="account").failures == 5
