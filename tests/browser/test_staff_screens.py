"""The administration screens on a phone (375 px), light and dark, with axe: an
administrator finds *Users* in the sidebar's Settings group, filters the list, invites
a user and deactivates the rep (never himself)."""

import re

import pytest
from playwright.sync_api import expect

from panorama.accounts.models import User

from .checks import sideways, violations
from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _checked(page, theme):
    page.evaluate(f"localStorage.setItem('pn-theme', '{theme}')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    assert violations(page) == []
    assert sideways(page) == ""


def test_an_administrator_manages_users_on_a_phone(browser, live_server, admin_user, rep):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")

    page.get_by_role("button", name="Open menu").click()
    page.locator("#pn-sidebar").get_by_role("link", name="Users", exact=True).click()
    expect(page).to_have_url(re.compile(r"/settings/users/$"))
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    _checked(page, "light")
    _checked(page, "dark")

    page.goto(f"{live_server.url}/settings/users/?role=sales_rep")
    expect(page.locator("#staff-users-list")).to_contain_text("rep")
    expect(page.locator("#staff-users-list")).not_to_contain_text("admin@example.com")

    page.get_by_role("link", name="New user").first.click()
    page.locator("#id_username").fill("ana")
    page.locator("#id_email").fill("ana@example.com")
    page.locator("#id_role").select_option("analyst")
    page.get_by_role("button", name="Create the user").click()
    expect(page).to_have_url(re.compile(r"/settings/users/\d+/$"))
    expect(page.get_by_text("User ana created.")).to_be_visible()
    assert User.objects.get(username="ana").role == "analyst"
    _checked(page, "light")

    page.goto(f"{live_server.url}/settings/users/{rep.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    rep.refresh_from_db()
    assert rep.is_active is False
    assert sideways(page) == ""

    page.goto(f"{live_server.url}/settings/users/{admin_user.pk}/")
    expect(page.get_by_text("You cannot deactivate yourself.")).to_be_visible()
    context.close()


def test_the_other_settings_screens_pass_axe_on_a_phone(browser, live_server, admin_user, rep):
    """Teams, API tokens, custom fields (a field deactivated on its page) and the audit
    log at 375 px, light and dark; then an invited user's set-password page."""
    from panorama.accounts.services import user_create, user_password_link
    from tests.factories import CustomFieldDefinitionFactory

    field = CustomFieldDefinitionFactory(key="branch", label="Branch office")
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/customers/")

    for path, heading in [
        ("teams", "Teams"),
        ("tokens", "API tokens"),
        ("custom-fields", "Custom fields"),
        ("audit", "Audit log"),
    ]:
        page.goto(f"{live_server.url}/settings/{path}/")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        _checked(page, "light")
        _checked(page, "dark")

    page.goto(f"{live_server.url}/settings/custom-fields/{field.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("This field is inactive")).to_be_visible()
    _checked(page, "light")
    _checked(page, "dark")

    invited = user_create(by=admin_user, username="lucia")
    link = user_password_link(by=admin_user, user=invited)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    _checked(page, "light")
    _checked(page, "dark")
    page.locator("#id_new_password1").fill("Lince-ibérico-2026")
    page.locator("#id_new_password2").fill("Lince-ibérico-2026")
    page.get_by_role("button", name="Set my password and sign in").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    context.close()
