"""The knowledge base's categories: added last among their siblings, renamed, nested
(never under themselves), reordered; through the service, the API and their page; the
admin only shows them."""

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.service.models import ArticleCategory
from panorama.service.selectors.knowledge import category_tree
from panorama.service.services.knowledge import article_create, category_move, category_save

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(username="eva", role=Role.SERVICE_AGENT)


@pytest.fixture
def rep():
    return UserFactory(username="rep", role=Role.SALES_REP)


def _add(by, name, parent=None):
    return category_save(
        by=by, slug="", name_en=name, name_es="", parent_id=parent.pk if parent else None
    )


def _names():
    return [(c.depth, c.name_en) for c in category_tree()]


def test_categories_nest_and_are_added_last_and_reordered(agent, emitted):
    billing = _add(agent, "Billing")
    with emitted() as events:
        internet = _add(agent, "Internet")
    assert [n for n, _ in events] == ["article.category_saved"]
    wifi = _add(agent, "Wi-Fi", parent=internet)
    _add(agent, "Fibre", parent=internet)
    assert _names() == [(0, "Billing"), (0, "Internet"), (1, "Wi-Fi"), (1, "Fibre")]
    category_move(by=agent, category_id=internet.pk, up=True)
    category_move(by=agent, category_id=wifi.pk, up=False)
    assert _names() == [(0, "Internet"), (1, "Fibre"), (1, "Wi-Fi"), (0, "Billing")]
    # At the top already: nothing moves.
    category_move(by=agent, category_id=internet.pk, up=True)
    assert _names()[0] == (0, "Internet")
    # Renamed and moved under Billing: last there, its Spanish name the English one.
    category_save(
        by=agent,
        category_id=wifi.pk,
        slug="wifi",
        name_en="Wireless",
        name_es="Inalámbrica",
        parent_id=billing.pk,
    )
    assert _names()[-1] == (1, "Wireless")


def test_a_category_is_never_under_itself_or_its_own_subcategory(agent):
    top = _add(agent, "Internet")
    child = _add(agent, "Wi-Fi", parent=top)
    for parent in (top, child):
        with pytest.raises(ValidationFailed) as refused:
            category_save(
                by=agent,
                category_id=top.pk,
                slug="internet",
                name_en="Internet",
                name_es="",
                parent_id=parent.pk,
            )
        assert refused.value.field == "parent"
    assert ArticleCategory.objects.get(pk=top.pk).parent_id is None


def test_only_knowledge_editors_change_categories(agent, rep):
    top = _add(agent, "Internet")
    with pytest.raises(PermissionDenied):
        category_move(by=rep, category_id=top.pk, up=False)
    with pytest.raises(PermissionDenied):
        _add(rep, "X")


def test_the_api_refuses_a_rep_and_bad_input(api_as, agent, rep):
    assert api_as(rep).post("/kb/categories", json={"name_en": "X"}).status_code == 403
    api = api_as(agent)
    top = api.post("/kb/categories", json={"name_en": "Internet"}).json()
    bad = api.post("/kb/categories", json={"name_en": "Loop", "parent_id": 999999})
    assert bad.status_code == 422
    assert api.post("/kb/categories", json={"name_en": "Internet"}).status_code == 409
    assert [c["id"] for c in api.get("/kb/categories").json()] == [top["id"]]


def test_the_page_lists_adds_renames_and_reorders(client, agent, django_assert_max_num_queries):
    internet = _add(agent, "Internet")
    article_create(by=agent, title="Router", body="Reinícielo.", category_id=internet.pk)
    client.force_login(agent)
    html = client.get("/service/kb/categories/").content.decode()
    assert 'data-category="internet"' in html and 'id="category-form"' in html
    for n in range(5):
        _add(agent, f"Shelf {n}", parent=internet)
    with django_assert_max_num_queries(12):
        client.get("/service/kb/categories/")
    answer = client.post(
        "/service/kb/categories/", {"name_en": "Billing", "name_es": "Facturación"}
    )
    assert answer.status_code == 302
    clash = client.post("/service/kb/categories/", {"name_en": "Billing"})
    assert clash.status_code == 422 and "already has the address" in clash.content.decode()
    billing = ArticleCategory.objects.get(slug="billing")
    client.post(f"/service/kb/categories/{billing.pk}/move/", {"direction": "up"})
    assert [c.slug for c in category_tree() if c.depth == 0] == ["billing", "internet"]
    edit = f"/service/kb/categories/{billing.pk}/edit/"
    assert client.get(edit).status_code == 200
    answer = client.post(
        edit, {"name_en": "Invoices", "name_es": "Facturas", "slug": "billing", "parent": ""}
    )
    assert answer.status_code == 302
    assert ArticleCategory.objects.get(pk=billing.pk).name_es == "Facturas"


def test_the_page_is_read_only_for_a_rep_and_the_admin_for_everyone(client, admin_client, rep):
    client.force_login(rep)
    html = client.get("/service/kb/categories/").content.decode()
    assert 'id="category-form"' not in html
    assert client.post("/service/kb/categories/", {"name_en": "X"}).status_code == 403
    assert not ArticleCategory.objects.exists()
    assert admin_client.get("/admin/service/articlecategory/add/").status_code == 403
