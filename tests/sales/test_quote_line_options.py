# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""A quote line's options changed on the quote's page: the line's form shows the
product's option groups with the line's options ticked, posts to the service the API's
PATCH calls (``quote_line_update``), refuses a configuration the catalogue refuses with
the very messages the API gives, and prices the line again."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.sales.services.quote import LineData, quote_create

from .quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(rep, buyer, world):
    return quote_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["pack"].pk, options=["fibra300", "movil_basico"])],
    )


def _form(line, options, quantity="1") -> dict:
    return {
        f"line-{line.pk}-quantity": quantity,
        f"line-{line.pk}-manual_discount_percent": "0",
        f"line-{line.pk}-options": options,
    }


def test_the_lines_form_shows_the_products_option_groups_ticked(client, rep, quote):
    line = quote.lines.get()
    client.force_login(rep)
    page = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    form = page.split(f'id="line-{line.pk}-edit"')[1].split("</details>")[0]
    assert "Velocidad" in form and "Líneas móviles" in form  # the groups, by name
    assert "choose 1" in form
    name = f"line-{line.pk}-options"
    assert f'name="{name}" value="fibra300" id="id_{name}-fibra300" checked' in form
    assert f'name="{name}" value="fibra1g" id="id_{name}-fibra1g">' in form  # not ticked


def test_changing_the_options_prices_the_line_again(client, rep, quote):
    line = quote.lines.get()
    before = line.unit_price
    client.force_login(rep)
    action = reverse("sales:quote_line_update", args=[quote.pk, line.pk])
    done = client.post(action, _form(line, ["fibra1g", "movil_basico", "ip_fija"]), follow=True)
    assert done.status_code == 200
    assert "Line changed" in done.content.decode()
    line.refresh_from_db()
    assert line.options == ["fibra1g", "movil_basico", "ip_fija", "instalacion"]
    assert line.unit_price - before == Decimal("23.00")  # Fibra 1 Gb +15, IP fija +8
    quote.refresh_from_db()
    assert quote.net == line.net


def test_a_refused_configuration_gives_the_apis_messages_and_changes_nothing(
    client, api_as, rep, quote, world
):
    line = quote.lines.get()
    bad = ["tv", "fibra300"]
    api = api_as(rep).patch(f"/quotes/{quote.pk}/lines/{line.pk}", json={"options": bad})
    assert api.status_code == 422
    expected = api.json()["errors"]["options"]
    assert len(expected) == 2  # tv excludes fibra300; no mobile line

    client.force_login(rep)
    action = reverse("sales:quote_line_update", args=[quote.pk, line.pk])
    refused = client.post(action, _form(line, bad))
    assert refused.status_code == 422
    assert refused.context["lines"][0].edit_form.errors["options"] == expected
    text = refused.content.decode()
    assert f'id="line-{line.pk}-edit" open' in text
    for message in expected:
        assert message.replace("'", "&#x27;") in text
    name = f"line-{line.pk}-options"
    assert f'value="tv" id="id_{name}-tv" checked' in text  # what was ticked stays ticked
    line.refresh_from_db()
    assert line.options == ["fibra300", "movil_basico", "instalacion"]


def test_a_product_without_options_has_no_option_box(client, rep, buyer, world):
    quote = quote_create(by=rep, customer_id=buyer.pk, lines=[LineData(world["router"].pk)])
    client.force_login(rep)
    page = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert "quote-line-options" not in page


def test_the_check_answers_what_the_save_would_without_saving(client, rep, quote):
    line = quote.lines.get()
    client.force_login(rep)
    url = reverse("sales:quote_line_check", args=[quote.pk, line.pk])
    refused = client.get(url, _form(line, ["fibra300", "movil_basico", "ip_fija"]))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert 'role="alert"' in body and "“IP fija” requires “Fibra 1 Gb”" in body
    priced = client.get(url, _form(line, ["fibra1g", "movil_basico", "ip_fija"], quantity="2"))
    body = priced.content.decode()
    assert "not saved yet" in body and 'role="alert"' not in body
    unit = line.unit_price + Decimal("23.00")
    assert f"{unit:.2f}".replace(".", ",") in body or f"{unit:.2f}" in body
    line.refresh_from_db()
    assert line.options[:2] == ["fibra300", "movil_basico"] and line.quantity == 1
    bad_quantity = client.get(url, _form(line, ["fibra300", "movil_basico"], quantity="-1"))
    assert 'role="alert"' in bad_quantity.content.decode()
