"""A knowledge base category renamed, moved under another parent (never under one of
its own sub-categories: 422 naming the problem) and deleted when empty (409 saying
what it still holds) through the API and the edit page; only a knowledge editor
(``service.kb_edit``) may, whoever else gets 403 and nothing changes."""

import pytest

from panorama.accounts.models import Role
from panorama.service.models import ArticleCategory
from panorama.service.services.knowledge import article_create, category_save

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(username="eva", role=Role.SERVICE_AGENT)


@pytest.fixture
def rep():
    return UserFactory(username="rep", role=Role.SALES_REP)


@pytest.fixture
def shelves(agent):
    def add(name, parent=None):
        return category_save(
            by=agent, slug="", name_en=name, name_es="", parent_id=parent.pk if parent else None
        )

    internet = add("Internet")
    wifi = add("Wi-Fi", parent=internet)
    billing = add("Billing")
    return internet, wifi, billing


def test_patch_renames_moves_and_keeps_what_it_is_not_given(api_as, agent, shelves, emitted):
    internet, wifi, billing = shelves
    api = api_as(agent)
    with emitted() as events:
        renamed = api.patch(f"/kb/categories/{wifi.pk}", json={"name_es": "Inalámbrica"})
    assert renamed.status_code == 200
    assert (renamed.json()["name_en"], renamed.json()["name_es"]) == ("Wi-Fi", "Inalámbrica")
    assert (renamed.json()["slug"], renamed.json()["parent_id"]) == ("wi-fi", internet.pk)
    assert [n for n, _ in events] == ["article.category_saved"]
    moved = api.patch(f"/kb/categories/{wifi.pk}", json={"parent_id": billing.pk}).json()
    assert (moved["parent_id"], moved["name_es"]) == (billing.pk, "Inalámbrica")
    top = api.patch(f"/kb/categories/{wifi.pk}", json={"parent_id": None}).json()
    assert top["parent_id"] is None


def test_patch_refuses_a_cycle_and_bad_input_naming_the_problem(api_as, agent, shelves):
    internet, wifi, _billing = shelves
    api = api_as(agent)
    cycle = api.patch(f"/kb/categories/{internet.pk}", json={"parent_id": wifi.pk})
    assert cycle.status_code == 422
    assert "under itself or one of its own sub-categories" in cycle.json()["detail"]
    assert (
        api.patch(f"/kb/categories/{internet.pk}", json={"parent_id": internet.pk}).status_code
        == 422
    )
    assert ArticleCategory.objects.get(pk=internet.pk).parent_id is None
    assert api.patch(f"/kb/categories/{wifi.pk}", json={"name_en": " "}).status_code == 422
    clash = api.patch(f"/kb/categories/{wifi.pk}", json={"slug": "internet"})
    assert clash.status_code == 409
    assert api.patch("/kb/categories/999999", json={"name_en": "X"}).status_code == 404


def test_delete_only_an_empty_category(api_as, agent, shelves, emitted):
    internet, wifi, billing = shelves
    api = api_as(agent)
    article_create(by=agent, title="Router", body="Reinícielo.", category_id=wifi.pk)
    full = api.delete(f"/kb/categories/{internet.pk}")
    assert full.status_code == 409
    assert "holds 1 sub-categories and 0 articles" in full.json()["detail"]
    assert api.delete(f"/kb/categories/{wifi.pk}").status_code == 409
    with emitted() as events:
        assert api.delete(f"/kb/categories/{billing.pk}").status_code == 204
    assert [n for n, _ in events] == ["article.category_deleted"]
    assert not ArticleCategory.objects.filter(pk=billing.pk).exists()
    assert api.delete(f"/kb/categories/{billing.pk}").status_code == 404


def test_who_may_not_edit_the_knowledge_base_changes_no_category(api_as, rep, shelves):
    internet, wifi, billing = shelves
    api = api_as(rep)
    assert api.get("/kb/categories").status_code == 200  # reading is for everyone
    assert api.patch(f"/kb/categories/{wifi.pk}", json={"name_en": "X"}).status_code == 403
    assert api.delete(f"/kb/categories/{billing.pk}").status_code == 403
    assert api.delete("/kb/categories/999999").status_code == 403  # nothing learnt
    assert ArticleCategory.objects.get(pk=wifi.pk).name_en == "Wi-Fi"
    assert ArticleCategory.objects.filter(pk=billing.pk).exists()


def test_the_edit_page_deletes_an_empty_category_and_says_why_not_otherwise(
    client, agent, rep, shelves
):
    internet, _wifi, billing = shelves
    client.force_login(agent)
    page = client.get(f"/service/kb/categories/{billing.pk}/edit/").content.decode()
    assert 'id="category-delete"' in page
    refused = client.post(f"/service/kb/categories/{internet.pk}/delete/", follow=True)
    assert "is not empty" in refused.content.decode()
    assert ArticleCategory.objects.filter(pk=internet.pk).exists()
    done = client.post(f"/service/kb/categories/{billing.pk}/delete/", follow=True)
    assert "Category deleted." in done.content.decode()
    assert not ArticleCategory.objects.filter(pk=billing.pk).exists()
    client.force_login(rep)
    assert client.post(f"/service/kb/categories/{internet.pk}/delete/").status_code == 403


def test_the_refusals_are_in_the_editors_language(api_as, shelves):
    internet, _wifi, _billing = shelves
    api = api_as(UserFactory(username="ines", role=Role.SERVICE_AGENT, language="es"))
    full = api.delete(f"/kb/categories/{internet.pk}").json()["detail"]
    assert full.startswith("La categoría Internet no está vacía: contiene 1 subcategorías")
    unnamed = api.patch(f"/kb/categories/{internet.pk}", json={"name_en": ""})
    assert unnamed.json()["detail"] == "Una categoría necesita un nombre en inglés."
