"""API tokens (service and ``panorama token`` command), what the API answers to a bad
or revoked one, and the audit log of sign-ins and tokens."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from panorama.accounts.models import ApiToken, Role
from panorama.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from panorama.core.exceptions import PermissionDenied
from panorama.core.models import AuditEvent
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_401(response) -> None:
    assert response.status_code == 401, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "unauthenticated" and "Bearer" in body["detail"]


# --- the service ------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(rep):
    token, key = api_token_create(user=rep, name="laptop")

    assert key.startswith("pan_") and len(key) > 40
    assert token.prefix == key[:12]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(value) for value in stored.values()}
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_CREATED)
    assert event.user == rep and event.detail == {"token": token.prefix, "name": "laptop"}


def test_a_token_opens_the_api_as_its_user_and_records_its_use(client, rep):
    mine = CustomerFactory(owner=rep)
    CustomerFactory()  # someone else's
    token, key = api_token_create(user=rep)

    response = client.get("/api/v1/customers", headers=bearer(key))

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [mine.pk]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_gets_401_and_the_users_other_tokens_still_work(client, rep):
    old, old_key = api_token_create(user=rep, name="old")
    _new, new_key = api_token_create(user=rep, name="new")

    api_token_revoke(token=old)

    assert_401(client.get("/api/v1/customers", headers=bearer(old_key)))
    assert client.get("/api/v1/customers", headers=bearer(new_key)).status_code == 200
    assert api_token_authenticate(key=old_key) is None
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_REVOKED)
    assert event.user == rep and event.detail == {"token": old.prefix}


def test_only_the_owner_or_an_administrator_may_revoke_a_token(client, rep):
    token, key = api_token_create(user=rep, name="laptop")
    colleague = UserFactory(role=Role.SALES_MANAGER)

    with pytest.raises(PermissionDenied, match="Only an administrator can revoke another"):
        api_token_revoke(token=token, by=colleague)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get("/api/v1/customers", headers=bearer(key)).status_code == 200
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TOKEN_REVOKED).exists()

    api_token_revoke(token=token, by=rep)
    assert_401(client.get("/api/v1/customers", headers=bearer(key)))
    for admin in (UserFactory(role=Role.ADMIN), UserFactory(is_superuser=True)):
        other, other_key = api_token_create(user=rep, name="phone")
        api_token_revoke(token=other, by=admin)
        assert_401(client.get("/api/v1/customers", headers=bearer(other_key)))


def test_the_token_of_a_deactivated_user_gets_401(client, rep):
    _token, key = api_token_create(user=rep)
    rep.is_active = False
    rep.save()

    assert_401(client.get("/api/v1/customers", headers=bearer(key)))


BAD_HEADERS = [
    "",
    "Bearer",
    "Bearer ",
    "Bearer  ",
    "Bearer pan_",
    "Bearer pan_not-a-real-token",
    "Bearer not-a-panorama-token",
    "Bearer pan_ñandú",
    "Bearer pan_\x00",
    "Bearer " + "pan_" + "x" * 10_000,
    "Bearer pan_a pan_b",
    "Basic cmVwOnNlY3JldC1wYXNzLTEyMw==",  # rep's real password, wrong scheme
    "Token pan_abc",
    "pan_abc",
    "Bearer\tpan_abc",
]


@pytest.mark.parametrize("header", BAD_HEADERS, ids=repr)
@pytest.mark.parametrize(
    "method, path", [("get", "/api/v1/customers"), ("post", "/api/v1/customers")]
)
def test_a_bad_authorization_header_is_a_401_with_a_message_never_a_500(
    client, rep, header, method, path
):
    response = client.generic(
        method.upper(),
        path,
        data="{}" if method == "post" else "",
        content_type="application/json",
        headers={"Authorization": header},
    )

    assert_401(response)


def test_a_bad_header_is_refused_even_with_a_signed_in_session(client, rep):
    """A header means "authenticate me with this": it is never silently ignored."""
    client.force_login(rep)

    assert client.get("/api/v1/customers").status_code == 200
    assert_401(client.get("/api/v1/customers", headers=bearer("pan_wrong")))


def test_session_writes_to_the_api_need_the_csrf_token_bearer_writes_do_not(rep):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(rep)
    ana = {"first_name": "Ana", "last_name": "Arroyo"}

    forged = browser.post("/api/v1/customers", data=ana, content_type="application/json")
    _token, key = api_token_create(user=rep)
    script = Client(enforce_csrf_checks=True).post(
        "/api/v1/customers", data=ana, content_type="application/json", headers=bearer(key)
    )

    assert_401(forged)
    assert script.status_code == 201


# --- the ``panorama token`` command -----------------------------------------------------


def test_the_command_creates_lists_and_revokes_a_token(client):
    UserFactory(username="maria")

    key = run("token", "create", "maria", name="laptop").strip()
    assert client.get("/api/v1/customers", headers=bearer(key)).status_code == 200
    listing = run("token", "list", "maria")
    assert key[:12] in listing and "laptop" in listing and "active" in listing
    assert key not in listing

    assert "Revoked" in run("token", "revoke", key[:12])

    assert "revoked" in run("token", "list", "maria")
    assert_401(client.get("/api/v1/customers", headers=bearer(key)))


def test_the_command_refuses_vague_unknown_or_already_revoked_prefixes():
    UserFactory(username="maria")
    key = run("token", "create", "maria").strip()

    with pytest.raises(CommandError, match="at least 6"):
        run("token", "revoke", "pan_")
    with pytest.raises(CommandError, match="No active token"):
        run("token", "revoke", "pan_zzzzzzzz")
    run("token", "revoke", key[:12])
    with pytest.raises(CommandError, match="No active token"):
        run("token", "revoke", key[:12])


def test_the_command_gives_no_token_to_an_inactive_user():
    UserFactory(username="gone", is_active=False)

    with pytest.raises(CommandError, match="not active"):
        run("token", "create", "gone")
    assert not ApiToken.objects.exists()


# --- the audit log of signing in and out ------------------------------------------------


def test_signing_in_and_out_is_audited_with_user_and_address(client):
    user = UserFactory(username="lucia", role=Role.SALES_REP)

    signed_in = client.post(
        reverse("accounts:login"),
        {"username": "lucia", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    client.post(reverse("accounts:logout"), REMOTE_ADDR="203.0.113.7")

    assert signed_in.status_code == 302
    events = list(AuditEvent.objects.order_by("id").values_list("kind", "user", "ip_address"))
    assert events == [("login", user.pk, "203.0.113.7"), ("logout", user.pk, "203.0.113.7")]


def test_a_failed_sign_in_is_audited_without_the_password(client):
    UserFactory(username="lucia")

    response = client.post(
        reverse("accounts:login"), {"username": "lucia", "password": "guess-1234"}
    )

    assert response.status_code == 200  # the form again, with its error
    event = AuditEvent.objects.get()
    assert (event.kind, event.user, event.username) == ("login_failed", None, "lucia")
    assert "guess-1234" not in str(event.detail)
