"""The pipeline board in Chromium: drag a card with the mouse, move one with the
keyboard, a refused move that puts the card back with the server's message, the lost
reason asked in a dialog; at 1280×800 and 375×812 (the board scrolls sideways, the page
does not); axe finds nothing."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from panorama.accounts.models import Role
from panorama.sales.models import Opportunity
from panorama.sales.services.opportunity import opportunity_create
from tests.factories import (
    CustomerFactory,
    LostReasonFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def world(db):
    team = TeamFactory(name="Madrid Centro")
    rep = UserFactory(
        username="rep", first_name="Elena", last_name="Martín", role=Role.SALES_REP, teams=[team]
    )
    pipeline = pipeline_with_stages()
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez", owner=rep, team=team)
    for name, amount in [("Fibra 600", 1200), ("Alarma", 300), ("Renting", 50)]:
        opportunity_create(by=rep, customer_id=customer.pk, name=name, amount=amount)
    LostReasonFactory(name="Precio")
    return {"rep": rep, "pipeline": pipeline}


def column(page, name):
    return page.locator(".pn-kanban-column", has=page.get_by_role("heading", name=name, exact=True))


def card(page, name):
    return page.locator(".pn-kanban-card", has_text=name)


def totals(page, name):
    col = column(page, name)
    return col.locator(".pn-kanban-count").inner_text(), col.locator(
        ".pn-kanban-total"
    ).inner_text()


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280x800", "375x812"])
def test_drag_keyboard_and_refused_moves(page, sign_in, live_server, world, viewport, screenshots):
    page.set_viewport_size(viewport)
    sign_in("rep")
    page.goto(f"{live_server.url}/sales/board/{world['pipeline'].pk}/")
    expect(column(page, "Qualify").locator(".pn-kanban-card")).to_have_count(3)
    assert totals(page, "Qualify") == ("3", "€1,550.00")
    assert _violations(page) == []
    # The page itself never scrolls sideways; on a phone the board does.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    if viewport is PHONE:
        board = page.locator(".pn-kanban-columns")
        assert board.evaluate("b => b.scrollWidth > b.clientWidth")

    # The keyboard: Space picks up, the arrow carries it, Space drops it; announced.
    fibra = card(page, "Fibra 600")
    fibra.focus()
    page.keyboard.press("Space")
    expect(page.locator(".pn-kanban-live")).to_contain_text("picked up")
    page.keyboard.press("ArrowRight")
    expect(column(page, "Propose").locator(".pn-kanban-card", has_text="Fibra 600")).to_have_count(
        1
    )
    page.keyboard.press("Space")
    expect(page.locator(".pn-kanban-live")).to_contain_text("moved to Propose")
    assert totals(page, "Propose") == ("1", "€1,200.00")
    assert totals(page, "Qualify") == ("2", "€350.00")
    assert Opportunity.objects.get(name="Fibra 600").stage.name == "Propose"
    expect(fibra).to_be_focused()

    # Escape puts a picked-up card back where it was.
    fibra.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    expect(column(page, "Propose").locator(".pn-kanban-card", has_text="Fibra 600")).to_have_count(
        1
    )

    # Refused: Negotiate needs an expected close date. The card comes back, with why.
    fibra.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(page.locator(".pn-kanban-error")).to_contain_text("expected close date")
    expect(column(page, "Propose").locator(".pn-kanban-card", has_text="Fibra 600")).to_have_count(
        1
    )
    expect(column(page, "Negotiate").locator(".pn-kanban-count")).to_have_text("0")
    assert totals(page, "Propose") == ("1", "€1,200.00")

    if viewport is WIDE:
        # The mouse: drag "Alarma" onto Won.
        card(page, "Alarma").drag_to(column(page, "Won"))
        expect(column(page, "Won").locator(".pn-kanban-card", has_text="Alarma")).to_have_count(1)
        expect(page.locator(".pn-kanban-live")).to_contain_text("moved to Won")
        assert totals(page, "Won") == ("1", "€300.00")
        assert Opportunity.objects.get(name="Alarma").status == "won"
    else:
        # On a phone: the card's "Move…" button and the "Move to…" dialog.
        card(page, "Alarma").get_by_role("button", name="Move…").click()
        page.get_by_role("dialog").get_by_role("button", name="Won").click()
        expect(column(page, "Won").locator(".pn-kanban-card", has_text="Alarma")).to_have_count(1)
        expect(column(page, "Won").locator(".pn-kanban-total")).to_have_text("€300.00")
        expect(page.locator(".pn-kanban-live")).to_contain_text("moved to Won")

    # Lost needs a reason: the dialog asks for it, and the move is retried with it.
    renting = card(page, "Renting")
    if viewport is WIDE:
        renting.drag_to(column(page, "Lost"))
    else:
        renting.get_by_role("button", name="Move…").click()
        page.get_by_role("dialog").get_by_role("button", name="Lost").click()
    dialog = page.get_by_role("dialog", name="Why was it lost?")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Lost reason").select_option(label="Precio")
    dialog.get_by_role("button", name="Move").click()
    expect(column(page, "Lost").locator(".pn-kanban-card", has_text="Renting")).to_have_count(1)
    expect(column(page, "Lost").locator(".pn-kanban-total")).to_have_text("€50.00")
    expect(page.locator(".pn-kanban-live")).to_contain_text("moved to Lost")  # the server's
    assert Opportunity.objects.get(name="Renting").lost_reason.name == "Precio"
    page.screenshot(path=str(screenshots / f"board-{viewport['width']}.png"), full_page=True)


def test_a_refused_move_for_a_read_only_role_puts_the_card_back(page, sign_in, live_server, world):
    page.set_viewport_size(WIDE)
    UserFactory(username="analyst", role=Role.ANALYST)
    sign_in("analyst")
    page.goto(f"{live_server.url}/sales/board/{world['pipeline'].pk}/")
    card(page, "Fibra 600").drag_to(column(page, "Won"))
    expect(page.locator(".pn-kanban-error")).to_have_text(
        "Your role can read sales records but not change them."
    )
    expect(column(page, "Qualify").locator(".pn-kanban-card", has_text="Fibra 600")).to_have_count(
        1
    )
    assert totals(page, "Won") == ("0", "€0.00")
    assert totals(page, "Qualify") == ("3", "€1,550.00")
    assert Opportunity.objects.get(name="Fibra 600").stage.name == "Qualify"
