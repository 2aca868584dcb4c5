"""Saved views: a named state of a list, the owner's or shared by an administrator, shown
as tabs; the same rules through the service, the list's buttons and the API."""

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from panorama.core.lists.services import (
    saved_view_create,
    saved_view_delete,
    saved_view_set_default,
    saved_view_update,
)
from panorama.core.models import SavedView
from panorama.customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def other(db):
    return UserFactory(username="other", role=Role.SERVICE_AGENT)


def test_a_view_stores_what_the_list_reads_and_emits_an_event(agent, emitted):
    with emitted() as events:
        view = saved_view_create(
            by=agent,
            list_name="customers",
            name="  Prospects  ",
            query="?status=prospect&bogus=1&sort=name&rows=200&view=3&cols=name,phone",
        )
    assert view.name == "Prospects"
    # Unknown parameters, defaults, the row count and the view itself are not state.
    assert view.query == "status=prospect&cols=name%2Cphone"
    assert events == [
        (
            "saved_view.created",
            {
                "view_id": view.pk,
                "list_name": "customers",
                "shared": False,
                "team_id": None,
                "by": agent.pk,
            },
        )
    ]


def test_bad_names_and_lists_are_clear_errors_and_nothing_is_saved(agent):
    with pytest.raises(ValidationFailed) as empty:
        saved_view_create(by=agent, list_name="customers", name="  ", query="")
    assert empty.value.field == "name"
    with pytest.raises(ValidationFailed) as long:
        saved_view_create(by=agent, list_name="customers", name="x" * 61, query="")
    assert long.value.field == "name"
    with pytest.raises(ValidationFailed) as unknown:
        saved_view_create(by=agent, list_name="nope", name="A", query="")
    assert unknown.value.field == "list"
    saved_view_create(by=agent, list_name="customers", name="A", query="")
    with pytest.raises(ValidationFailed) as twice:
        saved_view_create(by=agent, list_name="customers", name="A", query="kind=person")
    assert "already have a view with this name" in twice.value.message
    assert SavedView.objects.count() == 1


def test_only_administrators_share_and_change_shared_views(agent, admin_user):
    with pytest.raises(PermissionDenied):
        saved_view_create(by=agent, list_name="customers", name="All", query="", shared=True)
    shared = saved_view_create(
        by=admin_user, list_name="customers", name="Team", query="", shared=True
    )
    with pytest.raises(PermissionDenied):
        saved_view_update(by=agent, view=shared, name="Mine now")
    with pytest.raises(PermissionDenied):
        saved_view_delete(by=agent, view=shared)
    own = saved_view_create(by=agent, list_name="customers", name="Mine", query="")
    with pytest.raises(PermissionDenied):
        saved_view_update(by=agent, view=own, shared=True)
    saved_view_update(by=agent, view=own, name="Renamed", query="kind=organisation")
    own.refresh_from_db()
    assert (own.name, own.query, own.shared) == ("Renamed", "kind=organisation", False)


def test_tabs_show_own_and_shared_views_never_another_users(client, agent, other, admin_user):
    saved_view_create(by=agent, list_name="customers", name="Mine", query="status=prospect")
    saved_view_create(by=other, list_name="customers", name="His", query="")
    saved_view_create(
        by=admin_user, list_name="customers", name="Everyone", query="kind=person", shared=True
    )
    client.force_login(agent)
    tabs = client.get("/customers/").context["list"].tabs
    assert [t.view.name for t in tabs.tabs] == ["Everyone", "Mine"]
    his = SavedView.objects.get(name="His")
    # Another user's private view is not there at all: the list draws as if unnamed.
    response = client.get(f"/customers/?view={his.pk}")
    assert response.context["list"].tabs.current is None


def test_a_view_in_the_url_draws_its_rows_and_a_change_marks_it(client, agent):
    prospect = CustomerFactory(status=Customer.Status.PROSPECT)
    CustomerFactory(status=Customer.Status.ACTIVE)
    view = saved_view_create(
        by=agent, list_name="customers", name="Prospects", query="status=prospect&cols=name"
    )
    client.force_login(agent)
    response = client.get(f"/customers/?view={view.pk}")
    rendered = response.context["list"]
    assert [r.pk for r in rendered.rows] == [prospect.pk]
    assert [c.key for c in rendered.columns] == ["name"]
    assert rendered.tabs.current == view and not rendered.tabs.modified
    assert 'aria-current="page"' in response.content.decode()

    changed = client.get(f"/customers/?view={view.pk}&status=prospect&cols=name&sort=-name")
    assert changed.context["list"].tabs.modified
    assert "Save changes to “Prospects”" in changed.content.decode()

    # The list's button stores the current state in the view.
    query = changed.context["list"].tabs.query
    saved = client.post(f"/ui/views/{view.pk}/", {"list": "customers", "query": query})
    assert saved.status_code == 302
    view.refresh_from_db()
    assert view.query == "status=prospect&sort=-name&cols=name"


def test_the_default_view_opens_the_bare_list_and_all_stays_reachable(client, agent):
    CustomerFactory(status=Customer.Status.PROSPECT)
    CustomerFactory(status=Customer.Status.ACTIVE)
    view = saved_view_create(by=agent, list_name="customers", name="P", query="status=prospect")
    client.force_login(agent)
    assert len(client.get("/customers/").context["list"].rows) == 2
    response = client.post(f"/ui/views/{view.pk}/default/", {"list": "customers"})
    assert response.status_code == 302
    opened = client.get("/customers/").context["list"]
    assert opened.tabs.current == view and len(opened.rows) == 1
    assert opened.tabs.all_url == "/customers/?view=all"
    assert len(client.get("/customers/?view=all").context["list"].rows) == 2
    saved_view_set_default(by=agent, list_name="customers", view=None)
    assert len(client.get("/customers/").context["list"].rows) == 2


def test_the_buttons_create_and_delete_and_say_why_when_refused(client, agent):
    client.force_login(agent)
    response = client.post(
        "/ui/views/", {"list": "customers", "name": "Orgs", "query": "kind=organisation"}
    )
    view = SavedView.objects.get(name="Orgs", owner=agent)
    assert response["Location"] == f"/customers/?kind=organisation&view={view.pk}"
    refused = client.post(
        "/ui/views/", {"list": "customers", "name": "Orgs", "query": "kind=person"}, follow=True
    )
    assert "You already have a view with this name on this list." in refused.content.decode()
    deleted = client.post(f"/ui/views/{view.pk}/delete/", {"list": "customers"})
    assert deleted["Location"] == "/customers/?view=all"
    assert not SavedView.objects.exists()


def test_the_api_lists_creates_changes_and_deletes_views(api_as, agent, other):
    api = api_as(agent)
    created = api.post(
        "/views", json={"list": "customers", "name": "Prospects", "query": "status=prospect"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"] == f"/customers/?status=prospect&view={body['id']}"
    assert [v["name"] for v in api.get("/views?list=customers").json()] == ["Prospects"]

    bad = api.post("/views", json={"list": "customers", "name": "", "query": ""})
    assert bad.status_code == 422 and "name" in bad.json()["errors"]
    refused = api.post("/views", json={"list": "customers", "name": "S", "shared": True})
    assert refused.status_code == 403

    changed = api.patch(f"/views/{body['id']}", json={"name": "P2", "query": "kind=person"})
    assert changed.json()["name"] == "P2" and changed.json()["query"] == "kind=person"
    assert api_as(other).get("/views?list=customers").json() == []
    assert api_as(other).delete(f"/views/{body['id']}").status_code == 404
    assert api.post(f"/views/{body['id']}/default").status_code == 204
    assert api.delete(f"/views/{body['id']}").status_code == 204
    assert not SavedView.objects.exists()


def test_a_view_outside_the_user_s_sight_does_not_exist(agent, other):
    from panorama.core.lists.selectors import saved_view_get

    view = saved_view_create(by=other, list_name="customers", name="His", query="")
    with pytest.raises(NotFound):
        saved_view_get(user=agent, view_id=view.pk)
