"""Journeys (autoresponders): a trigger, then steps run in order for each customer who
enters.

**Triggers.** Joining a list (every join: a snapshot, a hand selection, a confirmed
sign-up, a journey's own "add to list"), confirming a sign-up form (double opt-in), or
one of ``JOURNEY_EVENTS`` from the outbox (the durable subscriber ``marketing.journeys``),
or a date (``dated``): the customer's birthday (persons with a birth date; born on 29
February: the 28th in a common year) or a product held about to end (an active holding
whose end date is within the journey's ``trigger_days``). The dated ones are looked at
once a day by the worker's sweep, one query per journey, and a customer enters once per
occurrence (once a year, once per holding; a second holding ending while he runs the
journey enters him when that run is over, if still before its end), whatever
``allow_reentry`` says. Only active journeys enrol: a paused one misses the dates of its
pause. A customer enters a journey once, unless it allows re-entry
(then again once the previous run is over: never twice at the same time).

**Steps.** wait N days, send a template, continue only if in a segment (or not in it),
add to a list, a task on the manager's agenda, an alert for the manager, and a branch:
"wait until the customer opens (or clicks) the journey's last e-mail to him, or
buys (an order confirmed, shipped or delivered since he entered), or N days". The
wait ends when the event arrives (``waits``: the open, the click or the order, heard
through the outbox, runs that customer's yes path at once; the worker's tick and sweep
check too, ``branches_met``); after the N days without it, the no path. A path
that ends (or is empty) goes on with the step after the branch (``tree``). Steps
only hang under an earlier branch, so a journey is a tree and cannot loop; an
"opened" or "clicked" branch needs an e-mail sent before it on its road (checked
when the journey is activated).

**Running.** An ``Enrolment`` holds the next step and when it is due; the worker's sweep
(``journeys_advance``) takes the due ones in batches, one transaction per customer, and
runs steps until a wait (which sets the next due time) or the end. Each e-mail checks the
consent to marketing e-mail **at that moment**: without it, the customer leaves the
journey. Unsubscribing (the e-mail's link, a campaign's, the ficha) takes every customer
out of every journey at once.

**Editing in flight.** A paused journey enrols nobody and runs nobody; its customers
wait where they are and go on when it is active again (late steps run then, not
skipped). Adding or moving a step changes the road of those still before it; a customer
whose next step is removed goes on with the step after it (for a branch: the step after
the branch, whether he waited at it or was on one of its paths). A customer waiting at a
branch when its days change keeps the due time he was given."""

from .build import (
    BATCH,
    BRANCH_TESTS,
    JOURNEY_EVENTS,
    MAX_STEPS,
    MAX_STEPS_PER_RUN,
    SUBSCRIBER,
    K,
    journey_delete,
    journey_events,
    journey_save,
    journey_set_status,
    step_add,
    step_config_check,
    step_describe,
    step_move,
    step_remove,
)
from .dated import journeys_dated_pending, journeys_enrol_dated
from .enrol import handle_event, journey_enrol, journeys_enrol, journeys_exit_customer
from .mail import (
    UNSUBSCRIBE_SALT,
    journey_message_click,
    journey_message_open,
    journey_unsubscribe,
    unsubscribe_url,
)
from .run import branches_met, branches_met_ids, journeys_advance, journeys_due
from .waits import WAIT_EVENTS, WAITS_SUBSCRIBER, handle_wait_event, handle_wait_events

__all__ = [
    "BATCH",
    "BRANCH_TESTS",
    "JOURNEY_EVENTS",
    "K",
    "MAX_STEPS",
    "MAX_STEPS_PER_RUN",
    "SUBSCRIBER",
    "UNSUBSCRIBE_SALT",
    "WAITS_SUBSCRIBER",
    "WAIT_EVENTS",
    "handle_event",
    "journey_enrol",
    "journey_events",
    "journey_message_click",
    "journey_message_open",
    "journey_delete",
    "journey_save",
    "journey_set_status",
    "journey_unsubscribe",
    "journeys_advance",
    "journeys_dated_pending",
    "branches_met",
    "branches_met_ids",
    "handle_wait_event",
    "handle_wait_events",
    "journeys_due",
    "journeys_enrol",
    "journeys_enrol_dated",
    "journeys_exit_customer",
    "step_add",
    "step_config_check",
    "step_describe",
    "step_move",
    "step_remove",
    "unsubscribe_url",
]
