"""The rules of staff administration, on every path (the services the screens, the API
and the shell call)."""

import pytest

from panorama.accounts.models import Role
from panorama.accounts.services import (
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
    team_create,
    team_update,
    user_create,
    user_deactivate,
    user_reactivate,
    user_update,
)
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.models import AuditEvent

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    """An administrator by role (not a superuser: the role is what the rules read)."""
    return UserFactory(username="boss", role=Role.ADMIN)


def test_an_administrator_creates_a_user_with_role_and_teams(boss, team):
    user = user_create(
        by=boss,
        username=" ana ",
        email="ana@example.com",
        role=Role.SALES_MANAGER,
        teams=[team],
        managed_teams=[team],
    )
    assert user.username == "ana"
    assert list(user.teams.all()) == [team] and list(user.managed_teams.all()) == [team]
    assert not user.has_usable_password()  # invited: no sign-in until a password is set
    event = AuditEvent.objects.get(kind="user_created")
    assert event.username == "boss" and event.detail["target"] == "ana"


def test_a_username_is_unique_whatever_the_case(boss):
    UserFactory(username="ana")
    with pytest.raises(ValidationFailed) as exc:
        user_create(by=boss, username="ANA")
    assert exc.value.field == "username"


def test_a_bad_email_and_a_weak_password_are_refused_on_their_field(boss):
    with pytest.raises(ValidationFailed) as exc:
        user_create(by=boss, username="ana", email="not-an-address")
    assert exc.value.field == "email"
    with pytest.raises(ValidationFailed) as exc:
        user_create(by=boss, username="ana", password="123")
    assert exc.value.field == "password"


def test_a_rep_may_not_create_change_or_deactivate_users(rep, boss):
    with pytest.raises(PermissionDenied):
        user_create(by=rep, username="x")
    with pytest.raises(PermissionDenied):
        user_update(by=rep, user=rep, changes={"role": Role.ADMIN})
    with pytest.raises(PermissionDenied):
        user_deactivate(by=rep, user=boss)
    rep.refresh_from_db()
    assert rep.role == Role.SALES_REP


def test_role_and_teams_change_and_are_audited(boss, rep):
    madrid, norte = TeamFactory(name="Madrid"), TeamFactory(name="Norte")
    user_update(by=boss, user=rep, changes={"role": Role.SALES_MANAGER, "teams": [madrid, norte]})
    rep.refresh_from_db()
    assert rep.role == Role.SALES_MANAGER
    assert {t.name for t in rep.teams.all()} == {"Madrid", "Norte"}
    event = AuditEvent.objects.get(kind="user_changed")
    assert event.detail["role"] == ["sales_rep", "sales_manager"]


def test_a_field_the_screen_does_not_own_is_refused(boss, rep):
    with pytest.raises(ValidationFailed) as exc:
        user_update(by=boss, user=rep, changes={"is_superuser": True})
    assert exc.value.field == "is_superuser"


def test_the_last_administrator_cannot_be_demoted(boss):
    with pytest.raises(ValidationFailed) as exc:
        user_update(by=boss, user=boss, changes={"role": Role.SALES_REP})
    assert exc.value.field == "role" and "last active administrator" in str(exc.value.message)
    boss.refresh_from_db()
    assert boss.role == Role.ADMIN
    other = UserFactory(username="other", role=Role.ADMIN)
    user_update(by=boss, user=boss, changes={"role": Role.SALES_REP})  # now there is another
    boss.refresh_from_db()
    assert boss.role == Role.SALES_REP
    assert other.role == Role.ADMIN


def test_a_deactivated_administrator_does_not_count(boss):
    UserFactory(username="gone", role=Role.ADMIN, is_active=False)
    with pytest.raises(ValidationFailed):
        user_update(by=boss, user=boss, changes={"role": Role.ANALYST})


def test_nobody_deactivates_himself(boss):
    UserFactory(username="other", role=Role.ADMIN)
    with pytest.raises(ValidationFailed) as exc:
        user_deactivate(by=boss, user=boss)
    assert exc.value.field == "is_active"
    boss.refresh_from_db()
    assert boss.is_active


def test_the_last_administrator_cannot_be_deactivated_by_a_superuser(boss, admin_user):
    admin_user.role = Role.SALES_MANAGER  # a superuser, not an administrator by role
    admin_user.save()
    with pytest.raises(ValidationFailed):
        user_deactivate(by=admin_user, user=boss)


def test_a_deactivated_user_loses_his_tokens_use_and_is_never_deleted(boss, rep):
    _token, key = api_token_issue(by=boss, user=rep, name="ERP")
    assert api_token_authenticate(key=key) == rep
    user_deactivate(by=boss, user=rep)
    rep.refresh_from_db()
    assert rep.is_active is False
    assert api_token_authenticate(key=key) is None
    assert AuditEvent.objects.filter(kind="user_deactivated", detail__target="rep").exists()
    user_reactivate(by=boss, user=rep)
    assert api_token_authenticate(key=key) == rep


def test_teams_are_created_renamed_and_given_members_and_managers(boss, rep):
    manager = UserFactory(username="mgr", role=Role.SALES_MANAGER)
    north = team_create(by=boss, name="Norte")
    team_update(by=boss, team=north, name="Norte y Galicia", members=[rep], managers=[manager])
    north.refresh_from_db()
    assert north.name == "Norte y Galicia"
    assert list(north.members.all()) == [rep] and list(north.managers.all()) == [manager]
    change = AuditEvent.objects.get(kind="team_changed")
    assert change.detail["members"] == [[], ["rep"]]


def test_a_team_is_created_with_its_members_and_managers_in_one_call(boss, rep):
    manager = UserFactory(username="mgr2", role=Role.SALES_MANAGER)
    south = team_create(by=boss, name="Sur", members=[rep], managers=[manager])
    assert list(south.members.all()) == [rep] and list(south.managers.all()) == [manager]


def test_a_team_name_is_unique_and_a_team_cannot_sit_under_itself(boss):
    top = team_create(by=boss, name="Ventas")
    child = team_create(by=boss, name="Ventas Norte", parent=top)
    with pytest.raises(ValidationFailed) as exc:
        team_create(by=boss, name="ventas")
    assert exc.value.field == "name"
    with pytest.raises(ValidationFailed) as exc:
        team_update(by=boss, team=top, parent=child)
    assert exc.value.field == "parent"


def test_a_rep_may_not_manage_teams(rep, team):
    with pytest.raises(PermissionDenied):
        team_create(by=rep, name="Mine")
    with pytest.raises(PermissionDenied):
        team_update(by=rep, team=team, managers=[rep])


def test_only_an_administrator_issues_others_tokens_and_a_name_is_needed(boss, rep):
    with pytest.raises(PermissionDenied):
        api_token_issue(by=rep, user=boss, name="his")
    assert api_token_issue(by=rep, user=rep, name="mine")[0].user == rep
    with pytest.raises(ValidationFailed) as exc:
        api_token_issue(by=boss, user=rep, name="  ")
    assert exc.value.field == "name"
    token, key = api_token_issue(by=boss, user=rep, name="ERP sync")
    assert key.startswith(token.prefix) and token.user == rep


def test_a_revoked_token_stays_revoked_at_its_first_time(boss, rep):
    token, _key = api_token_issue(by=boss, user=rep, name="ERP")
    api_token_revoke(token=token, by=boss)
    first = token.revoked_at
    api_token_revoke(token=token, by=boss)
    assert token.revoked_at == first
    assert AuditEvent.objects.filter(kind="token_revoked").count() == 1


def test_each_write_emits_its_event(boss, team, emitted):
    with emitted() as events:
        ana = user_create(by=boss, username="ana", teams=[team])
        user_update(by=boss, user=ana, changes={"role": Role.ANALYST})
        user_deactivate(by=boss, user=ana)
        user_reactivate(by=boss, user=ana)
        north = team_create(by=boss, name="Norte")
        team_update(by=boss, team=north, members=[ana])
    assert events == [
        (
            "user.created",
            {"user_id": ana.pk, "role": "sales_rep", "team_ids": [team.pk], "by": boss.pk},
        ),
        (
            "user.updated",
            {"user_id": ana.pk, "fields": ["role"], "role": "analyst", "by": boss.pk},
        ),
        ("user.deactivated", {"user_id": ana.pk, "by": boss.pk}),
        ("user.reactivated", {"user_id": ana.pk, "by": boss.pk}),
        ("team.created", {"team_id": north.pk, "parent_id": None, "by": boss.pk}),
        ("team.updated", {"team_id": north.pk, "fields": ["members"], "by": boss.pk}),
    ]


def test_a_change_to_nothing_emits_nothing(boss, rep, emitted):
    with emitted() as events:
        user_update(by=boss, user=rep, changes={"role": rep.role})
    assert events == []


def test_a_token_issued_to_another_user_is_audited_as_the_administrator_s_act(boss, rep):
    token, _key = api_token_issue(by=boss, user=rep, name="ERP")
    event = AuditEvent.objects.get(kind="token_created")
    assert event.username == "boss"
    assert event.detail == {"token": token.prefix, "name": "ERP", "target": "rep"}
