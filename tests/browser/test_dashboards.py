"""The dashboards in Chromium: charts drawn from our own origin, accessible in both
themes, fitting a phone, and a label of the data opening the customers behind it."""

from playwright.sync_api import expect

from panorama.analytics.warehouse import load
from tests.analytics.conftest import shop, wh_settings  # noqa: F401  (fixtures)
from tests.browser.checks import sideways, violations

PHONE = {"width": 375, "height": 812}


def test_a_dashboard_draws_its_charts_and_drills_down(page, live_server, sign_in, shop):  # noqa: F811
    load.warehouse_build()
    shop["analyst"].set_password("secret-pass-123")
    shop["analyst"].save()
    sign_in("carla")
    page.goto(f"{live_server.url}/analytics/dashboards/commercial/")
    expect(page.get_by_role("heading", name="Commercial direction", level=1)).to_be_visible()
    revenue = page.locator("[data-pn-widget=revenue] canvas")
    expect(revenue).to_be_visible()
    page.wait_for_function(
        "document.querySelector('[data-pn-widget=revenue] canvas').pnChart !== undefined"
    )
    for theme in ("light", "dark"):
        page.evaluate(f"localStorage.setItem('pn-theme', '{theme}')")
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
        assert violations(page) == [], theme

    page.set_viewport_size(PHONE)
    page.reload()
    assert sideways(page) == ""

    activity = page.locator("[data-pn-widget=activity]")
    activity.get_by_text("Data").click()
    activity.get_by_role("link", name="phone").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("phone")
    expect(page.get_by_role("link", name="Laura Gómez")).to_be_visible()
    assert sideways(page) == ""


def test_the_report_editor_swaps_the_columns_in_place(page, live_server, sign_in, shop):  # noqa: F811
    page.set_default_timeout(60_000)  # a loaded machine: nothing here is timed
    page.set_default_navigation_timeout(90_000)
    load.warehouse_build()
    shop["analyst"].set_password("secret-pass-123")
    shop["analyst"].save()
    sign_in("carla")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/analytics/reports/new/")
    page.evaluate("window.pnSameDocument = true")
    source = page.get_by_role("combobox", name="Data")
    source.select_option("mart_marketing_campaigns")
    expect(page.locator("#mc0 option[value=opened]")).to_be_attached()
    expect(page.get_by_role("checkbox", name="Campaign", exact=True)).to_be_visible()
    assert page.evaluate("window.pnSameDocument") is True  # no full reload
    assert "source=mart_marketing_campaigns" in page.url  # Back and reload keep it
    source.select_option("mart_commercial_pipeline")
    expect(page.get_by_role("checkbox", name="Stage", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Campaign", exact=True)).to_have_count(0)
    assert violations(page) == [] and sideways(page) == ""

    page.get_by_label("Name", exact=True).fill("Pipeline")
    page.get_by_role("checkbox", name="Stage", exact=True).check()
    page.get_by_label("Measure 1", exact=True).select_option("amount")
    page.get_by_role("button", name="Save report").click()
    page.get_by_role("link", name="Send by e-mail").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("by e-mail")
    assert violations(page) == [] and sideways(page) == ""
