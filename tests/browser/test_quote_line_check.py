# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""A quote line's "Change" form answers at each tick (issue 9): the server prices the
change with the service the save runs and shows the price, or the configurator's
refusal, at once; nothing is saved until *Save*."""

import pytest
from playwright.sync_api import expect

from panorama.sales.services.quote import LineData, quote_create
from tests.sales.quote_world import buyer, world  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ticking_an_option_checks_and_prices_it_without_saving(
    sign_in, page, live_server, rep, buyer, world
):
    quote = quote_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["pack"].pk, options=["fibra300", "movil_basico"])],
    )
    line = quote.lines.get()
    sign_in("rep")
    page.goto(f"{live_server.url}/sales/quotes/{quote.pk}/")
    edit = page.locator(f"#line-{line.pk}-edit")
    edit.locator("summary").click()
    check = page.locator(f"#line-{line.pk}-check")

    # A tick that breaks a rule: the configurator's message at once, in the form.
    edit.get_by_label("IP fija").check()
    expect(check.get_by_role("alert")).to_contain_text("“IP fija” requires “Fibra 1 Gb”")

    # Making it valid: the price the save would give, said to be unsaved.
    edit.get_by_label("Fibra 300 Mb").uncheck()
    edit.get_by_label("Fibra 1 Gb").check()
    expect(check.get_by_role("status")).to_contain_text("not saved yet")
    expect(check.locator('[data-pn-check="unit"]')).not_to_have_text("")
    expect(check.get_by_role("alert")).to_have_count(0)
    line.refresh_from_db()
    assert line.options[:2] == ["fibra300", "movil_basico"]  # nothing saved

    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Line changed")).to_be_visible()
    line.refresh_from_db()
    assert "fibra1g" in line.options and "ip_fija" in line.options
