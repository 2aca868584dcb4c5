"""Field service pages: the installed base on the ficha, an asset's coverage and
history, the case's coverage, the dispatch board (bounded queries, a move answered in
JSON), the technician's day and a work order done from the phone, the parts stock."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from panorama.service.models import StockLevel, WorkOrder
from panorama.service.services.case import case_open
from panorama.service.services.workorder import work_order_create, work_order_dispatch

from .field_world import field_world, tiny_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return field_world()


def orders(w, n, **kwargs):
    made = []
    for i in range(n):
        order = work_order_create(by=None, asset_id=w.asset.pk, subject=f"Visita {i}", **kwargs)
        made.append(order)
    return made


def test_the_ficha_shows_the_installed_base(client, w):
    client.force_login(w.dispatcher)
    page = client.get(f"/customers/{w.customer.pk}/?tab=service").content.decode()
    assert "Installed base" in page and "Caldera Eco 24" in page and "Q-77" in page


def test_asset_page_shows_coverage_and_history(client, w):
    order = orders(w, 1)[0]
    case = case_open(
        by=w.dispatcher, customer_id=w.customer.pk, subject="Fuga", asset_id=w.asset.pk
    )
    client.force_login(w.dispatcher)
    page = client.get(f"/service/assets/{w.asset.pk}/").content.decode()
    assert 'data-covered="true"' in page and "Mantenimiento Oro" in page
    assert order.reference in page and case.reference in page and "Quemador" in page
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'data-covered="true"' in page and "New work order" in page
    component = client.get(f"/service/assets/{w.component.pk}/").content.decode()
    assert 'data-covered="false"' in component


def test_a_work_order_from_a_case(client, w):
    case = case_open(
        by=w.dispatcher,
        customer_id=w.customer.pk,
        subject="Fuga",
        asset_id=w.asset.pk,
        skill="boiler",
    )
    client.force_login(w.dispatcher)
    form = client.get(f"/service/work-orders/new/?case={case.pk}").content.decode()
    assert 'value="Fuga"' in form
    answer = client.post(
        f"/service/work-orders/new/?case={case.pk}",
        {
            "subject": "Fuga en caldera",
            "asset": w.asset.pk,
            "skill": "boiler",
            "duration_minutes": 90,
        },
    )
    order = WorkOrder.objects.get(case=case)
    assert answer.status_code == 302 and order.asset == w.asset and order.source == "case"


def test_dispatch_board_is_bounded_and_a_move_answers_json(
    client, w, django_assert_max_num_queries
):
    made = orders(w, 6, skill="boiler")
    for order in made[:3]:
        work_order_dispatch(by=None, work_order_id=order.pk, technician_id=w.tech.pk)
    client.force_login(w.dispatcher)
    with django_assert_max_num_queries(16):
        page = client.get("/service/dispatch/")
    html = page.content.decode()
    assert page.status_code == 200 and "Luis Prieto" in html and "Ana Vidal" in html
    assert html.count('pn-kanban-card"') == 6
    refused = client.post(f"/service/dispatch/{made[4].pk}/move/?day=", {"stage_id": w.tech2.pk})
    assert refused.status_code == 422 and "skill" in refused.json()["detail"]
    moved = client.post(f"/service/dispatch/{made[4].pk}/move/", {"stage_id": w.tech.pk})
    assert moved.status_code == 200
    assert moved.json()["columns"][str(w.tech.pk)]["count"] == 4
    assert moved.json()["columns"]["0"]["count"] == 2
    # A week shows the same orders; a technician may not open the board.
    assert client.get("/service/dispatch/?span=week").status_code == 200
    assert client.get("/service/dispatch/?day=nope").status_code == 422
    client.force_login(w.tech)
    assert client.get("/service/dispatch/").status_code == 403


def test_my_day_and_a_work_order_done_from_the_phone(client, w, django_assert_max_num_queries):
    made = orders(w, 4)
    for order in made:
        work_order_dispatch(
            by=None, work_order_id=order.pk, technician_id=w.tech.pk, day=timezone.localdate()
        )
    client.force_login(w.tech)
    with django_assert_max_num_queries(10):
        page = client.get("/service/my-day/")
    assert page.content.decode().count("pn-day-link") == 4
    first = made[0]
    detail = client.get(f"/service/work-orders/{first.pk}/").content.decode()
    assert "Start" in detail and 'data-covered="true"' in detail
    client.post(f"/service/work-orders/{first.pk}/status/", {"status": "in_progress"})
    too_many = client.post(
        f"/service/work-orders/{first.pk}/parts/", {"part": w.valve.pk, "quantity": 9}
    )
    assert too_many.status_code == 409 and "Only 2" in too_many.content.decode()
    client.post(f"/service/work-orders/{first.pk}/parts/", {"part": w.valve.pk, "quantity": 1})
    not_image = client.post(
        f"/service/work-orders/{first.pk}/sign/",
        {"signed_by": "Lucía", "signature": SimpleUploadedFile("x.png", b"GIF89a?", "image/png")},
        HTTP_ACCEPT="application/json",
    )
    assert not_image.status_code == 422 and "not one" in not_image.json()["detail"]
    signed = client.post(
        f"/service/work-orders/{first.pk}/sign/",
        {"signed_by": "Lucía", "signature": SimpleUploadedFile("s.png", tiny_png(), "image/png")},
        HTTP_ACCEPT="application/json",
    )
    assert signed.status_code == 200
    assert client.get(f"/service/work-orders/{first.pk}/signature.png").status_code == 200
    done = client.post(
        f"/service/work-orders/{first.pk}/complete/",
        {"checklist": ["0", "1", "2"], "minutes_spent": "40", "notes": "OK"},
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.status == "done"
    # The other technician does not see it.
    client.force_login(w.tech2)
    assert client.get(f"/service/work-orders/{first.pk}/").status_code == 404


def test_stock_page_lists_reorders_and_transfers(client, w):
    StockLevel.objects.filter(location=w.van).update(quantity=0)
    client.force_login(w.dispatcher)
    low = client.get("/service/parts/?low=1").content.decode()
    assert (
        "Furgoneta Luis" in low
        and "Almacén central" not in low.split('id="stock"')[1].split("</table>")[0]
    )
    refused = client.post(
        "/service/parts/transfer/",
        {
            "part": w.valve.pk,
            "from_location": w.van.pk,
            "to_location": w.warehouse.pk,
            "quantity": 3,
        },
    )
    assert refused.status_code == 409 or refused.status_code == 422
    assert "Only 0" in refused.content.decode()
    ok = client.post(
        "/service/parts/transfer/",
        {
            "part": w.valve.pk,
            "from_location": w.warehouse.pk,
            "to_location": w.van.pk,
            "quantity": 3,
        },
    )
    assert ok.status_code == 302
    assert StockLevel.objects.get(location=w.van).quantity == 3


def test_contracts_page_lists_the_renewals(client, w):
    client.force_login(w.dispatcher)
    assert "Mantenimiento Oro" in client.get("/service/contracts/").content.decode()
    assert "Mantenimiento Oro" not in client.get("/service/contracts/?ending=30").content.decode()
    w.contract.ends_on = timezone.localdate() + datetime.timedelta(days=10)
    w.contract.save()
    assert "Mantenimiento Oro" in client.get("/service/contracts/?ending=30").content.decode()
    assert (
        "Mantenimiento Oro" in client.get(f"/service/contracts/{w.contract.pk}/").content.decode()
    )


def test_a_case_opened_from_an_asset_page_carries_the_asset(client, w):
    client.force_login(w.dispatcher)
    page = client.get(f"/service/assets/{w.asset.pk}/").content.decode()
    assert f"?customer={w.customer.pk}&amp;asset={w.asset.pk}" in page
    form = client.get(f"/service/cases/new/?customer={w.customer.pk}&asset={w.asset.pk}")
    assert f"asset={w.asset.pk}" in form.content.decode()
    answer = client.post(
        f"/service/cases/new/?customer={w.customer.pk}&asset={w.asset.pk}",
        {
            "customer": w.customer.pk,
            "subject": "Ruido",
            "type": "incident",
            "priority": "normal",
            "channel": "phone",
        },
    )
    assert answer.status_code == 302
    from panorama.service.models import Case

    case = Case.objects.get(subject="Ruido")
    assert case.asset == w.asset and case.product == w.boiler


def test_a_contract_is_created_from_the_asset_page_and_covers_it(client, w):
    from panorama.service.models import ServiceContract
    from panorama.service.selectors.field import asset_coverage

    client.force_login(w.dispatcher)
    ServiceContract.objects.all().delete()
    assert "Cover with a contract" in client.get(f"/service/assets/{w.asset.pk}/").content.decode()
    url = f"/service/customers/{w.customer.pk}/contracts/new/"
    form = client.get(f"{url}?asset={w.asset.pk}").content.decode()
    assert "SN-0001" in form and "checked" in form
    today = timezone.localdate()
    bad = client.post(
        url,
        {
            "name": "Plata",
            "kind": "contract",
            "starts_on": today,
            "ends_on": today - datetime.timedelta(days=1),
            "assets": [w.asset.pk],
            "renewal_notice_days": 30,
        },
    )
    assert bad.status_code == 422 and not ServiceContract.objects.exists()
    response = client.post(
        url,
        {
            "name": "Plata",
            "kind": "contract",
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=365),
            "assets": [w.asset.pk],
            "visits_included": 2,
            "renewal_notice_days": 30,
        },
    )
    contract = ServiceContract.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/service/contracts/{contract.pk}/"
    )
    assert (contract.name, contract.visits_included, contract.owner) == ("Plata", 2, w.dispatcher)
    assert asset_coverage(w.asset).covered


def test_the_board_filtered_by_area_shows_its_technicians_and_orders(client, w):
    north = work_order_create(by=None, customer_id=w.customer.pk, subject="N", area="Madrid Norte")
    south = work_order_create(by=None, customer_id=w.customer.pk, subject="S", area="Madrid Sur")
    anywhere = work_order_create(by=None, customer_id=w.customer.pk, subject="A")
    client.force_login(w.dispatcher)
    page = client.get("/service/dispatch/", {"area": "Madrid Sur"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ana Vidal" in html and "Luis Prieto" not in html  # only who covers it
    shown = {card.pk for column in page.context["columns"] for card in column["cards"]}
    assert shown == {south.pk, anywhere.pk} and north.pk not in shown
    # The area is kept by the period links and the choice is offered.
    assert "area=Madrid%20Sur" in html
    assert '<option value="Madrid Norte">' in html


def test_an_asset_is_edited_from_its_page(client, w):
    client.force_login(w.dispatcher)
    page = client.get(f"/service/assets/{w.asset.pk}/")
    assert f"/service/assets/{w.asset.pk}/edit/" in page.content.decode()
    form = client.get(f"/service/assets/{w.asset.pk}/edit/")
    assert form.status_code == 200 and 'value="SN-0001"' in form.content.decode()
    data = {"product": w.asset.product_id, "serial_number": "SN-0001", "site": "Garaje"}
    assert client.post(f"/service/assets/{w.asset.pk}/edit/", data).status_code == 302
    w.asset.refresh_from_db()
    assert w.asset.site == "Garaje"
    bad = client.post(f"/service/assets/{w.asset.pk}/edit/", {**data, "install_date": "2999-01-01"})
    assert bad.status_code == 422 and "future" in bad.content.decode()


def test_a_card_dropped_on_the_week_board_keeps_its_day(client, w):
    """A week's column is a technician for the whole week: a dropped card keeps the day
    it was planned for; one with no day goes to the week's first day (a future week)."""
    monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    thursday = monday + datetime.timedelta(days=3)
    planned, unplanned = orders(w, 2, skill="boiler")
    work_order_dispatch(by=None, work_order_id=planned.pk, technician_id=w.tech.pk, day=thursday)
    client.force_login(w.dispatcher)
    week = f"?day={monday.isoformat()}&span=week"
    # Given to the other technician with the skill, or back and forth: still Thursday.
    assert (
        client.post(f"/service/dispatch/{planned.pk}/move/{week}", {"stage_id": 0}).status_code
        == 200
    )
    moved = client.post(f"/service/dispatch/{planned.pk}/move/{week}", {"stage_id": w.tech.pk})
    assert moved.status_code == 200
    planned.refresh_from_db()
    assert timezone.localtime(planned.scheduled_start).date() == thursday
    # On a day's board the drop schedules on the day shown, as before.
    day = f"?day={(monday + datetime.timedelta(days=1)).isoformat()}"
    client.post(f"/service/dispatch/{planned.pk}/move/{day}", {"stage_id": w.tech.pk})
    planned.refresh_from_db()
    assert timezone.localtime(planned.scheduled_start).date() == monday + datetime.timedelta(days=1)
    # No day yet: the week's first day, since today is not in that week.
    client.post(f"/service/dispatch/{unplanned.pk}/move/{week}", {"stage_id": w.tech.pk})
    unplanned.refresh_from_db()
    assert timezone.localtime(unplanned.scheduled_start).date() == monday
