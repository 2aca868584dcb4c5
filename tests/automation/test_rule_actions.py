"""The webhook and assign actions as the outbox runs them: the webhook against a real
HTTP server (http.server in a thread) with its JSON body and Idempotency-Key, posted once
whatever the redeliveries; a failing webhook is kept on the run (shown on the rule page)
and undoes the run's other actions; assign gives the customer to a user and a team."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from panorama.accounts.models import User
from panorama.automation.models import Alert, RuleRun
from panorama.automation.services.rules import rule_save
from panorama.core.models import OutboxDelivery, OutboxEvent

from ..factories import TeamFactory, UserFactory
from .conftest import MORTGAGE_RULE
from .test_rules import simulate

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    """Answers every POST with ``status`` and keeps what came: (path, headers, body)."""

    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers), json.loads(body)))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received, Receiver.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/panorama", Receiver
    server.shutdown()
    server.server_close()
    thread.join()


def hook_rule(admin_user, url, *, before=()):
    return rule_save(
        by=admin_user,
        data={**MORTGAGE_RULE, "actions": [*before, {"type": "webhook", "url": url}]},
    )


def redeliver(dispatch):
    OutboxDelivery.objects.filter(subscriber="automation.rules").update(delivered_at=None)
    dispatch()


def test_the_webhook_posts_the_event_once_with_its_idempotency_key(
    site, customer, admin_user, receiver, dispatch
):
    url, server = receiver
    rule = hook_rule(admin_user, url)
    simulate(site, customer)
    dispatch()

    event = OutboxEvent.objects.get(name="web.event_tracked")
    [(path, headers, body)] = server.received
    assert path == "/hooks/panorama"
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == f"{rule.pk}:event:{event.pk}:0"
    assert body == {
        "rule": "Mortgage simulation",
        "event": "web.event_tracked",
        "data": {
            "site_id": site.pk,
            "name": "mortgage_simulation",
            "customer_id": customer.pk,
            "visitor": "visitor-0001",
            "data": {"amount": 250000, "term": 25, "rate": 2.9},
        },
        "customer_id": customer.pk,
    }
    run = RuleRun.objects.get(rule=rule)
    assert (run.error, run.actions_done) == ("", ["Webhook answered 200"])

    redeliver(dispatch)  # at least once: delivered again, posted once
    assert len(server.received) == 1
    assert RuleRun.objects.filter(rule=rule).count() == 1


def test_a_failing_webhook_is_kept_on_the_run_and_shown_on_the_rule_page(
    site, customer, admin_user, receiver, dispatch, client
):
    url, server = receiver
    server.status = 500
    alert = {"type": "alert", "to": "owner", "title": "Simulation"}
    rule = hook_rule(admin_user, url, before=[alert])
    simulate(site, customer)
    dispatch()

    assert len(server.received) == 1
    run = RuleRun.objects.get(rule=rule)
    assert run.matched and run.actions_done == []
    assert run.error == "HTTPError: HTTP Error 500: Internal Server Error"
    assert not Alert.objects.exists()  # the run's alert was undone with it
    # The delivery itself succeeded: the outbox does not retry, the run says what failed.
    delivery = OutboxDelivery.objects.get(
        subscriber="automation.rules", event__name="web.event_tracked"
    )
    assert delivery.delivered_at is not None and delivery.attempts <= 1
    redeliver(dispatch)
    assert len(server.received) == 1
    client.force_login(admin_user)
    page = client.get(reverse("automation:rule_edit", args=[rule.pk])).content.decode()
    assert "Error" in page and "HTTP Error 500: Internal Server Error" in page


def test_an_unreachable_webhook_is_kept_on_the_run(site, customer, admin_user, dispatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    port = server.server_address[1]
    server.server_close()  # nobody listens there any more
    rule = hook_rule(admin_user, f"http://127.0.0.1:{port}/hook")
    simulate(site, customer)
    dispatch()
    run = RuleRun.objects.get(rule=rule)
    assert run.matched and run.error.startswith("URLError:") and "refused" in run.error


def test_assign_gives_the_customer_to_the_user_and_team_named(site, customer, admin_user, dispatch):
    other_team = TeamFactory(name="Hipotecas")
    specialist = UserFactory(username="marta", teams=[other_team])
    rule = rule_save(
        by=admin_user,
        data={
            **MORTGAGE_RULE,
            "actions": [{"type": "assign", "owner": "marta", "team": "Hipotecas"}],
        },
    )
    simulate(site, customer)
    dispatch()

    customer.refresh_from_db()
    assert (customer.owner, customer.team) == (specialist, other_team)
    run = RuleRun.objects.get(rule=rule)
    assert (run.error, run.actions_done) == ("", ["Assign to marta"])
    redeliver(dispatch)
    assert RuleRun.objects.filter(rule=rule).count() == 1


def test_assign_to_a_user_no_longer_active_fails_the_run(site, customer, admin_user, rep, dispatch):
    UserFactory(username="marta")
    rule = rule_save(
        by=admin_user, data={**MORTGAGE_RULE, "actions": [{"type": "assign", "owner": "marta"}]}
    )
    User.objects.filter(username="marta").update(is_active=False)
    simulate(site, customer)
    dispatch()
    customer.refresh_from_db()
    assert customer.owner == rep
    assert RuleRun.objects.get(rule=rule).error == "Unknown account manager."
