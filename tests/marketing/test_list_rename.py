"""A static list is renamed through one service, list_rename: in place on the lists page
and by the API's PATCH. The new name is saved and announced (``list.renamed``); an empty,
too long or another list's name is refused with the service's message and nothing is
saved; who may not build segments (and lists) gets 403 and the name stays."""

import pytest

from panorama.accounts.models import Role
from panorama.marketing.models import StaticList
from panorama.marketing.services.segments import list_create
from tests.factories import CustomerFactory, UserFactory
from tests.lists import cell_post

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * 121  # StaticList.name holds 120


@pytest.fixture
def lists(marketer):
    return {
        "spring": list_create(by=marketer, name="Primavera", customer_ids=[CustomerFactory().pk]),
        "summer": list_create(by=marketer, name="Verano"),
    }


def _names() -> list[str]:
    return list(StaticList.objects.order_by("pk").values_list("name", flat=True))


def test_a_list_is_renamed_in_place_and_its_rename_announced(client, marketer, lists, emitted):
    spring = lists["spring"]
    client.force_login(marketer)
    with emitted() as events:
        saved = cell_post(client, "static-lists", spring.pk, "name", "  Primavera 2027 ")
    assert saved.status_code == 200 and "Primavera 2027" in saved.content.decode()
    assert _names() == ["Primavera 2027", "Verano"]
    assert events == [
        ("list.renamed", {"list_id": spring.pk, "name": "Primavera 2027", "by": marketer.pk})
    ]
    # Its members stay: a rename is not a new list.
    assert StaticList.objects.get(pk=spring.pk).members.filter(left_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (" ", "A list needs a name."),
        (TOO_LONG, "at most 120 characters"),
        ("verano", "There is already a list named verano: choose another name."),
    ],
)
def test_a_bad_name_is_refused_in_place_with_why_and_nothing_saved(
    client, marketer, lists, emitted, name, message
):
    client.force_login(marketer)
    with emitted() as events:
        refused = cell_post(client, "static-lists", lists["spring"].pk, "name", name)
    assert refused.status_code == 422
    assert message in refused.content.decode()
    assert _names() == ["Primavera", "Verano"]
    assert events == []


def test_who_may_not_build_lists_gets_403_and_no_rename(client, lists):
    client.force_login(UserFactory(username="ana_lyst", role=Role.ANALYST))
    assert cell_post(client, "static-lists", lists["spring"].pk, "name", "Otra").status_code == 403
    assert _names() == ["Primavera", "Verano"]


def test_the_api_renames_through_the_same_service(api_as, marketer, rep, lists, emitted):
    spring = lists["spring"]
    with emitted() as events:
        renamed = api_as(marketer).patch(f"/marketing/lists/{spring.pk}", json={"name": "Abril"})
    assert renamed.status_code == 200
    assert renamed.json() == {"id": spring.pk, "name": "Abril", "segment_id": None, "size": 1}
    assert [n for n, _p in events] == ["list.renamed"]

    for name, message in [("", "A list needs a name."), (TOO_LONG, "at most 120 characters")]:
        refused = api_as(marketer).patch(f"/marketing/lists/{spring.pk}", json={"name": name})
        assert refused.status_code == 422
        assert message in refused.json()["detail"]
    taken = api_as(marketer).patch(f"/marketing/lists/{spring.pk}", json={"name": "VERANO"})
    assert taken.status_code == 422
    assert "There is already a list named VERANO" in taken.json()["detail"]

    forbidden = api_as(rep).patch(f"/marketing/lists/{spring.pk}", json={"name": "Mayo"})
    assert forbidden.status_code == 403
    missing = api_as(marketer).patch("/marketing/lists/999999", json={"name": "Mayo"})
    assert missing.status_code == 404
    assert _names() == ["Abril", "Verano"]


def test_the_name_cell_opens_the_list_and_offers_its_editor_to_who_may_rename(
    client, marketer, lists
):
    spring = lists["spring"]
    client.force_login(marketer)
    page = client.get("/marketing/lists/").content.decode()
    assert 'aria-label="Edit Name of Primavera"' in page
    assert f'href="/marketing/lists/{spring.pk}/"' in page  # the name still opens it
    saved = cell_post(client, "static-lists", spring.pk, "name", "Abril").content.decode()
    assert f'href="/marketing/lists/{spring.pk}/"' in saved and ">Abril</a>" in saved
    assert 'aria-label="Edit Name of Abril"' in saved
    client.force_login(UserFactory(username="ana_lyst", role=Role.ANALYST))
    page = client.get("/marketing/lists/").content.decode()
    assert "Edit Name of" not in page and ">Abril</a>" in page
