"""The work orders and installed base lists (shared list component): filters in the URL,
rows scoped to what the user may see, the same queries for 3 rows or 30, linked from the
sidebar."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.catalog.models import Product
from panorama.service.models import WorkOrder
from panorama.service.services.asset import asset_register
from panorama.service.services.workorder import work_order_create

from ..factories import CustomerFactory, UserFactory
from .field_world import field_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return field_world()


def _order(world, subject: str, technician=None, status: str = "new") -> WorkOrder:
    order = work_order_create(by=None, customer_id=world.customer.pk, subject=subject)
    WorkOrder.objects.filter(pk=order.pk).update(technician=technician, status=status)
    return order


def test_a_technician_lists_his_work_orders_only_and_filters_them(client, world):
    mine = _order(world, "Revisión caldera", world.tech, "scheduled")
    done = _order(world, "Cambio válvula", world.tech, "done")
    theirs = _order(world, "Fibra cortada", world.tech2)
    client.force_login(world.tech)
    url = reverse("service:work_order_list")
    page = client.get(url).content.decode()
    assert mine.reference in page and done.reference in page
    assert theirs.reference not in page
    assert reverse("service:work_order_detail", args=[mine.pk]) in page
    assert f'href="{url}"' in page  # the sidebar links it
    page = client.get(url, {"status": "open"}).content.decode()
    assert mine.reference in page and done.reference not in page
    page = client.get(url, {"q": done.reference}).content.decode()
    assert done.reference in page and mine.reference not in page
    # The dispatcher of their team sees both technicians' orders, and filters by one.
    client.force_login(world.dispatcher)
    page = client.get(url, {"technician": world.tech2.pk}).content.decode()
    assert theirs.reference in page and mine.reference not in page


def test_the_work_orders_list_takes_the_same_queries_for_3_or_30(
    client, world, django_assert_max_num_queries
):
    for n in range(3):
        _order(world, f"Orden {n}", world.tech if n % 2 else None)
    client.force_login(world.dispatcher)
    url = reverse("service:work_order_list")
    client.get(url)  # warm the caches (saved views, totals)
    with django_assert_max_num_queries(15) as few:
        assert client.get(url).status_code == 200
    for n in range(3, 30):
        _order(world, f"Orden {n}", world.tech2 if n % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Orden ") == 30


def test_the_installed_base_lists_the_assets_of_the_customers_one_sees(client, world):
    rep = UserFactory(username="rep", role=Role.SALES_REP)
    own = CustomerFactory(first_name="Pablo", last_name="Ríos", owner=rep)
    router = Product.objects.create(sku="RT-1", name="Router Fibra", list_price=90)
    his = asset_register(by=None, customer_id=own.pk, product_id=router.pk, serial_number="RT-9")
    client.force_login(rep)
    url = reverse("service:asset_list")
    page = client.get(url).content.decode()
    assert "RT-9" in page and "SN-0001" not in page  # not his customer's boiler
    assert reverse("service:asset_detail", args=[his.pk]) in page
    assert f'href="{url}"' in page
    client.force_login(world.dispatcher)  # a service agent sees every customer
    page = client.get(url, {"level": "component"}).content.decode()
    assert reverse("service:asset_detail", args=[world.component.pk]) in page
    assert reverse("service:asset_detail", args=[world.asset.pk]) not in page
    assert "SN-0001" in page  # what the burner is part of
    page = client.get(url, {"product": world.boiler.pk}).content.decode()
    assert "SN-0001" in page and "RT-9" not in page
    page = client.get(url, {"q": "rt-"}).content.decode()
    assert "RT-9" in page and "SN-0001" not in page


def test_the_installed_base_takes_the_same_queries_for_3_or_30(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.dispatcher)
    url = reverse("service:asset_list")
    asset_register(
        by=None, customer_id=world.customer.pk, product_id=world.boiler.pk, serial_number="X-0"
    )
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        assert client.get(url).status_code == 200
    for n in range(1, 28):
        asset_register(
            by=None,
            customer_id=world.customer.pk if n % 3 == 0 else CustomerFactory().pk,
            product_id=world.boiler.pk,
            serial_number=f"X-{n}",
            parent_id=world.asset.pk if n % 3 == 0 else None,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("X-") >= 28
