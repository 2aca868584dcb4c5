"""The administration screens (/settings/): administrators only, lists of a fixed
number of queries, forms through the services."""

import pytest

from panorama.accounts.models import ApiToken, Role, Team, User
from panorama.accounts.services import api_token_authenticate
from panorama.core.models import AuditEvent
from panorama.core.services import audit_record

from ..factories import CustomFieldDefinitionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/settings/users/",
    "/settings/teams/",
    "/settings/tokens/",
    "/settings/custom-fields/",
    "/settings/audit/",
]


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", role=Role.ADMIN)


@pytest.fixture
def as_boss(client, boss):
    client.force_login(boss)
    return client


def _pages(boss, team):
    token = ApiToken.objects.create(user=boss, name="t", prefix="pan_x", key_hash="h")
    field = CustomFieldDefinitionFactory()
    return [
        *LISTS,
        "/settings/users/new/",
        f"/settings/users/{boss.pk}/",
        "/settings/teams/new/",
        f"/settings/teams/{team.pk}/",
        "/settings/tokens/new/",
        f"/settings/tokens/{token.pk}/",
        "/settings/custom-fields/new/",
        f"/settings/custom-fields/{field.pk}/",
    ]


def test_an_administrator_opens_every_screen_from_the_sidebar(as_boss, boss, team):
    for url in _pages(boss, team):
        response = as_boss.get(url)
        assert response.status_code == 200, url
    sidebar = as_boss.get("/settings/users/").content.decode()
    for url in LISTS:
        assert f'href="{url}"' in sidebar


def test_a_rep_gets_403_on_every_screen_and_no_settings_group(client, rep, boss, team):
    pages = _pages(boss, team)
    client.force_login(rep)
    for url in pages:
        assert client.get(url).status_code == 403, url
    for url in (f"/settings/users/{boss.pk}/", f"/settings/users/{boss.pk}/active/"):
        assert client.post(url, {"role": "sales_rep", "active": "0"}).status_code == 403, url
    boss.refresh_from_db()
    assert boss.is_active and boss.role == Role.ADMIN
    home = client.get("/customers/").content.decode()
    assert "/settings/users/" not in home and "/settings/audit/" not in home


@pytest.mark.parametrize("url", LISTS)
def test_each_list_costs_the_same_queries_whatever_its_rows(
    as_boss, url, django_assert_max_num_queries
):
    def grow(n):
        teams = [TeamFactory() for _ in range(n)]
        for _ in range(n):
            user = UserFactory(teams=teams[:2], managed_teams=teams[:1])
            ApiToken.objects.create(
                user=user, name="t", prefix=f"pan_{user.pk}", key_hash=user.username
            )
            CustomFieldDefinitionFactory()
            audit_record(kind="login", user=user)

    grow(3)
    as_boss.get(url)  # the bounded total is cached from here
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert as_boss.get(url).status_code == 200
    grow(30)
    as_boss.get(url)
    with CaptureQueriesContext(connection) as many:
        assert as_boss.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 12


def test_users_are_filtered_by_status_role_and_team(as_boss, rep, team):
    UserFactory(username="old", is_active=False)
    UserFactory(username="ana", role=Role.ANALYST)
    page = as_boss.get("/settings/users/?active=off").content.decode()
    assert ">old<" in page and ">rep<" not in page
    page = as_boss.get(f"/settings/users/?team={team.pk}").content.decode()
    assert ">rep<" in page and ">ana<" not in page
    page = as_boss.get("/settings/users/?role=analyst").content.decode()
    assert ">ana<" in page and ">rep<" not in page


def test_create_a_user_then_change_his_role_and_teams(as_boss, team):
    response = as_boss.post(
        "/settings/users/new/",
        {"username": "ana", "role": "sales_rep", "teams": [team.pk], "email": "ana@example.com"},
    )
    ana = User.objects.get(username="ana")
    assert response.status_code == 302 and response["Location"] == f"/settings/users/{ana.pk}/"
    response = as_boss.post(
        f"/settings/users/{ana.pk}/",
        {
            "role": "sales_manager",
            "teams": [team.pk],
            "managed_teams": [team.pk],
            "email": "ana@example.com",
        },
    )
    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.role == Role.SALES_MANAGER and list(ana.managed_teams.all()) == [team]


def test_a_refused_change_shows_the_service_message_on_the_field(as_boss, boss):
    response = as_boss.post(f"/settings/users/{boss.pk}/", {"role": "sales_rep"})
    assert response.status_code == 422
    assert "last active administrator" in response.content.decode()


def test_deactivating_oneself_is_refused_with_a_message(as_boss, boss):
    UserFactory(username="second", role=Role.ADMIN)
    response = as_boss.post(f"/settings/users/{boss.pk}/active/", {"active": "0"}, follow=True)
    assert "You cannot deactivate yourself." in response.content.decode()
    boss.refresh_from_db()
    assert boss.is_active


def test_deactivate_and_reactivate_a_user(as_boss, rep):
    as_boss.post(f"/settings/users/{rep.pk}/active/", {"active": "0"})
    rep.refresh_from_db()
    assert not rep.is_active
    as_boss.post(f"/settings/users/{rep.pk}/active/", {"active": "1"})
    rep.refresh_from_db()
    assert rep.is_active


def test_create_and_edit_a_team(as_boss, rep):
    response = as_boss.post("/settings/teams/new/", {"name": "Norte", "members": [rep.pk]})
    assert response.status_code == 302
    north = Team.objects.get(name="Norte")
    assert list(north.members.all()) == [rep]
    as_boss.post(f"/settings/teams/{north.pk}/", {"name": "Norte+", "managers": [rep.pk]})
    north.refresh_from_db()
    assert north.name == "Norte+" and list(north.managers.all()) == [rep]
    assert list(north.members.all()) == []  # the form sends the whole set
    taken = as_boss.post("/settings/teams/new/", {"name": "norte+"})
    assert taken.status_code == 422


def test_a_token_secret_is_shown_once_and_the_token_revoked(as_boss, rep):
    response = as_boss.post("/settings/tokens/new/", {"user": rep.pk, "name": "ERP"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    token = ApiToken.objects.get(name="ERP")
    key = page.split("data-token-secret")[0].rsplit('value="', 1)[1].split('"')[0]
    assert api_token_authenticate(key=key) == rep
    detail = as_boss.get(f"/settings/tokens/{token.pk}/").content.decode()
    assert key not in detail and token.prefix in detail
    as_boss.post(f"/settings/tokens/{token.pk}/")
    assert api_token_authenticate(key=key) is None


def test_tokens_filtered_by_status_and_owner(as_boss, boss, rep):
    ApiToken.objects.create(user=boss, name="mine-token", prefix="pan_a", key_hash="a")
    ApiToken.objects.create(user=rep, name="his-token", prefix="pan_b", key_hash="b")
    page = as_boss.get("/settings/tokens/?owner=me").content.decode()
    assert "mine-token" in page and "his-token" not in page
    page = as_boss.get("/settings/tokens/?status=off").content.decode()
    assert "mine-token" not in page


def test_the_audit_log_filters_by_kind_and_pages_by_keyset(as_boss, rep):
    for n in range(60):
        audit_record(kind="login", user=rep, n=n)
    audit_record(kind="export", user=rep, file="customers.csv")
    page = as_boss.get("/settings/audit/?kind=export").content.decode()
    assert "customers.csv" in page and "n:</span> 5" not in page
    first = as_boss.get("/settings/audit/?kind=login").content.decode()
    assert "n:</span> 59" in first and "n:</span> 0<" not in first
    assert "cursor=" in first  # load more: the next keyset page
    cursor = first.split("cursor=")[1].split('"')[0].split("&")[0]
    more = as_boss.get(
        f"/settings/audit/?kind=login&cursor={cursor}", headers={"HX-Request": "true"}
    ).content.decode()
    assert "n:</span> 0<" in more and "n:</span> 59" not in more


def test_the_audit_log_records_what_the_screens_do(as_boss, rep):
    as_boss.post(f"/settings/users/{rep.pk}/active/", {"active": "0"})
    page = as_boss.get("/settings/audit/?kind=user_deactivated").content.decode()
    assert "boss" in page and "rep" in page
    assert AuditEvent.objects.filter(kind="user_deactivated").count() == 1


def test_the_palette_offers_new_user_to_administrators_only(client, boss, rep):
    client.force_login(boss)
    html = client.get("/ui/palette/", {"q": "invite"}, headers={"HX-Request": "true"})
    assert 'data-href="/settings/users/new/"' in html.content.decode()
    client.force_login(rep)
    html = client.get("/ui/palette/", {"q": "invite"}, headers={"HX-Request": "true"})
    assert "/settings/users/new/" not in html.content.decode()
