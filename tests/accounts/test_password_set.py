"""The set-password link of an invited user: signed, expiring, working once; the
password policy's messages in his language; on success he is signed in at home."""

import pytest
from django.contrib.auth import get_user

from panorama.accounts.models import Role, User
from panorama.accounts.services import user_create, user_password_link
from panorama.core.exceptions import PermissionDenied
from panorama.core.models import AuditEvent

from ..factories import UserFactory

pytestmark = pytest.mark.django_db
GOOD = "Lince-ibérico-2026"


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", role=Role.ADMIN)


@pytest.fixture
def invited(boss):
    return user_create(by=boss, username="lucia", email="lucia@example.com", language="es")


def test_the_administrator_gets_a_link_on_the_users_page(client, boss, invited):
    client.force_login(boss)
    page = client.get(f"/settings/users/{invited.pk}/").content.decode()
    assert "Invited: no password yet" in page
    r = client.post(f"/settings/users/{invited.pk}/password-link/")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    assert "http://testserver/accounts/password/set/" in r.content.decode()
    assert AuditEvent.objects.filter(kind="user_changed", detail__link="set_password").exists()


def test_only_an_administrator_makes_a_link(client, rep, invited):
    with pytest.raises(PermissionDenied):
        user_password_link(by=rep, user=invited)
    client.force_login(rep)
    assert client.post(f"/settings/users/{invited.pk}/password-link/").status_code == 403


def test_the_invited_user_sets_his_password_and_lands_home_signed_in(client, boss, invited):
    link = user_password_link(by=boss, user=invited)
    page = client.get(link)
    assert page.status_code == 200
    assert "Elija su contraseña" in page.content.decode()  # his language, not signed in
    r = client.post(link, {"new_password1": GOOD, "new_password2": GOOD})
    assert r.status_code == 302 and r["Location"] == "/"
    assert get_user(client).pk == invited.pk
    assert User.objects.get(pk=invited.pk).check_password(GOOD)


def test_the_policy_speaks_his_language_and_nothing_is_set(client, boss, invited):
    link = user_password_link(by=boss, user=invited)
    r = client.post(link, {"new_password1": "lucia", "new_password2": "lucia"})
    assert r.status_code == 422
    text = r.content.decode()
    assert "La contraseña es demasiado corta" in text
    assert not User.objects.get(pk=invited.pk).has_usable_password()
    r = client.post(link, {"new_password1": GOOD, "new_password2": GOOD + "x"})
    assert r.status_code == 422 and "Las dos contraseñas nuevas no coinciden" in r.content.decode()


def test_a_used_link_gets_a_clear_page(client, boss, invited):
    link = user_password_link(by=boss, user=invited)
    client.post(link, {"new_password1": GOOD, "new_password2": GOOD})
    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "This link no longer works" in again.content.decode()
    assert client.post(link, {"new_password1": "x", "new_password2": "x"}).status_code == 410


def test_an_expired_or_tampered_link_gets_the_same_page(client, boss, invited, settings):
    link = user_password_link(by=boss, user=invited)
    assert client.get(link[:-3] + "abc/").status_code == 410
    assert client.get("/accounts/password/set/zzzz/abc-def/").status_code == 410
    assert client.get("/accounts/password/set/OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc/").status_code == 410
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link already expired
    assert client.get(link).status_code == 410


def test_a_deactivated_user_gets_no_link(boss, invited):
    from panorama.accounts.services import user_deactivate
    from panorama.core.exceptions import ValidationFailed

    link = user_password_link(by=boss, user=invited)
    user_deactivate(by=boss, user=invited)
    with pytest.raises(ValidationFailed):
        user_password_link(by=boss, user=invited)
    from django.test import Client

    assert Client().get(link).status_code == 410
