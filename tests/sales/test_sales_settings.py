# ruff: noqa: F811  (the fixtures imported from quote_world are parameters below)
"""The quote approval threshold, set by administrators in the app: the environment's
value until changed, each change audited (who, when, from → to, why), applied to a
quote from its next line change, refused to anyone else and when out of range."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.sales.models import SalesSettingChange
from panorama.sales.services.quote import (
    LineData,
    needs_approval,
    quote_create,
    quote_line_add,
    quote_request_approval,
)
from panorama.sales.services.settings import Key, sales_setting, sales_setting_change

from .quote_world import buyer, manager, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_the_environment_gives_the_default_until_an_administrator_changes_it(
    admin_user, settings, emitted
):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    assert sales_setting(Key.QUOTE_APPROVAL_DISCOUNT) == Decimal(10)
    with emitted() as events:
        change = sales_setting_change(
            by=admin_user, key=Key.QUOTE_APPROVAL_DISCOUNT, value="12,5", comment="Campaña"
        )
    assert sales_setting(Key.QUOTE_APPROVAL_DISCOUNT) == Decimal("12.5")
    assert (change.previous, change.value, change.changed_by, change.comment) == (
        "10",
        "12.50",
        admin_user,
        "Campaña",
    )
    assert events == [
        (
            "sales.setting_changed",
            {
                "key": "quote_approval_discount",
                "value": "12.50",
                "previous": "10",
                "by": admin_user.pk,
            },
        )
    ]
    # The environment no longer decides.
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 50
    assert sales_setting(Key.QUOTE_APPROVAL_DISCOUNT) == Decimal("12.5")


def test_only_administrators_change_it_and_only_to_a_percentage(rep, manager, admin_user):
    for user in (rep, manager):
        with pytest.raises(PermissionDenied):
            sales_setting_change(by=user, key=Key.QUOTE_APPROVAL_DISCOUNT, value=5)
    for bad in ("-1", "101", "abc", "5.555", "NaN", True):
        with pytest.raises(ValidationFailed) as refused:
            sales_setting_change(by=admin_user, key=Key.QUOTE_APPROVAL_DISCOUNT, value=bad)
        assert refused.value.field == "quote_approval_discount"
    assert not SalesSettingChange.objects.exists()


def test_a_new_threshold_applies_from_the_next_quote_line(rep, buyer, world, admin_user, settings):
    settings.PANORAMA_QUOTE_APPROVAL_DISCOUNT = 10
    quote = quote_create(
        by=rep,
        customer_id=buyer.pk,
        lines=[LineData(product_id=world["router"].pk, manual_discount_percent=8)],
    )
    assert not needs_approval(quote)

    sales_setting_change(by=admin_user, key=Key.QUOTE_APPROVAL_DISCOUNT, value=5)
    quote.refresh_from_db()
    # The priced quote keeps the threshold it was priced under...
    assert quote.approval_threshold == Decimal(10) and not needs_approval(quote)
    # ...and its next line is priced under the new one: 8 % now needs approval.
    quote_line_add(by=rep, quote_id=quote.pk, line=LineData(product_id=world["router"].pk))
    quote.refresh_from_db()
    assert quote.approval_threshold == Decimal(5) and needs_approval(quote)
    quote_request_approval(by=rep, quote_id=quote.pk)


def test_the_settings_page_changes_it_and_shows_the_history(client, admin_user, manager):
    client.force_login(admin_user)
    url = reverse("sales:approval_threshold_save")
    bad = client.post(url, {"approval-threshold": "120", "approval-comment": ""})
    assert bad.status_code == 422
    assert "between 0 and 100" in bad.content.decode()
    ok = client.post(url, {"approval-threshold": "15", "approval-comment": "Nuevo año"})
    assert ok.status_code == 302
    page = client.get(reverse("sales:pipeline_settings")).content.decode()
    assert "Nuevo año" in page and "15" in page

    client.force_login(manager)  # reads it, has no form, cannot post
    page = client.get(reverse("sales:pipeline_settings")).content.decode()
    assert "data-threshold" in page and url not in page
    assert client.post(url, {"approval-threshold": "1"}).status_code == 403
    assert sales_setting(Key.QUOTE_APPROVAL_DISCOUNT) == Decimal(15)


def test_the_api_reads_and_changes_it(api_as, admin_user, rep):
    assert (
        api_as(rep).patch("/sales-settings", json={"quote_approval_discount": 3}).status_code == 403
    )
    api = api_as(admin_user)
    changed = api.patch("/sales-settings", json={"quote_approval_discount": "7.5", "comment": "x"})
    assert changed.status_code == 200, changed.content
    assert Decimal(changed.json()["quote_approval_discount"]) == Decimal("7.5")
    assert changed.json()["history"][0]["value"] == "7.50"
    bad = api.patch("/sales-settings", json={"quote_approval_discount": "200"})
    assert bad.status_code == 422
    assert api_as(rep).get("/sales-settings").json()["history"][0]["comment"] == "x"
