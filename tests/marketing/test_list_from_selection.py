""" "Create a marketing list" on the customer list's bulk bar: a new static list, named by
its user, with the selected customers or all that match, through ``list_create`` and
``list_members_change`` (their name rules, permission, scoping and events)."""

import pytest

from panorama.accounts.models import Role
from panorama.core.lists import actions, jobs
from panorama.marketing.models import ListMembership, StaticList
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bulk(client, **data):
    return client.post("/ui/lists/customers/bulk/", data, headers={"HX-Request": "true"})


def _members(static_list: StaticList) -> set[int]:
    return set(
        ListMembership.objects.filter(static_list=static_list).values_list("customer_id", flat=True)
    )


def test_a_list_from_the_selected_rows(client, emitted):
    marketer = UserFactory(username="mkt", role=Role.MARKETING)
    chosen = CustomerFactory.create_batch(2)
    CustomerFactory()  # not selected
    client.force_login(marketer)
    page = client.get("/customers/").content.decode()
    assert "Create a marketing list" in page and 'placeholder="Name of the new list"' in page
    with emitted() as events:
        response = _bulk(
            client,
            action="create_list",
            **{"value-create_list": "  Spring offer "},
            ids=[c.pk for c in chosen],
        )
    report = response.context["list"].report
    assert (report.action, report.done, report.refused) == (
        "Create a marketing list: Spring offer",
        2,
        [],
    )
    assert "2 rows changed." in response.content.decode()
    spring = StaticList.objects.get()
    assert (spring.name, spring.owner) == ("Spring offer", marketer)
    assert _members(spring) == {c.pk for c in chosen}
    assert [name for name, _payload in events].count("list.changed") == 1


def test_a_list_from_all_matching_rows_in_the_managers_scope(client, team):
    manager = UserFactory(username="boss", role=Role.SALES_MANAGER)
    team.managers.add(manager)
    ours = CustomerFactory.create_batch(3, team=team, status="prospect")
    CustomerFactory(team=team, status="active")  # filtered out
    hidden = CustomerFactory(status="prospect")  # another team's
    client.force_login(manager)
    response = _bulk(
        client,
        action="create_list",
        **{"value-create_list": "Prospects"},
        all="1",
        query="status=prospect",
    )
    assert response.context["list"].report.done == 3
    prospects = StaticList.objects.get(name="Prospects")
    assert _members(prospects) == {c.pk for c in ours}
    assert hidden.pk not in _members(prospects)


def test_the_name_is_required_and_unique_and_nothing_is_made_without_it(client):
    marketer = UserFactory(username="mkt", role=Role.MARKETING)
    StaticList.objects.create(name="Spring offer")
    customer = CustomerFactory()
    client.force_login(marketer)
    response = _bulk(client, action="create_list", **{"value-create_list": " "}, ids=[customer.pk])
    assert "A list needs a name." in response.content.decode()
    response = _bulk(
        client, action="create_list", **{"value-create_list": "spring OFFER"}, ids=[customer.pk]
    )
    assert (
        "There is already a list named spring OFFER: choose another name."
        in response.content.decode()
    )
    assert StaticList.objects.count() == 1 and not ListMembership.objects.exists()


def test_a_rep_is_not_offered_it_and_cannot_post_it(client, rep, team):
    CustomerFactory(owner=rep, team=team)
    client.force_login(rep)
    page = client.get("/customers/")
    assert "create_list" not in [a["key"] for a in page.context["list"].bulk.actions]
    response = _bulk(client, action="create_list", **{"value-create_list": "Mine"}, all="1")
    assert "Choose an action." in response.content.decode()
    assert not StaticList.objects.exists()


def test_a_big_selection_fills_the_list_in_the_background_in_a_few_queries_per_chunk(
    client,
    monkeypatch,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    monkeypatch.setattr(actions, "BULK_INLINE", 2)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 5)
    marketer = UserFactory(username="mkt", role=Role.MARKETING)
    customers = CustomerFactory.create_batch(20)
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _bulk(client, action="create_list", **{"value-create_list": "Everyone"}, all="1")
    job = response.context["list"].bulk_job
    assert (job.status, job.total, job.action_label) == (
        "queued",
        20,
        "Create a marketing list: Everyone",
    )
    everyone = StaticList.objects.get(name="Everyone")  # made at once, filled by the job
    assert not _members(everyone)
    # 4 chunks of 5 rows: a few queries per chunk (one write each), never one per row.
    with django_assert_max_num_queries(60):
        for callback in queued:
            callback()
    job.refresh_from_db()
    assert (job.status, job.done, job.refused) == ("done", 20, [])
    assert _members(everyone) == {c.pk for c in customers}
