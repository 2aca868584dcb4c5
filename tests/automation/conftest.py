import pytest

from panorama.automation.models import TrackedSite
from panorama.automation.services.rules import rule_save
from panorama.core.outbox import outbox_dispatch

from ..factories import CustomerFactory, HoldingFactory

ORIGIN = "https://www.bank.example"

MORTGAGE_RULE = {
    "name": "Mortgage simulation",
    "trigger": "event",
    "event": "web.event_tracked",
    "conditions": {
        "all": [
            {"field": "event.name", "op": "eq", "value": "mortgage_simulation"},
            {"field": "event.data.amount", "op": "gte", "value": 100000},
        ]
    },
    "actions": [
        {
            "type": "alert",
            "to": "owner",
            "title": "Mortgage simulation of {event.data.amount} €",
            "priority": 3,
            "expires_in_days": 7,
        },
        {
            "type": "agenda",
            "kind": "call",
            "subject": "Call about the mortgage",
            "in_days": 1,
            "at": "10:00",
        },
    ],
}


@pytest.fixture
def site(db):
    return TrackedSite.objects.create(name="Bank web", origins=f"{ORIGIN}\nhttps://m.bank.example")


@pytest.fixture
def customer(rep, team):
    c = CustomerFactory(
        first_name="Lucía", last_name="Vega", display_name="Lucía Vega", owner=rep, team=team
    )
    HoldingFactory(customer=c, product_code="ACC-01", category="accounts")
    return c


@pytest.fixture
def mortgage_rule(admin_user):
    return rule_save(by=admin_user, data=MORTGAGE_RULE)


@pytest.fixture
def dispatch():
    """Deliver the outbox as the worker does, until nothing is left."""

    def run():
        total = 0
        while True:
            done = outbox_dispatch()
            total += done
            if not done:
                return total

    return run
