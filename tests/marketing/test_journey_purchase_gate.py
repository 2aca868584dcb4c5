"""The outbox subscriber ``marketing.journey_branches`` hears every order event; while no
active journey has a branch waiting on a purchase, an order costs one cached query and
no journey work. Once a journey waits on purchases (activated through the services),
an order ends its customers' wait at once again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.marketing.models import Enrolment, StaticList
from panorama.marketing.services import journeys as svc
from panorama.marketing.services.segments import list_members_change
from panorama.sales.models import Order

from .test_journey_branches import _dispatch, _subjects, _template, nudge  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _order_events(*customers):
    return [
        ("order.created", {"customer_id": c.pk, "order_id": n, "status": "confirmed"}, n)
        for n, c in enumerate(customers, start=1)
    ]


def _buying_journey(marketer, world):
    """ "Wait until he buys, or 5 days", then "Premio" on the yes path."""
    promo = StaticList.objects.create(name="Compradores")
    journey = svc.journey_save(
        by=marketer, name="Compra", trigger="list_joined", trigger_list=promo.pk
    )
    svc.step_add(
        by=marketer, journey=journey, kind="send", config={"template": _template(marketer, "A").pk}
    )
    branch = svc.step_add(
        by=marketer, journey=journey, kind="branch", config={"test": "bought", "days": 5}
    )
    svc.step_add(
        by=marketer,
        journey=journey,
        kind="send",
        config={"template": _template(marketer, "Premio").pk},
        parent=branch.pk,
        path="yes",
    )
    return journey, promo, branch


def test_orders_do_no_journey_work_until_a_journey_waits_on_a_purchase(
    smtp,
    marketer,
    admin_user,
    world,
    nudge,  # noqa: F811 (the fixture imported above)
):
    from panorama.sales.services.order import order_transition

    ana = world["ana"]
    # Ana waits at the "opened" branch of the nudge journey: nothing there waits on orders.
    list_members_change(by=marketer, static_list=nudge["list"], add=[ana.pk])
    svc.journeys_advance()
    waiting = Enrolment.objects.get(customer=ana, journey=nudge["journey"])
    assert waiting.step_id == nudge["branch"].pk

    with CaptureQueriesContext(connection) as first:
        svc.handle_wait_events(_order_events(ana, world["bea"]))
    with CaptureQueriesContext(connection) as again:
        svc.handle_wait_events(_order_events(ana))
    assert len(first) == 1  # the gate's question, then nothing
    assert len(again) == 0  # answered from the cache
    assert Enrolment.objects.get(pk=waiting.pk).due_at == waiting.due_at

    # A draft journey waiting on purchases does not open the gate; activating it does
    # (the services drop the cached answer), and then an order ends the wait at once.
    journey, promo, branch = _buying_journey(marketer, world)
    with CaptureQueriesContext(connection) as draft:
        svc.handle_wait_events(_order_events(ana))
    assert len(draft) == 1
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    list_members_change(by=marketer, static_list=promo, add=[ana.pk])
    svc.journeys_advance()
    assert Enrolment.objects.get(customer=ana, journey=journey).step_id == branch.pk
    order = Order.objects.create(customer=ana, status="draft", currency="EUR", total=30)
    order_transition(by=admin_user, order_id=order.pk, to="confirmed")
    _dispatch()  # the order's event through the outbox, as the worker delivers it

    assert _subjects(smtp, "ana@example.com") == ["Oferta", "A", "Premio"]
    assert Enrolment.objects.get(customer=ana, journey=journey).status == "done"
    # The nudge journey's wait is untouched: an order is not an open.
    assert Enrolment.objects.get(pk=waiting.pk).step_id == nudge["branch"].pk


def test_pausing_the_last_journey_waiting_on_purchases_closes_the_gate(marketer, world):
    journey, _promo, _branch = _buying_journey(marketer, world)
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    with CaptureQueriesContext(connection) as active:
        svc.handle_wait_events(_order_events(world["ana"]))
    assert len(active) == 2  # the gate, then the search for Ana's waits

    svc.journey_set_status(by=marketer, journey=journey, status="paused")
    svc.handle_wait_events(_order_events(world["ana"]))  # the gate asked again: closed
    with CaptureQueriesContext(connection) as paused:
        svc.handle_wait_events(_order_events(world["ana"]))
    assert len(paused) == 0
