"""Every user changes his own password in the web UI; whoever changes it (he, an
administrator in the admin, the command line), his other sessions end and his API tokens
stop working, through the one service ``user_password_change``."""

import pytest
from django.core.management import call_command
from django.test import Client

from panorama.accounts.management.commands.changepassword import Command as ChangePassword
from panorama.accounts.models import ApiToken
from panorama.accounts.services import api_token_create, user_password_change
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.models import AuditEvent
from tests.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD = "secret-pass-123"  # tests.factories.UserFactory's
NEW = "tejado-azul-bajo-la-lluvia"
PAGE = "/accounts/password/"


def signed_in(username, password=OLD) -> Client:
    client = Client()
    reply = client.post("/accounts/login/", {"username": username, "password": password})
    assert reply.status_code == 302, reply.status_code
    return client


def bearer(key) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def change(client, old=OLD, new=NEW, again=None):
    return client.post(
        PAGE,
        {"old_password": old, "new_password1": new, "new_password2": again or new},
        follow=False,
    )


@pytest.fixture
def lucia(db):
    return UserFactory(username="lucia")


def test_the_user_menu_links_to_the_password_page(lucia):
    client = signed_in("lucia")
    page = client.get("/customers/").content.decode()

    assert f'href="{PAGE}"' in page
    form = client.get(PAGE)
    assert form.status_code == 200
    assert "at least 12 characters" in form.content.decode()


def test_changing_his_password_keeps_this_session_and_ends_the_others(lucia):
    here, elsewhere = signed_in("lucia"), signed_in("lucia")

    done = change(here)

    assert done.status_code == 302
    followed = here.get(done["Location"])
    assert followed.status_code == 200
    assert "Your password was changed" in followed.content.decode()
    assert here.get("/customers/").status_code == 200  # still signed in here
    kicked = elsewhere.get("/customers/")
    assert kicked.status_code == 302 and kicked["Location"].startswith("/accounts/login/")
    assert Client().login(username="lucia", password=NEW)
    assert not Client().login(username="lucia", password=OLD)


def test_his_api_tokens_stop_working_and_he_is_told(lucia):
    _token, key = api_token_create(user=lucia)
    api = Client()
    assert api.get("/api/v1/customers", **bearer(key)).status_code == 200
    here = signed_in("lucia")

    done = change(here)

    message = here.get(done["Location"]).content.decode()
    assert "Your API token was revoked" in message
    refused = api.get("/api/v1/customers", **bearer(key))
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"
    assert not ApiToken.objects.filter(user=lucia, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(kind="password_changed")
    assert (event.user, event.detail["target"]) == (lucia, "lucia")
    assert event.detail["tokens_revoked"] == [key[:12]]
    assert NEW not in str(event.detail) and OLD not in str(event.detail)


def test_a_weak_new_password_is_refused_and_nothing_changes(lucia):
    _token, key = api_token_create(user=lucia)
    here, elsewhere = signed_in("lucia"), signed_in("lucia")

    refused = change(here, new="Primavera2024!")

    assert refused.status_code == 422
    assert "list of leaked passwords" in refused.content.decode()
    lucia.refresh_from_db()
    assert lucia.check_password(OLD)
    assert elsewhere.get("/customers/").status_code == 200
    assert Client().get("/api/v1/customers", **bearer(key)).status_code == 200
    assert not AuditEvent.objects.filter(kind="password_changed").exists()


def test_the_two_new_passwords_must_match(lucia):
    refused = change(signed_in("lucia"), again=NEW + "x")

    assert refused.status_code == 422
    assert "The two new passwords differ." in refused.content.decode()
    lucia.refresh_from_db()
    assert lucia.check_password(OLD)


def test_guessing_the_current_password_is_throttled_like_a_sign_in(lucia):
    """A session left open is no way around the sign-in throttle."""
    here = signed_in("lucia")
    answers = [change(here, old=f"guess-{n:04d}-xyz").status_code for n in range(6)]

    assert answers == [422] * 5 + [429]
    assert change(here).status_code == 429  # the right one too, until the lock passes
    lucia.refresh_from_db()
    assert lucia.check_password(OLD)
    kinds = list(AuditEvent.objects.values_list("kind", flat=True))
    assert kinds.count("login_failed") == 5 and kinds.count("login_throttled") == 2


def test_the_page_in_spanish(lucia):
    lucia.language = "es"
    lucia.save()
    here = signed_in("lucia")
    api_token_create(user=lucia)

    done = change(here)

    message = here.get(done["Location"]).content.decode()
    assert "Su contraseña se ha cambiado" in message
    assert "Se ha revocado su token de API" in message
    refused = change(here, old=NEW, new="corta")
    assert "La contraseña es demasiado corta" in refused.content.decode()


def test_an_administrator_setting_a_password_in_the_admin_ends_sessions_and_tokens(lucia):
    admin = AdminFactory(username="boss")
    _token, key = api_token_create(user=lucia)
    hers = signed_in("lucia")
    console = Client()
    console.force_login(admin)

    done = console.post(
        f"/admin/accounts/user/{lucia.pk}/password/",
        {"password1": NEW, "password2": NEW, "usable_password": "true"},
    )

    assert done.status_code == 302
    page = console.get(done["Location"]).content.decode()
    assert "1 API token was revoked." in page
    assert hers.get("/customers/").status_code == 302
    assert Client().get("/api/v1/customers", **bearer(key)).status_code == 401
    event = AuditEvent.objects.get(kind="password_changed")
    assert (event.user, event.detail["target"]) == (admin, "lucia")
    assert console.get("/customers/").status_code == 200  # the admin's own session goes on


def test_the_admin_refuses_a_weak_password(lucia):
    console = Client()
    console.force_login(AdminFactory(username="boss"))

    refused = console.post(
        f"/admin/accounts/user/{lucia.pk}/password/",
        {"password1": "123456789012", "password2": "123456789012", "usable_password": "true"},
    )

    assert refused.status_code == 200  # the admin's form again, with the errors
    assert "This password is entirely numeric." in refused.content.decode()
    lucia.refresh_from_db()
    assert lucia.check_password(OLD)


def test_disabling_sign_in_in_the_admin_revokes_the_tokens_too(lucia):
    _token, key = api_token_create(user=lucia)
    console = Client()
    console.force_login(AdminFactory(username="boss"))

    done = console.post(
        f"/admin/accounts/user/{lucia.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )

    assert done.status_code == 302
    lucia.refresh_from_db()
    assert not lucia.has_usable_password()
    assert Client().get("/api/v1/customers", **bearer(key)).status_code == 401


def test_the_command_line_changes_it_through_the_same_service(lucia, monkeypatch):
    _token, key = api_token_create(user=lucia)
    hers = signed_in("lucia")
    monkeypatch.setattr(ChangePassword, "_get_pass", lambda self, prompt="": NEW)

    call_command("changepassword", "lucia")

    lucia.refresh_from_db()
    assert lucia.check_password(NEW)
    assert hers.get("/customers/").status_code == 302
    assert Client().get("/api/v1/customers", **bearer(key)).status_code == 401


def test_only_an_administrator_sets_another_users_password(lucia):
    rep = UserFactory(username="pedro")

    with pytest.raises(PermissionDenied):
        user_password_change(user=lucia, password=NEW, by=rep)
    with pytest.raises(ValidationFailed):
        user_password_change(user=lucia, password="short", by=lucia)
    lucia.refresh_from_db()
    assert lucia.check_password(OLD)
