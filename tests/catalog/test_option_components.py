"""A bundle's components: an option can be another catalogue product
(``ProductOption.component``), set on the options page and through the API; a product
is never its own component and a component has no components of its own (an order
reserves one level of stock)."""

import pytest
from django.urls import reverse
from django.utils import translation

from panorama.catalog.models import ProductOption
from panorama.catalog.services.options import option_create
from panorama.core.exceptions import ValidationFailed

from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(db):
    return ProductFactory(sku="KIT", name="Kit oficina")


@pytest.fixture
def router(db):
    return ProductFactory(sku="RT", name="Router", track_stock=True, stock_on_hand=3)


def test_the_options_page_sets_and_shows_a_component(client, manager, bundle, router):
    client.force_login(manager)
    url = reverse("catalog:option_create", args=[bundle.pk])
    form = client.get(url).content.decode()
    assert 'name="component"' in form and "Router (RT)" in form
    data = {"code": "router", "name": "Router", "price": "0", "position": 0}
    assert client.post(url, {**data, "component": router.pk}).status_code == 302
    option = ProductOption.objects.get(product=bundle, code="router")
    assert option.component == router
    page = client.get(reverse("catalog:product_options", args=[bundle.pk])).content.decode()
    assert "Component: Router (RT)" in page
    edit = reverse("catalog:option_edit", args=[bundle.pk, option.pk])
    assert f'<option value="{router.pk}" selected>' in client.get(edit).content.decode()
    answer = client.post(edit, {"name": "Router", "price": "0", "position": 0, "component": ""})
    assert answer.status_code == 302
    option.refresh_from_db()
    assert option.component is None


def test_the_api_sets_a_component_by_sku_and_refuses_a_bad_one(api_as, manager, bundle, router):
    api = api_as(manager)
    base = f"/catalog/products/{bundle.pk}/options"
    made = api.post(base, json={"code": "router", "name": "Router", "component": "RT"})
    assert made.status_code == 201
    assert (made.json()["component"], made.json()["component_id"]) == ("RT", router.pk)
    unknown = api.patch(f"{base}/{made.json()['id']}", json={"component": "NOPE"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"]["component"] == ["There is no product with SKU NOPE."]
    itself = api.patch(f"{base}/{made.json()['id']}", json={"component": "KIT"})
    assert itself.status_code == 422
    assert "component" in itself.json()["errors"]
    cleared = api.patch(f"{base}/{made.json()['id']}", json={"component": None})
    assert cleared.status_code == 200 and cleared.json()["component"] is None


def test_a_component_with_components_of_its_own_is_refused(api_as, manager, bundle, router):
    option_create(by=None, product=router, code="antena", name="Antena", component=bundle)
    answer = api_as(manager).post(
        f"/catalog/products/{ProductFactory(sku='BIG').pk}/options",
        json={"code": "router", "name": "Router", "component": "RT"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"]["component"] == ["A component cannot itself have components."]


def test_a_rep_cannot_set_a_component(api_as, rep, bundle, router):
    answer = api_as(rep).post(
        f"/catalog/products/{bundle.pk}/options",
        json={"code": "router", "name": "Router", "component": "RT"},
    )
    assert answer.status_code == 403
    assert not ProductOption.objects.exists()


def test_the_refusal_in_spanish(bundle, router):
    option_create(by=None, product=router, code="antena", name="Antena", component=bundle)
    with translation.override("es"), pytest.raises(ValidationFailed) as refused:
        option_create(by=None, product=ProductFactory(), code="r", name="R", component=router)
    assert refused.value.errors == {
        "component": ["Un componente no puede tener a su vez componentes."]
    }
