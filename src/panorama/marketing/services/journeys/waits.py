"""A wait at a branch ("wait until the customer opens, clicks or buys, or N days") ends
when the event arrives, not at the worker's next sweep: the durable subscriber
``marketing.journey_branches`` hears the journey e-mails' first opens and clicks and the
orders (placed, or moved to confirmed, shipped or delivered), makes that customer's
waits whose test is now met due at once (``branches_met_ids``: the same tests as the
sweep's) and queues the journeys' run for those enrolments only
(``journeys_advance_task``), in the outbox's transaction: the queued run exists exactly
when the delivery is marked done. The e-mails of the yes path are sent by that run, in
the worker, like every journey e-mail (an SMTP error: tried again at the next sweep).
Had the run been lost, the enrolments are due now and the next sweep takes them."""

from typing import Any

from ...rules.activity import BOUGHT
from .gate import purchase_branches_live
from .run import branches_met_ids

WAITS_SUBSCRIBER = "marketing.journey_branches"
# The events that may meet a branch's test (each carries the customer).
WAIT_EVENTS = ("journey.opened", "journey.clicked", "order.created", "order.status_changed")
ORDER_EVENTS = ("order.created", "order.status_changed")


def _may_meet(name: str, payload: dict[str, Any]) -> bool:
    if name == "order.status_changed":
        return payload.get("to_status") in BOUGHT
    return name in WAIT_EVENTS


def handle_wait_events(events: list[tuple[str, dict[str, Any], int]]) -> None:
    """The batch handler: one query for the batch's customers; their met waits end and
    those enrolments are queued for a run. Orders count only while an active journey
    has a branch waiting on a purchase (``gate``: a cached answer; else an order event
    does no journey work)."""
    opened: set[int] = set()
    ordered: set[int] = set()
    for name, payload, _event_id in events:
        customer_id = payload.get("customer_id")
        if isinstance(customer_id, int) and _may_meet(name, payload):
            (ordered if name in ORDER_EVENTS else opened).add(customer_id)
    if ordered - opened and purchase_branches_live():
        opened |= ordered
    customer_ids = sorted(opened)
    if not customer_ids:
        return
    ended = branches_met_ids(customer_ids=customer_ids)
    if ended:
        from ...tasks import journeys_advance_task

        journeys_advance_task.enqueue(enrolment_ids=ended)


def handle_wait_event(name: str, payload: dict[str, Any], event_id: int) -> None:
    handle_wait_events([(name, payload, event_id)])
