"""The sales terms' pages: shared lists with filters, detail pages, create and edit
forms that show the service's refusal beside the field, archive instead of delete,
and "try it" pricing a product with the explanation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.catalog.models import FinancingPlan, PriceList, Promotion
from panorama.catalog.services.financing import financing_plan_create
from panorama.catalog.services.price_lists import ItemData, price_list_create
from panorama.catalog.services.promotions import promotion_create
from tests.factories import CustomerFactory

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

ES = {"Accept-Language": "es"}


@pytest.mark.parametrize("url_name", ["price_list_list", "promotion_list", "plan_list"])
def test_each_list_shows_its_rows_in_bounded_queries(
    url_name, client, rep, django_assert_max_num_queries
):
    product = ProductFactory()
    for n in range(12):
        price_list_create(
            by=None, code=f"l{n}", name=f"Lista {n}", items=[ItemData(product.pk, "9")]
        )
        promotion_create(by=None, code=f"p{n}", name=f"Promo {n}", kind="amount", value="2.5")
        financing_plan_create(
            by=None, code=f"f{n}", name=f"Plan {n}", instalments=n + 1, annual_rate=3
        )
    client.force_login(rep)
    with django_assert_max_num_queries(12):
        page = client.get(reverse(f"catalog:{url_name}"), headers=ES)
    html = page.content.decode()
    assert page.status_code == 200 and (
        "Lista 11" in html or "Promo 11" in html or "Plan 11" in html
    )
    new = {"price_list_list": "price_list_create", "promotion_list": "promotion_create"}
    assert reverse(f"catalog:{new.get(url_name, 'plan_create')}") not in html  # no "new" for a rep


def test_filters_archive_and_restore(client, manager):
    promotion_create(by=None, code="viva", name="Viva", kind="percent", value=5)
    gone = promotion_create(
        by=None, code="ida", name="Ida", kind="percent", value=5, coupon_code="IDA"
    )
    client.force_login(manager)
    answer = client.post(reverse("catalog:promotion_archive", args=[gone.pk]))
    assert answer.status_code == 302
    gone.refresh_from_db()
    assert not gone.active and Promotion.objects.count() == 2  # archived, never deleted
    archived = client.get(reverse("catalog:promotion_list"), {"active": "off"}).content.decode()
    assert "Ida" in archived and "Viva" not in archived
    coupons = client.get(reverse("catalog:promotion_list"), {"coupon": "yes"}).content.decode()
    assert "Ida" in coupons and "Viva" not in coupons
    client.post(reverse("catalog:promotion_archive", args=[gone.pk]))
    gone.refresh_from_db()
    assert gone.active


def test_a_manager_creates_a_promotion_from_the_form_and_sees_refusals(client, manager):
    product = ProductFactory(name="Router")
    promotion_create(by=None, code="old", name="Old", kind="percent", value=5, coupon_code="OTONO")
    client.force_login(manager)
    url = reverse("catalog:promotion_create")
    data = {
        "code": "otono",
        "name": "Otoño",
        "kind": "percent",
        "value": "12,5",
        "coupon_code": "otono",
        "products": [product.pk],
        "segments": "pymes, VIP",
        "active": "on",
    }
    refused = client.post(url, data, headers=ES)
    assert refused.status_code == 422
    assert "Otra promoción tiene este código de cupón." in refused.content.decode()
    assert Promotion.objects.count() == 1
    created = client.post(url, {**data, "coupon_code": "otono26"}, headers=ES)
    assert created.status_code == 302
    promotion = Promotion.objects.get(code="otono")
    assert (promotion.value, promotion.coupon_code, promotion.segments) == (
        Decimal("12.5"),
        "OTONO26",
        ["pymes", "vip"],
    )
    assert list(promotion.products.all()) == [product]
    page = client.get(created["Location"], headers=ES).content.decode()
    assert "12,5" in page and "OTONO26" in page and "Router" in page


def test_editing_keeps_the_code_and_refuses_bad_dates(client, manager):
    plan = financing_plan_create(
        by=None, code="12m", name="12 meses", instalments=12, annual_rate=5
    )
    price_list = price_list_create(by=None, code="pymes", name="Pymes")
    client.force_login(manager)
    form = client.get(reverse("catalog:plan_edit", args=[plan.pk])).content.decode()
    assert 'name="code"' not in form and "12m" in form
    client.post(
        reverse("catalog:plan_edit", args=[plan.pk]),
        {"name": "Doce", "instalments": 12, "annual_rate": "5", "active": "on"},
    )
    plan.refresh_from_db()
    assert plan.name == "Doce"
    refused = client.post(
        reverse("catalog:price_list_edit", args=[price_list.pk]),
        {"name": "Pymes", "valid_from": "2026-02-01", "valid_until": "2026-01-01"},
    )
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.content.decode()
    price_list.refresh_from_db()
    assert price_list.valid_from is None


def test_a_manager_sets_and_removes_a_price_on_the_list_page(client, manager):
    product = ProductFactory(name="Router")
    price_list = price_list_create(by=None, code="pymes", name="Pymes")
    client.force_login(manager)
    url = reverse("catalog:price_list_detail", args=[price_list.pk])
    refused = client.post(url, {"product": product.pk, "min_quantity": "1"})
    assert refused.status_code == 422 and not price_list.items.exists()
    client.post(url, {"product": product.pk, "min_quantity": "1", "price": "79,90"}, headers=ES)
    item = price_list.items.get()
    assert item.price == Decimal("79.90")
    page = client.get(url, headers=ES).content.decode()
    assert "79,90" in page
    client.post(reverse("catalog:price_list_item_remove", args=[price_list.pk, item.pk]))
    assert not price_list.items.exists()


def test_a_rep_reads_the_pages_but_cannot_write(client, rep):
    price_list = price_list_create(by=None, code="pymes", name="Pymes")
    promotion = promotion_create(by=None, code="p", name="P", kind="percent", value=5)
    plan = financing_plan_create(by=None, code="12m", name="12", instalments=12, annual_rate=5)
    client.force_login(rep)
    for url in (
        reverse("catalog:price_list_detail", args=[price_list.pk]),
        reverse("catalog:promotion_detail", args=[promotion.pk]),
        reverse("catalog:plan_detail", args=[plan.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Archive" not in page and "/edit/" not in page
    forbidden = [
        client.get(reverse("catalog:promotion_create")),
        client.post(reverse("catalog:price_list_archive", args=[price_list.pk])),
        client.post(reverse("catalog:plan_archive", args=[plan.pk])),
        client.post(reverse("catalog:promotion_edit", args=[promotion.pk]), {"name": "X"}),
    ]
    assert [answer.status_code for answer in forbidden] == [403] * 4
    assert PriceList.objects.get().active and FinancingPlan.objects.get().active


def test_try_it_prices_a_product_for_a_customer_with_the_explanation(client, rep):
    product = ProductFactory(name="Router", list_price=Decimal("100"))
    price_list = price_list_create(
        by=None, code="pymes", name="Pymes", items=[ItemData(product.pk, price="80")]
    )
    promotion = promotion_create(
        by=None, code="bienvenida", name="Bienvenida", kind="percent", value=10, coupon_code="HOLA"
    )
    customer = CustomerFactory(owner=rep)
    client.force_login(rep)
    listed = client.get(
        reverse("catalog:price_list_try", args=[price_list.pk]),
        {"product": product.pk, "quantity": "2", "customer": customer.pk},
        headers={"HX-Request": "true", **ES},
    ).content.decode()
    assert "Pymes" in listed and "160,00" in listed and 'id="try-steps"' in listed
    coupon = client.get(
        reverse("catalog:promotion_try", args=[promotion.pk]),
        {"product": product.pk, "quantity": "1"},
        headers=ES,
    ).content.decode()
    assert "Bienvenida" in coupon and "HOLA" in coupon
    hidden = client.get(
        reverse("catalog:price_list_try", args=[price_list.pk]),
        {"product": product.pk, "quantity": "1", "customer": 999999},
    ).content.decode()
    assert 'id="try-error"' in hidden  # a customer one cannot see is refused, not priced
