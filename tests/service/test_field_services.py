"""Field service writes: coverage, dispatch by skill, stock that cannot go negative,
transfers, completion onto the timeline and the asset's history, the sweeps."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from panorama.service.models import (
    MaintenancePlan,
    ServiceContract,
    StockLevel,
    StockMove,
    WorkOrder,
)
from panorama.service.selectors.field import asset_coverage, work_orders_visible_to
from panorama.service.services.asset import asset_register, contract_renewal_sweep
from panorama.service.services.parts import (
    OutOfStock,
    reorder_sweep,
    stock_transfer,
    work_order_use_part,
)
from panorama.service.services.workorder import (
    maintenance_sweep,
    work_order_complete,
    work_order_create,
    work_order_dispatch,
    work_order_set_status,
    work_order_sign,
)

from ..factories import UserFactory
from .field_world import field_world, tiny_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return field_world()


def dispatched(w, **kwargs):
    order = work_order_create(
        by=w.dispatcher, asset_id=w.asset.pk, subject="Revisión anual", skill="boiler", **kwargs
    )
    return work_order_dispatch(
        by=w.dispatcher, work_order_id=order.pk, technician_id=w.tech.pk, day=timezone.localdate()
    )


def test_coverage_by_asset_by_product_and_outside_its_dates(w):
    today = timezone.localdate()
    cover = asset_coverage(w.asset, on=today)
    assert cover.covered and cover.contract == w.contract and cover.visits_left == 2
    assert not asset_coverage(w.asset, on=w.contract.ends_on + datetime.timedelta(days=1)).covered
    # The component is not named by the contract: not covered, with the reason.
    cover = asset_coverage(w.component, on=today)
    assert not cover.covered and "No contract" in cover.reason
    # A warranty on its product covers it.
    from panorama.service.services.asset import contract_create

    contract_create(
        by=None,
        customer_id=w.customer.pk,
        name="Garantía quemador",
        kind="warranty",
        starts_on=today,
        ends_on=today,
        product_ids=[w.burner.pk],
    )
    assert asset_coverage(w.component, on=today).covered
    # Visits used up: not covered any more, and it says why.
    ServiceContract.objects.filter(pk=w.contract.pk).update(visits_used=2)
    cover = asset_coverage(w.asset, on=today)
    assert not cover.covered and "no visits or hours left" in cover.reason


def test_serial_number_is_unique_per_product(w):
    with pytest.raises(ValidationFailed, match="already registered"):
        asset_register(
            by=None, customer_id=w.customer.pk, product_id=w.boiler.pk, serial_number="SN-0001"
        )
    # The same serial number on another product is fine.
    asset_register(
        by=None, customer_id=w.customer.pk, product_id=w.burner.pk, serial_number="SN-0001"
    )


def test_dispatch_needs_the_skill_and_schedules_on_the_first_free_slot(w, emitted):
    order = work_order_create(by=w.dispatcher, asset_id=w.asset.pk, subject="Ruido", skill="boiler")
    assert order.reference.startswith("WO-") and order.contract == w.contract
    with pytest.raises(ValidationFailed, match="skill"):
        work_order_dispatch(by=w.dispatcher, work_order_id=order.pk, technician_id=w.tech2.pk)
    day = timezone.localdate()
    with emitted() as events:
        first = work_order_dispatch(
            by=w.dispatcher, work_order_id=order.pk, technician_id=w.tech.pk, day=day
        )
    assert first.status == "scheduled"
    assert timezone.localtime(first.scheduled_start).time() == datetime.time(9, 0)
    assert [name for name, _ in events] == ["work_order.dispatched", "work_order.status_changed"]
    second = dispatched(w)
    assert timezone.localtime(second.scheduled_start).time() == datetime.time(10, 0)
    # A technician may not dispatch.
    with pytest.raises(PermissionDenied):
        work_order_dispatch(by=w.tech, work_order_id=order.pk, technician_id=None)


def test_using_more_parts_than_in_stock_is_refused_and_writes_nothing(w):
    order = dispatched(w)
    with pytest.raises(OutOfStock, match="Only 2"):
        work_order_use_part(by=w.tech, work_order_id=order.pk, part_id=w.valve.pk, quantity=3)
    assert StockLevel.objects.get(location=w.van, part=w.valve).quantity == 2
    assert not StockMove.objects.filter(work_order=order).exists()
    work_order_use_part(by=w.tech, work_order_id=order.pk, part_id=w.valve.pk, quantity=2)
    assert StockLevel.objects.get(location=w.van, part=w.valve).quantity == 0
    with pytest.raises(ValidationFailed, match="quantity"):
        work_order_use_part(by=w.tech, work_order_id=order.pk, part_id=w.valve.pk, quantity=0)


def test_transfer_moves_stock_and_refuses_more_than_the_origin_holds(w, emitted):
    with emitted() as events:
        stock_transfer(
            by=w.dispatcher,
            part_id=w.valve.pk,
            from_location_id=w.warehouse.pk,
            to_location_id=w.van.pk,
            quantity=5,
        )
    levels = dict(StockLevel.objects.values_list("location_id", "quantity"))
    assert levels[w.warehouse.pk] == 15 and levels[w.van.pk] == 7
    assert events[0][0] == "stock.transferred"
    with pytest.raises(OutOfStock):
        stock_transfer(
            by=w.dispatcher,
            part_id=w.valve.pk,
            from_location_id=w.van.pk,
            to_location_id=w.warehouse.pk,
            quantity=8,
        )
    assert dict(StockLevel.objects.values_list("location_id", "quantity")) == levels
    with pytest.raises(PermissionDenied):
        stock_transfer(
            by=w.tech,
            part_id=w.valve.pk,
            from_location_id=w.warehouse.pk,
            to_location_id=w.van.pk,
            quantity=1,
        )


def test_completion_needs_checklist_and_signature_then_writes_timeline_and_history(w, emitted):
    order = dispatched(w)
    work_order_set_status(by=w.tech, work_order_id=order.pk, status="in_progress")
    work_order_use_part(by=w.tech, work_order_id=order.pk, part_id=w.valve.pk, quantity=1)
    every = list(range(len(order.checklist)))
    with pytest.raises(ValidationFailed, match="signature"):
        work_order_complete(
            by=w.tech, work_order_id=order.pk, minutes_spent=45, checklist_done=every
        )
    with pytest.raises(ValidationFailed, match="not one"):
        work_order_sign(
            by=w.tech,
            work_order_id=order.pk,
            content=b"%PDF-1.4 not an image",
            signed_by="Lucía Gómez",
        )
    work_order_sign(by=w.tech, work_order_id=order.pk, content=tiny_png(), signed_by="Lucía Gómez")
    with pytest.raises(ValidationFailed, match="checklist"):
        work_order_complete(
            by=w.tech, work_order_id=order.pk, minutes_spent=45, checklist_done=every[:1]
        )
    with emitted() as events:
        done = work_order_complete(
            by=w.tech,
            work_order_id=order.pk,
            minutes_spent=90,
            checklist_done=every,
            notes="Presión ajustada",
        )
    assert done.status == "done" and done.completed_at
    entry = Interaction.objects.get(customer=w.customer, metadata__kind="work_order")
    assert entry.subject.startswith(f"Work order {order.reference} done")
    assert "1 × Válvula de presión" in entry.body and "Signed by Lucía Gómez" in entry.body
    assert entry.agent == w.tech and entry.duration_seconds == 90 * 60
    w.asset.refresh_from_db()
    assert w.asset.last_serviced_on == timezone.localdate()
    w.contract.refresh_from_db()
    assert w.contract.visits_used == 1 and w.contract.hours_used == 1.5
    assert "work_order.completed" in [name for name, _ in events]
    with pytest.raises(Conflict):
        work_order_complete(
            by=w.tech, work_order_id=order.pk, minutes_spent=5, checklist_done=every
        )


def test_a_technician_sees_his_own_orders_the_dispatcher_his_teams(w):
    mine = dispatched(w)
    other = work_order_create(by=None, customer_id=w.customer.pk, subject="Otra")
    assert list(work_orders_visible_to(w.tech)) == [mine]
    assert set(work_orders_visible_to(w.dispatcher)) == {mine, other}
    with pytest.raises(NotFound):
        work_order_set_status(by=w.tech2, work_order_id=mine.pk, status="in_progress")
    outsider = UserFactory(username="outsider", role="service_agent")
    assert list(work_orders_visible_to(outsider)) == []


def test_maintenance_plan_creates_due_orders_once(w):
    today = timezone.localdate()
    plan = MaintenancePlan.objects.create(
        asset=w.asset,
        name="Revisión",
        interval_days=180,
        next_due=today + datetime.timedelta(days=3),
        skill="boiler",
    )
    assert maintenance_sweep(today) == 1
    assert maintenance_sweep(today) == 0
    order = WorkOrder.objects.get(plan=plan)
    assert order.source == "plan" and order.asset == w.asset and order.contract == w.contract
    plan.refresh_from_db()
    assert plan.next_due == today + datetime.timedelta(days=183)


def test_renewal_and_reorder_alerts_are_sent_once(w, emitted):
    today = timezone.localdate()
    ServiceContract.objects.filter(pk=w.contract.pk).update(
        ends_on=today + datetime.timedelta(days=10)
    )
    with emitted() as events:
        assert contract_renewal_sweep(today) == 1
    assert contract_renewal_sweep(today) == 0
    assert events[0][0] == "contract.renewal_due"
    assert mail.outbox[-1].to == [w.dispatcher.email]
    assert "Mantenimiento Oro" in mail.outbox[-1].body
    StockLevel.objects.filter(location=w.van).update(quantity=0)
    assert reorder_sweep() == 1
    assert reorder_sweep() == 0
    assert mail.outbox[-1].to == [w.tech.email]
    assert "Válvula de presión" in mail.outbox[-1].body


def test_an_order_takes_the_customer_s_area_and_goes_only_to_who_covers_it(w):
    from panorama.customers.models import Address

    Address.objects.create(customer=w.customer, kind="home", city="Madrid", region="Madrid Sur")
    order = work_order_create(by=w.dispatcher, customer_id=w.customer.pk, subject="Fibra")
    assert order.area == "Madrid Sur"  # from the customer's address
    with pytest.raises(ValidationFailed, match="covers Madrid Norte; this work order is in"):
        work_order_dispatch(by=w.dispatcher, work_order_id=order.pk, technician_id=w.tech.pk)
    order.refresh_from_db()
    assert order.technician_id is None  # nothing written
    done = work_order_dispatch(by=w.dispatcher, work_order_id=order.pk, technician_id=w.tech2.pk)
    assert done.technician_id == w.tech2.pk
    # Given explicitly, the area wins; an order with no area goes to anyone.
    there = work_order_create(
        by=w.dispatcher, customer_id=w.customer.pk, subject="Caldera", area="madrid norte"
    )
    assert (
        work_order_dispatch(
            by=w.dispatcher, work_order_id=there.pk, technician_id=w.tech.pk
        ).technician_id
        == w.tech.pk
    )


def test_an_asset_is_changed_under_the_rules_of_a_new_one(w, emitted):
    from panorama.service.services.asset import asset_update

    other = asset_register(
        by=None, customer_id=w.customer.pk, product_id=w.asset.product_id, serial_number="SN-0002"
    )
    with emitted() as events:
        moved = asset_update(
            by=w.dispatcher, asset_id=other.pk, changes={"site": "Sótano", "parent_id": w.asset.pk}
        )
    assert (moved.site, moved.parent_id) == ("Sótano", w.asset.pk)
    assert events == [
        (
            "asset.updated",
            {
                "asset_id": other.pk,
                "customer_id": w.customer.pk,
                "fields": ["parent_id", "site"],
                "by": w.dispatcher.pk,
            },
        )
    ]
    with pytest.raises(ValidationFailed, match="already registered"):
        asset_update(by=w.dispatcher, asset_id=other.pk, changes={"serial_number": "SN-0001"})
    with pytest.raises(ValidationFailed, match="component of itself"):
        asset_update(by=w.dispatcher, asset_id=w.asset.pk, changes={"parent_id": other.pk})
    with pytest.raises(ValidationFailed, match="no field customer_id"):
        asset_update(by=w.dispatcher, asset_id=other.pk, changes={"customer_id": 1})
    other.refresh_from_db()
    assert (other.serial_number, other.site) == ("SN-0002", "Sótano")  # nothing else written
    with pytest.raises(PermissionDenied):
        asset_update(by=UserFactory(role="analyst"), asset_id=other.pk, changes={"site": "x"})
