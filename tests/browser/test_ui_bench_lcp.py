"""The bench's paint figures, measured in the tests' own Chromium against the live
server: the list's LCP is measured, and neither the list's nor the ficha's load shifts
the layout (the issue's "layout shift < 0.01"), on a desktop and on a phone."""

import pytest

from panorama.accounts.models import Role
from panorama.bench import ui as bench_ui
from panorama.channels.models import Interaction
from panorama.customers.models import Identity
from tests.factories import (
    AddressFactory,
    ConsentFactory,
    CustomerFactory,
    CustomFieldDefinitionFactory,
    HoldingFactory,
    IdentityFactory,
    InteractionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VIEWPORTS = pytest.mark.parametrize(
    "viewport", [bench_ui.DESKTOP, bench_ui.PHONE], ids=["1280", "375"]
)


@VIEWPORTS
def test_the_list_paints_without_shifting(browser, live_server, viewport):
    CustomerFactory.create_batch(60)
    admin = UserFactory(username="bench-admin", role=Role.ADMIN)
    paint = bench_ui.list_paint(
        live_server.url, admin, print, runs=2, browser=browser, viewport=viewport
    )
    assert paint["ui_list_lcp_ms"] is not None and paint["ui_list_lcp_ms"] > 0
    assert paint["ui_list_cls"] is not None and paint["ui_list_cls"] < 0.01, paint


@VIEWPORTS
def test_the_ficha_paints_without_shifting(browser, live_server, viewport):
    """A ficha with something in most sections: properties, more data, identities, an
    address, a holding, a consent and a timeline with a "load more"."""
    CustomFieldDefinitionFactory(key="employees", label="Employees", type="integer")
    lucia = CustomerFactory(
        first_name="Lucía", last_name="Gómez", language="es", custom_fields={"employees": 12}
    )
    IdentityFactory(customer=lucia, kind=Identity.Kind.EMAIL, value="lucia@example.com")
    IdentityFactory(customer=lucia, kind=Identity.Kind.PHONE, value="+34600111222")
    AddressFactory(customer=lucia)
    HoldingFactory(customer=lucia)
    ConsentFactory(customer=lucia)
    for channel in (Interaction.Channel.PHONE, Interaction.Channel.EMAIL) * 30:
        InteractionFactory(customer=lucia, channel=channel)
    admin = UserFactory(username="bench-admin", role=Role.ADMIN)
    for tab in ("overview", "details"):
        paint = bench_ui.page_paint(
            live_server.url,
            admin,
            print,
            f"/customers/{lucia.pk}/?tab={tab}",
            runs=2,
            browser=browser,
            viewport=viewport,
        )
        print(f"ficha {tab} at {viewport['width']} px: {paint}")  # shown with -rP
        assert paint["lcp_ms"] is not None and paint["lcp_ms"] > 0
        assert paint["cls"] is not None and paint["cls"] < 0.01, (tab, paint)


def test_the_bench_measures_the_fichas_layout_shift_at_both_widths(browser, live_server):
    """``ui_ficha_cls`` and ``ui_ficha_cls_375`` as the bench writes them to its JSON."""
    from panorama.bench.parts import JSON_KEYS

    lucia = CustomerFactory(first_name="Lucía", last_name="Gómez")
    HoldingFactory(customer=lucia)
    for _ in range(25):
        InteractionFactory(customer=lucia)
    admin = UserFactory(username="bench-admin", role=Role.ADMIN)
    figures = bench_ui.ficha_paint(live_server.url, admin, print, lucia.pk, runs=1, browser=browser)
    assert set(figures) == {"ui_ficha_cls", "ui_ficha_cls_375"} <= set(JSON_KEYS)
    assert figures["ui_ficha_cls"] is not None and figures["ui_ficha_cls"] < 0.01, figures
    assert figures["ui_ficha_cls_375"] is not None and figures["ui_ficha_cls_375"] < 0.01
