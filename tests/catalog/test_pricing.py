"""The pricing service: every figure below is computed by hand from pricing_world.py."""

from decimal import Decimal

import pytest
from django.utils import translation

from panorama.catalog.services.pricing import LineIn, price_line, price_lines
from panorama.core.exceptions import ValidationFailed
from tests.factories import CustomerFactory, HoldingFactory

from .pricing_world import DAY, pricing_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return pricing_world()


@pytest.fixture
def pyme(world):
    """An organisation of the Pymes segment that holds a payroll account."""
    customer = CustomerFactory(
        kind="organisation",
        first_name="",
        last_name="",
        legal_name="Talleres Ruiz SL",
        display_name="Talleres Ruiz SL",
        custom_fields={"segment": "pymes"},
    )
    HoldingFactory(customer=customer, product_code="CTA-NOMINA", status="active")
    return customer


def test_an_anonymous_buyer_gets_the_list_price_and_the_automatic_promotion(world):
    line = price_line(product_id=world["router"].pk, quantity=2, on=DAY)

    # 2 × 100.00 = 200.00; Otoño 10 % = 20.00; net 180.00; IVA 21 % = 37.80.
    assert (line.unit_price, line.gross, line.discount_total) == (
        Decimal("100.00"),
        Decimal("200.00"),
        Decimal("20.00"),
    )
    assert (line.net, line.tax, line.total) == (
        Decimal("180.00"),
        Decimal("37.80"),
        Decimal("217.80"),
    )
    assert [(s.kind, s.text) for s in line.explanation] == [
        ("list_price", "List price of Router: €100.00 per unit."),
        ("price_list", "No price list applies: the list price stands."),
        ("quantity", "2 × €100.00 = €200.00."),
        ("promotion", "Promotion “Otoño” (10 % off): −€20.00."),
        ("manual_discount", "No manual discount."),
        ("tax", "Net €180.00; IVA 21 % (21 %): €37.80; total €217.80."),
    ]


def test_every_step_for_a_pyme_with_a_coupon_and_a_manual_discount(world, pyme):
    line = price_line(
        product_id=world["router"].pk,
        quantity=10,
        customer=pyme,
        on=DAY,
        coupon="Bienvenida",
        manual_discount_percent="5",
    )

    # Pymes from 10 units: 80.00 → gross 800.00. Promotions: Otoño 10 % = 80.00, nómina
    # 15 % = 120.00: the larger wins → 680.00. Coupon 5.00 × 10 = 50.00 → 630.00.
    # Manual 5 % of 630.00 = 31.50 → net 598.50. IVA 21 % = 125.685 → 125.69.
    assert line.price_list == "pymes"
    assert [(d.kind, d.amount) for d in line.discounts] == [
        ("promotion", Decimal("120.00")),
        ("coupon", Decimal("50.00")),
        ("manual", Decimal("31.50")),
    ]
    assert (line.net, line.tax, line.total) == (
        Decimal("598.50"),
        Decimal("125.69"),
        Decimal("724.19"),
    )
    texts = [s.text for s in line.explanation]
    assert texts[1] == "Price list “Pymes” (from 10 units): €80.00 per unit instead of €100.00."
    assert texts[3] == "Promotion “Clientes con nómina” (15 % off): −€120.00."
    assert texts[4] == "Coupon BIENVENIDA: Promotion “Bienvenida” (€5.00 off per unit): −€50.00."
    assert texts[5] == "Manual discount of 5 %: −€31.50."


def test_the_web_channel_gets_its_price_list(world):
    line = price_line(product_id=world["router"].pk, channel="web", on=DAY)
    # Web 5 % off 100.00 = 95.00; Otoño 10 % = 9.50 → 85.50; IVA 17.955 → 17.96.
    assert (line.unit_price, line.net, line.tax, line.total) == (
        Decimal("95.00"),
        Decimal("85.50"),
        Decimal("17.96"),
        Decimal("103.46"),
    )
    assert line.explanation[1].text == (
        "Price list “Web” (from 1 units): 5 % off, €95.00 per unit instead of €100.00."
    )


def test_a_dollar_product_in_euros_with_buy_two_get_one(world):
    line = price_line(product_id=world["licence"].pk, quantity=3, on=DAY)
    # 200.00 USD × 0.90 = 180.00 EUR; 3 × 180.00 = 540.00; 3x2: 1 free = 180.00 → 360.00;
    # IVA 75.60 → 435.60.
    assert (line.list_unit_price, line.gross, line.net, line.total) == (
        Decimal("180.00"),
        Decimal("540.00"),
        Decimal("360.00"),
        Decimal("435.60"),
    )
    assert line.explanation[1].kind == "conversion"
    assert "3x2" in line.explanation[4].text and "1 free" in line.explanation[4].text


def test_options_add_to_the_unit_price(world):
    line = price_line(
        product_id=world["pack"].pk, options=["fibra1g", "movil_basico", "ip_fija"], on=DAY
    )
    # 50.00 + 15.00 + 10.00 + 8.00 = 83.00; IVA 17.43 → 100.43.
    assert line.options == ("fibra1g", "movil_basico", "ip_fija", "instalacion")
    assert (line.unit_price, line.tax, line.total) == (
        Decimal("83.00"),
        Decimal("17.43"),
        Decimal("100.43"),
    )
    assert line.explanation[1].text == (
        "Options: Fibra 1 Gb +€15.00, Móvil básico +€10.00, IP fija +€8.00, "
        "Instalación (included); €83.00 per unit."
    )


def test_a_quote_in_dollars_converts_the_euro_prices(world):
    line = price_line(product_id=world["router"].pk, currency="USD", on=DAY)
    # 100.00 EUR / 0.90 = 111.11 USD; no USD price list; Otoño 10 % = 11.11 → 100.00.
    assert (line.currency, line.list_unit_price, line.net) == (
        "USD",
        Decimal("111.11"),
        Decimal("100.00"),
    )


def test_the_explanation_is_in_spanish(world):
    with translation.override("es"):
        line = price_line(product_id=world["router"].pk, on=DAY)
    assert line.explanation[0].text == "Precio de tarifa de Router: 100,00\xa0€ por unidad."
    assert line.explanation[3].text == "Promoción “Otoño” (10 % de descuento): −10,00\xa0€."


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"quantity": -1}, "quantity", "more than 0"),
        ({"quantity": "x"}, "quantity", "number"),
        ({"manual_discount_percent": 120}, "manual_discount_percent", "between 0 and 100"),
        ({"coupon": "VERANO"}, "coupon", "expired"),
        ({"coupon": "PYMES10"}, "coupon", "segments: pymes"),
        ({"coupon": "LIC"}, "coupon", "does not apply to any"),
        ({"coupon": "NOEXISTE"}, "coupon", "no coupon NOEXISTE"),
        ({"price_list": "tarifa2025"}, "price_list", "not valid on"),
        ({"price_list": "pymes"}, "price_list", "only for the segment pymes"),
        ({"currency": "GBP"}, "currency", "no exchange rate for GBP"),
        ({"channel": "fax"}, "channel", "Unknown channel"),
        ({"options": ["tv"]}, "options", "Router has no option tv"),
    ],
)
def test_what_cannot_be_priced_names_its_field(world, kwargs, field, words):
    with pytest.raises(ValidationFailed, match=words) as refused:
        price_line(**{"product_id": world["router"].pk, "on": DAY, **kwargs})
    assert refused.value.field == field


def test_a_bad_configuration_lists_every_problem(world):
    with pytest.raises(ValidationFailed) as refused:
        price_lines(
            lines=[
                LineIn(world["router"].pk),
                LineIn(world["pack"].pk, 1, ["tv", "fibra300", "ip_fija"]),
            ],
            on=DAY,
        )
    assert refused.value.field == "lines.1.options"
    assert [m.split(":")[0] for m in refused.value.errors["lines.1.options"]] == [
        "“IP fija” requires “Fibra 1 Gb”",
        "“Televisión” cannot be combined with “Fibra 300 Mb”",
        "Choose at least 1 of “Líneas móviles” (“Móvil básico”, “Móvil ilimitado”, "
        "“Móvil solo datos”); you chose 0.",
    ]
    assert str(refused.value.message).startswith("Line 2: ")


def test_a_ten_line_quote_prices_in_a_bounded_number_of_queries(
    world, pyme, django_assert_num_queries
):
    lines = (
        [
            LineIn(world["pack"].pk, n + 1, ["fibra1g", "movil_datos", "centralita"])
            for n in range(4)
        ]
        + [LineIn(world["router"].pk, 5 + n) for n in range(3)]
        + [LineIn(world["licence"].pk, 3 * (n + 1)) for n in range(3)]
    )
    # products, option groups, options, rules, price-list items, promotions, their
    # products, their categories, exchange rates, the customer's holdings.
    with django_assert_num_queries(10):
        quote = price_lines(lines=lines, customer=pyme, on=DAY, coupon="BIENVENIDA")
    assert len(quote.lines) == 10
    assert quote.total == sum(line.total for line in quote.lines)
    assert quote.taxes[0].rate == Decimal("21.00")
    assert quote.taxes[0].tax == quote.tax
