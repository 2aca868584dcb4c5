"""Saved views shared with one team: a tab for its members and managers (and its owner),
never for a member of another team; the owner shares his own, through the service, the
page behind the *Views* menu and the API."""

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import ValidationFailed
from panorama.core.lists.selectors import saved_views_for
from panorama.core.lists.services import saved_view_create, saved_view_update
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def madrid(db):
    return TeamFactory(name="Madrid")


@pytest.fixture
def sevilla(db):
    return TeamFactory(name="Sevilla")


@pytest.fixture
def owner(madrid):
    return UserFactory(username="owner", role=Role.SALES_REP, teams=[madrid])


def _tabs(client, user):
    client.force_login(user)
    response = client.get("/customers/")
    return [tab.view.name for tab in response.context["list"].tabs.tabs], response


def test_a_view_shared_with_a_team_is_a_tab_for_its_members_and_managers_only(
    client, owner, madrid, sevilla
):
    view = saved_view_create(
        by=owner, list_name="customers", name="Madrid prospects", query="status=prospect"
    )
    view = saved_view_update(by=owner, view=view, team_id=madrid.pk)
    assert view.team == madrid

    colleague = UserFactory(username="colleague", role=Role.SALES_REP, teams=[madrid])
    manager = UserFactory(username="boss", role=Role.SALES_MANAGER)
    manager.managed_teams.add(madrid)
    stranger = UserFactory(username="stranger", role=Role.SALES_REP, teams=[sevilla])

    names, response = _tabs(client, colleague)
    assert names == ["Madrid prospects"]
    page = response.content.decode()
    assert "shared with Madrid" in page
    assert _tabs(client, manager)[0] == ["Madrid prospects"]
    assert _tabs(client, stranger)[0] == []
    assert client.get(f"/customers/?view={view.pk}").context["list"].tabs.current is None
    assert saved_views_for(user=stranger, list_name="customers") == []
    # Only its owner changes it: the colleague sees it but gets no "Share" nor "Delete".
    client.force_login(colleague)
    drawn = client.get(f"/customers/?view={view.pk}")
    assert drawn.context["list"].tabs.current == view
    assert f"/ui/views/{view.pk}/share/" not in drawn.content.decode()
    assert client.get(f"/ui/views/{view.pk}/share/").status_code == 403


def test_the_owner_shares_his_view_from_the_views_menu(client, owner, madrid, sevilla):
    view = saved_view_create(by=owner, list_name="customers", name="Mine", query="kind=person")
    client.force_login(owner)
    menu = client.get(f"/customers/?view={view.pk}").content.decode()
    assert f"/ui/views/{view.pk}/share/" in menu
    form = client.get(f"/ui/views/{view.pk}/share/").content.decode()
    assert "Madrid" in form and "Sevilla" not in form  # only a team he is in

    response = client.post(f"/ui/views/{view.pk}/", {"list": "customers", "team": madrid.pk})
    assert response.status_code == 302
    view.refresh_from_db()
    assert view.team == madrid and view.query == "kind=person"  # its rows unchanged

    refused = client.post(
        f"/ui/views/{view.pk}/", {"list": "customers", "team": sevilla.pk}, follow=True
    )
    assert "only with a team you belong to or manage" in refused.content.decode()
    view.refresh_from_db()
    assert view.team == madrid

    client.post(f"/ui/views/{view.pk}/", {"list": "customers", "team": ""})
    view.refresh_from_db()
    assert view.team is None


def test_the_team_is_checked_by_the_service_and_taken_by_the_api(
    api_as, owner, madrid, sevilla, admin_user
):
    with pytest.raises(ValidationFailed) as refused:
        saved_view_create(by=owner, list_name="customers", name="X", query="", team_id=sevilla.pk)
    assert refused.value.field == "team"
    with pytest.raises(ValidationFailed):
        saved_view_create(
            by=admin_user, list_name="customers", name="Y", query="", shared=True, team_id=madrid.pk
        )

    api = api_as(owner)
    created = api.post(
        "/views", json={"list": "customers", "name": "Team view", "team_id": madrid.pk}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["team_id"] == madrid.pk
    renamed = api.patch(f"/views/{body['id']}", json={"name": "Renamed"})
    assert renamed.json()["team_id"] == madrid.pk  # absent: left as it is
    assert api.patch(f"/views/{body['id']}", json={"team_id": sevilla.pk}).status_code == 422

    stranger = UserFactory(username="stranger", role=Role.SALES_REP, teams=[sevilla])
    assert api_as(stranger).get("/views?list=customers").json() == []
    colleague = UserFactory(username="colleague", role=Role.SALES_REP, teams=[madrid])
    assert [v["name"] for v in api_as(colleague).get("/views?list=customers").json()] == ["Renamed"]
    assert api.patch(f"/views/{body['id']}", json={"team_id": None}).json()["team_id"] is None
    assert api_as(colleague).get("/views?list=customers").json() == []
