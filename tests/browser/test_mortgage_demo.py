"""Issue 11's "done when": the seeds' mortgage example from a fresh demo (``panorama
demo``, a small one), nothing made by hand. A customer the demo's web site already knows
by his cookie runs a mortgage simulation: the event reaches the public tracking
endpoint of the demo's site, from its origin → the worker delivers the outbox, and the
demo's rule "Simulación de hipoteca" alerts his personal manager and plans a call →
the manager signs in, sees the alert on his home page, follows it to the customer,
logs the call from his agenda and opens an opportunity from the ficha → the worker's
sweep puts the visit on the timeline → ``panorama warehouse build`` has the call, the
visit, the simulation and the opportunity for that customer."""

import datetime
import io

import httpx
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from panorama.analytics.warehouse.engine import connect
from panorama.automation.models import Alert, Rule, TrackedSite, WebEvent, WebVisitor
from panorama.automation.services.tracking import web_summarise
from panorama.core.outbox import outbox_dispatch
from panorama.sales.models import Activity, Opportunity

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AMOUNT = 275000  # none of the demo's own simulations (120,000 … 300,000 in steps)


@pytest.fixture
def demo(settings, tmp_path):
    settings.WAREHOUSE_PATH = tmp_path / "warehouse"
    call_command("demo", customers=60, leads=20, verbosity=0, stdout=io.StringIO())


def _known_visitor() -> WebVisitor:
    """A cookie the demo's site linked to a customer with a personal manager, whom no
    alert waits for yet: the demo's own mortgage simulations do not help the test."""
    alerted = Alert.objects.values("customer_id")
    return (
        WebVisitor.objects.filter(customer__owner__is_active=True)
        .exclude(customer_id__in=alerted)
        .select_related("customer__owner", "site")
        .order_by("id")
        .first()
    )


def _deliver_as_the_worker() -> None:
    while outbox_dispatch():
        pass


def test_a_demo_customers_mortgage_simulation_ends_as_an_opportunity_in_the_warehouse(
    demo, page, sign_in, live_server
):
    rule = Rule.objects.get(name="Simulación de hipoteca", active=True)
    visitor = _known_visitor()
    assert visitor is not None, "the demo tracked no customer with a manager and no alert"
    customer, manager = visitor.customer, visitor.customer.owner
    site = TrackedSite.objects.get(pk=visitor.site_id)
    # The demo may already have planned calls of his manager to him: the rule's is new.
    seeded = list(Activity.objects.filter(customer=customer).values_list("pk", flat=True))

    # --- His browser posts the simulation to the tracking endpoint, from the bank's site.
    answer = httpx.post(
        live_server.url + reverse("automation:track", args=[site.public_key]),
        json={
            "visitor": visitor.cookie_id,
            "events": [
                {
                    "name": "mortgage_simulation",
                    "url": "https://www.banco.example/hipotecas/simulador",
                    "data": {"amount": AMOUNT, "term": 30, "rate": 2.9},
                }
            ],
        },
        headers={"Origin": site.origin_list()[0]},
    )
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"stored": 1}
    simulation = WebEvent.objects.get(name="mortgage_simulation", data__amount=AMOUNT)
    assert simulation.customer_id == customer.pk  # known by his cookie

    # --- The worker delivers the event to the rules.
    _deliver_as_the_worker()
    alert = Alert.objects.get(customer=customer, rule=rule)
    assert alert.user == manager
    call = Activity.objects.exclude(pk__in=seeded).get(
        customer=customer, kind="call", owner=manager
    )

    # --- His manager signs in (an administrator gave him a password) and sees it.
    manager.set_password(PASSWORD)
    manager.save()
    sign_in(manager.username)
    page.goto(f"{live_server.url}/")
    item = page.locator(f"#my-alerts [data-alert='{alert.pk}']")
    expect(item).to_contain_text(customer.display_name)
    expect(item).to_contain_text(f"Simulación de hipoteca de {AMOUNT} €")
    expect(item).to_contain_text("Plazo 30 años, tipo 2.9 %.")

    # --- He calls: the call the rule proposed for tomorrow, logged from his agenda.
    day = timezone.localdate(call.starts_at).isoformat()
    page.goto(f"{live_server.url}/sales/agenda/?day={day}")
    planned = page.locator(f"#activity-{call.pk}")
    expect(planned).to_contain_text("Llamar por la simulación de hipoteca")
    expect(planned).to_contain_text(customer.display_name)
    planned.get_by_text("Log outcome").click()
    planned.get_by_label("Outcome").fill("Quiere una hipoteca fija a 30 años")
    planned.get_by_role("button", name="Done").click()
    expect(page.locator(f"#activity-{call.pk} [data-status]")).to_have_text("Done")

    # --- From the alert to the customer, and an opportunity opened from his ficha.
    page.goto(f"{live_server.url}/")
    page.locator(f"#my-alerts [data-alert='{alert.pk}']").get_by_role(
        "link", name=customer.display_name
    ).click()
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
    page.goto(f"{live_server.url}/customers/{customer.pk}/?tab=sales")
    page.locator("#panel-opportunities").get_by_role("link", name="New opportunity").click()
    page.locator("#id_name").fill(f"Hipoteca {customer.display_name}")
    page.locator("#id_amount").fill(str(AMOUNT))
    page.get_by_role("button", name="Open the opportunity").click()
    expect(page.locator("h1")).to_contain_text(f"Hipoteca {customer.display_name}")
    opportunity = Opportunity.objects.get(customer=customer, name__startswith="Hipoteca ")
    assert opportunity.owner == manager

    # --- The worker's sweep, once the visit is over, puts it on the timeline.
    assert web_summarise(timezone.now() + datetime.timedelta(hours=1)) >= 1
    page.goto(f"{live_server.url}/customers/{customer.pk}/?tab=history")
    ficha = page.locator("main")
    for step in (
        "mortgage simulation",
        "Call: Llamar por la simulación de hipoteca",
        "Quiere una hipoteca fija a 30 años",
        f"Opportunity opened: Hipoteca {customer.display_name}",
    ):
        expect(ficha).to_contain_text(step)

    # --- The warehouse, built as `panorama warehouse build` does, has it all.
    call_command("warehouse", "build", stdout=io.StringIO(), stderr=io.StringIO())
    call.refresh_from_db()
    with connect(read_only=True) as warehouse:
        channels = {
            channel
            for (channel,) in warehouse.execute(
                "SELECT channel FROM fact_interaction WHERE customer_id = ?", [customer.pk]
            ).fetchall()
        }
        logged = warehouse.execute(
            "SELECT customer_id, channel, agent_id FROM fact_interaction WHERE interaction_id = ?",
            [call.interaction_id],
        ).fetchall()
        opened = warehouse.execute(
            "SELECT customer_id, owner_id, status, amount FROM fact_opportunity "
            "WHERE opportunity_id = ?",
            [opportunity.pk],
        ).fetchall()
        simulated = warehouse.execute(
            "SELECT customer_id FROM fact_web_event WHERE web_event_id = ?", [simulation.pk]
        ).fetchall()
    assert {"phone", "web"} <= channels
    assert logged == [(customer.pk, "phone", manager.pk)]
    assert opened == [(customer.pk, manager.pk, "open", AMOUNT)]
    assert simulated == [(customer.pk,)]
