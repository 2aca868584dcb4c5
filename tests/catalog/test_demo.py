"""The demo's catalogue: written once through the services, and usable end to end."""

import datetime
from decimal import Decimal

import pytest

from panorama.catalog.models import FinancingPlan, PriceList, Product, Promotion, Tax
from panorama.catalog.selectors import convert
from panorama.catalog.services.configuration import configuration_check
from panorama.catalog.services.pricing import price_line
from panorama.seeding.catalog_demo import catalog_demo_ensure
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def test_the_demo_catalogue_is_written_once_and_prices_end_to_end():
    assert catalog_demo_ensure(TODAY) == 20
    assert catalog_demo_ensure(TODAY) == 0  # a second run changes nothing
    assert Product.objects.count() == 20
    assert sorted(Tax.objects.values_list("rate", flat=True)) == [0, 4, 10, 21]
    assert set(PriceList.objects.values_list("code", flat=True)) == {"pymes", "web"}
    assert Promotion.objects.filter(coupon_code="BLACKFRIDAY").exists()
    assert FinancingPlan.objects.count() == 2
    assert convert(Decimal("100"), currency="USD", on=TODAY) == Decimal("92.00")

    pack = Product.objects.get(sku="PACK-FIBRA")
    refused = configuration_check(product=pack, options=["fibra300", "tv", "ip_fija"])
    assert {p.code for p in refused.problems} == {"requires", "excludes", "too_few"}

    company = CustomerFactory(kind="organisation", legal_name="Talleres Ruiz SL")
    router = Product.objects.get(sku="RT-WIFI6")
    line = price_line(
        product_id=router.pk, quantity=2, customer=company, on=TODAY, coupon="blackfriday"
    )
    # Pymes 79.00 × 2 = 158.00; Black Friday 15 % = 23.70 → 134.30; IVA 21 % = 28.20.
    assert (line.price_list, line.net, line.tax, line.total) == (
        "pymes",
        Decimal("134.30"),
        Decimal("28.20"),
        Decimal("162.50"),
    )
