"""Field service in Chromium: the dispatch board (drag a work order onto a technician,
a refused move for a missing skill, "Move to…" on a phone) and the technician's day on
a 375 px phone (open an order, start it, use a part, the customer's signature drawn on
the canvas, a file that is not an image refused, the checklist, completion)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from panorama.channels.models import Interaction
from panorama.service.models import StockLevel, WorkOrder
from panorama.service.services.workorder import work_order_create, work_order_dispatch
from tests.service.field_world import field_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def column(page, name):
    return page.locator(".pn-kanban-column", has=page.get_by_role("heading", name=name, exact=True))


def card(page, text):
    return page.locator(".pn-kanban-card", has_text=text)


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


@pytest.fixture
def world(db):
    w = field_world()
    w.leak = work_order_create(by=None, asset_id=w.asset.pk, subject="Fuga de agua", skill="boiler")
    w.wifi = work_order_create(
        by=None, customer_id=w.customer.pk, subject="Wi-Fi lento", skill="fibre"
    )
    return w


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280x800", "375x812"])
def test_dispatch_board_drag_to_assign(page, sign_in, live_server, world, viewport, screenshots):
    page.set_viewport_size(viewport)
    sign_in("dispatcher")
    page.goto(f"{live_server.url}/service/dispatch/")
    expect(column(page, "Unassigned").locator(".pn-kanban-card")).to_have_count(2)
    assert _violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    if viewport is WIDE:
        # A boiler job onto the fibre technician: refused, the card comes back, with why.
        card(page, "Fuga de agua").drag_to(column(page, "Ana Vidal"))
        expect(page.locator(".pn-kanban-error")).to_contain_text("skill")
        expect(column(page, "Unassigned").locator(".pn-kanban-card")).to_have_count(2)
        card(page, "Fuga de agua").drag_to(column(page, "Luis Prieto"))
        expect(
            column(page, "Luis Prieto").locator(".pn-kanban-card", has_text="Fuga de agua")
        ).to_have_count(1)
        expect(page.locator(".pn-kanban-live")).to_contain_text("Luis Prieto")
        expect(column(page, "Luis Prieto").locator(".pn-kanban-count")).to_have_text("1")
    else:
        card(page, "Fuga de agua").get_by_role("button", name="Move…").click()
        page.get_by_role("dialog").get_by_role("button", name="Luis Prieto").click()
        expect(
            column(page, "Luis Prieto").locator(".pn-kanban-card", has_text="Fuga de agua")
        ).to_have_count(1)
        expect(page.locator(".pn-kanban-live")).to_contain_text("Luis Prieto")
    order = WorkOrder.objects.get(pk=world.leak.pk)
    assert order.technician == world.tech and order.status == "scheduled"
    assert timezone.localtime(order.scheduled_start).date() == timezone.localdate()
    page.screenshot(path=str(screenshots / f"dispatch-{viewport['width']}.png"), full_page=True)


def test_the_technicians_day_on_a_phone_with_the_signature(
    page, sign_in, live_server, world, screenshots
):
    work_order_dispatch(
        by=None, work_order_id=world.leak.pk, technician_id=world.tech.pk, day=timezone.localdate()
    )
    page.set_viewport_size(PHONE)
    sign_in("tech")
    page.goto(f"{live_server.url}/service/my-day/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="Fuga de agua").click()
    expect(page.locator("#coverage")).to_contain_text("Covered")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#wo-status")).to_have_text("In progress")

    # Parts: more than the van holds is refused; one is recorded.
    page.get_by_label("Quantity").fill("5")
    page.get_by_role("button", name="Add part").click()
    expect(page.locator("#wo-error")).to_contain_text("Only 2")
    page.get_by_label("Quantity").fill("1")
    page.get_by_role("button", name="Add part").click()
    expect(page.locator("#parts-used")).to_contain_text("1 × Válvula de presión")
    assert StockLevel.objects.get(location=world.van).quantity == 1

    # Saving an empty pad is refused in the page; a file that is not an image by the server.
    page.get_by_role("button", name="Save signature").click()
    expect(page.locator("[data-pn-signature-error]")).to_contain_text("sign first")
    page.locator("summary").click()
    page.get_by_label("Image (PNG or JPEG)").set_input_files(
        files=[{"name": "contrato.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("[data-pn-signature-error]")).to_contain_text("not one")

    # The finger (the mouse here) draws on the canvas; the PNG is uploaded.
    pad = page.locator("[data-pn-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(box["x"] + 20 + step * 35, box["y"] + 40 + (step % 2) * 50)
    page.mouse.up()
    page.get_by_label("Name of who signs").fill("Lucía Gómez")
    page.get_by_role("button", name="Save signature").click()
    expect(page.locator("#signed-by")).to_have_text("Signed by Lucía Gómez")
    order = WorkOrder.objects.get(pk=world.leak.pk)
    assert order.signature.read()[:8] == b"\x89PNG\r\n\x1a\n"

    # The checklist, the time, done: back to the day, on the customer's timeline.
    for box_ in page.locator("#complete-form input[type=checkbox]").all():
        box_.check()
    page.get_by_label("Minutes spent").fill("35")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Complete work order").click()
    page.wait_for_url(f"{live_server.url}/service/my-day/")
    expect(page.locator("#my-day")).to_contain_text("Done")
    assert WorkOrder.objects.get(pk=world.leak.pk).status == "done"
    assert Interaction.objects.filter(customer=world.customer, metadata__kind="work_order").exists()
    page.screenshot(path=str(screenshots / "my-day-375.png"), full_page=True)
