"""The PBX's webhook: authentication (HMAC signature or bearer secret), bad input answered
4xx with nothing written, the caller identified (known, unknown, shared number), the
screen-pop notification left for the agent, the ended call on the timeline."""

import json
import logging

import pytest

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.service.models import Call, CallbackRequest, CallEvent, Extension, Pbx
from panorama.service.services.pbx_requests import signature_for

from ..factories import CustomerFactory, IdentityFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pbx():
    return Pbx.objects.create(name="Asterisk", secret="s3cret-for-tests")


@pytest.fixture
def agent(pbx):
    user = UserFactory(username="elena", first_name="Elena", role=Role.SERVICE_AGENT)
    Extension.objects.create(pbx=pbx, number="101", user=user)
    return user


@pytest.fixture
def ana():
    customer = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=customer, kind="phone", value="+34600112233")
    return customer


def post(client, pbx, body, *, secret=None, raw=None, bearer=False):
    data = raw if raw is not None else json.dumps(body).encode()
    key = pbx.secret if secret is None else secret
    headers = (
        {"Authorization": f"Bearer {key}"}
        if bearer
        else {"X-Panorama-Signature": signature_for(key, data)}
    )
    return client.post(
        f"/api/v1/telephony/{pbx.pk}/events",
        data=data,
        content_type="application/json",
        headers=headers,
    )


def ringing(**extra):
    return {
        "event": "ringing",
        "call_id": "1732900000.42",
        "caller": "600 11 22 33",
        "dialled": "900100200",
        "extension": "101",
        **extra,
    }


def test_ringing_identifies_the_caller_and_pops_for_the_agent(client, pbx, agent, ana, emitted):
    with emitted() as events:
        response = post(client, pbx, ringing())
    assert response.status_code == 201, response.content
    call = Call.objects.get()
    assert response.json()["call"] == call.pk
    assert (call.customer, call.agent, call.caller_number) == (ana, agent, "+34600112233")
    assert call.status == "ringing" and call.direction == "in"
    assert list(CallEvent.objects.values_list("user_id", "call_id", "kind")) == [
        (agent.pk, call.pk, "ringing")
    ]
    assert (
        "call.received",
        {"call_id": call.pk, "customer_id": ana.pk, "agent_id": agent.pk, "matches": 1},
    ) in events


def test_unknown_number_rings_without_a_customer(client, pbx, agent):
    response = post(client, pbx, ringing(caller="+34911000111"))
    assert response.status_code == 201
    call = Call.objects.get()
    assert call.customer is None and call.caller_number == "+34911000111"
    assert CallEvent.objects.filter(user=agent).count() == 1


def test_a_shared_number_is_left_for_the_agent_to_choose(client, pbx, agent, ana):
    brother = CustomerFactory(first_name="Luis", last_name="García")
    IdentityFactory(customer=brother, kind="phone", value="+34600112233")
    post(client, pbx, ringing())
    assert Call.objects.get().customer is None


def test_the_bearer_secret_is_accepted_too(client, pbx, agent, ana):
    assert post(client, pbx, ringing(), bearer=True).status_code == 201


def test_the_same_ringing_twice_pops_once(client, pbx, agent, ana):
    post(client, pbx, ringing())
    again = post(client, pbx, ringing())
    assert again.status_code == 200
    assert Call.objects.count() == 1 and CallEvent.objects.count() == 1


@pytest.mark.parametrize(
    "case",
    ["bad secret", "no signature", "bearer wrong", "unknown pbx", "inactive pbx"],
)
def test_a_request_without_the_secret_is_refused_and_nothing_written(
    client, pbx, agent, ana, case, caplog
):
    body = json.dumps(ringing()).encode()
    url = f"/api/v1/telephony/{pbx.pk}/events"
    headers = {"X-Panorama-Signature": signature_for("wrong", body)}
    if case == "no signature":
        headers = {}
    elif case == "bearer wrong":
        headers = {"Authorization": "Bearer wrong"}
    elif case == "unknown pbx":
        url = f"/api/v1/telephony/{pbx.pk + 99}/events"
        headers = {"X-Panorama-Signature": signature_for(pbx.secret, body)}
    elif case == "inactive pbx":
        Pbx.objects.filter(pk=pbx.pk).update(active=False)
        headers = {"X-Panorama-Signature": signature_for(pbx.secret, body)}
    with caplog.at_level(logging.WARNING, logger="panorama.telephony"):
        response = client.post(url, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert "signature" in response.json()["detail"]
    assert not Call.objects.exists() and not CallEvent.objects.exists()
    assert "Telephony event refused" in caplog.text


@pytest.mark.parametrize(
    "body, field",
    [
        (ringing(extension="999"), "extension"),
        (ringing(call_id=""), "call_id"),
        (ringing(event="hangup"), "event"),
        (ringing(extension=["101"]), "extension"),
        (ringing(timestamp="yesterday"), "timestamp"),
        ([1, 2], "body"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field_and_nothing_written(
    client, pbx, agent, body, field, caplog
):
    with caplog.at_level(logging.WARNING, logger="panorama.telephony"):
        response = post(client, pbx, body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Call.objects.exists() and not CallEvent.objects.exists()
    assert f"field={field}" in caplog.text


def test_a_body_that_is_not_json_is_refused(client, pbx, agent):
    response = post(client, pbx, None, raw=b"\xff{not json")
    assert response.status_code == 422
    assert response.json()["detail"] == "The body must be a JSON object."


def test_an_event_for_an_unknown_call_is_404(client, pbx, agent):
    response = post(client, pbx, {"event": "ended", "call_id": "nope"})
    assert response.status_code == 404


def test_call_end_lands_in_the_timeline_with_the_agent(client, pbx, agent, ana, emitted):
    post(client, pbx, ringing())
    post(client, pbx, {"event": "answered", "call_id": "1732900000.42"})
    with emitted() as events:
        response = post(
            client,
            pbx,
            {"event": "ended", "call_id": "1732900000.42", "duration": 95, "wrap_up": "BILLING"},
        )
    assert response.status_code == 200
    call = Call.objects.get()
    assert (call.status, call.outcome, call.duration_seconds, call.wrap_up_code) == (
        "ended",
        "answered",
        95,
        "BILLING",
    )
    contact = Interaction.objects.get(customer=ana)
    assert contact.channel == "phone" and contact.direction == "inbound"
    assert contact.agent == agent and contact.duration_seconds == 95
    assert contact.subject == "Call from +34600112233"
    assert contact.outcome == "Answered · BILLING"
    assert call.interaction == contact
    assert [e for e in events if e[0] == "call.ended"] == [
        (
            "call.ended",
            {
                "call_id": call.pk,
                "customer_id": ana.pk,
                "agent_id": agent.pk,
                "outcome": "answered",
                "duration_seconds": 95,
            },
        )
    ]
    assert list(CallEvent.objects.values_list("kind", flat=True).order_by("id")) == [
        "ringing",
        "answered",
        "ended",
    ]


def test_an_unanswered_call_ends_missed(client, pbx, agent, ana):
    post(client, pbx, ringing())
    post(client, pbx, {"event": "ended", "call_id": "1732900000.42"})
    call = Call.objects.get()
    assert call.outcome == "missed" and call.duration_seconds == 0


def test_a_bad_outcome_keeps_the_call_ringing(client, pbx, agent, ana):
    post(client, pbx, ringing())
    response = post(client, pbx, {"event": "ended", "call_id": "1732900000.42", "outcome": "x"})
    assert response.status_code == 422 and "outcome" in response.json()["errors"]
    assert Call.objects.get().status == "ringing"
    assert not Interaction.objects.exists()


def test_the_ivr_asks_for_a_callback(client, pbx, agent, ana):
    queue = QueueFactory(name="Atención")
    queue.memberships.create(user=agent)
    response = post(
        client,
        pbx,
        {"event": "callback", "caller": "600112233", "reason": "Factura", "queue_id": queue.pk},
    )
    assert response.status_code == 201, response.content
    callback = CallbackRequest.objects.get(pk=response.json()["callback"])
    assert (callback.source, callback.customer, callback.assigned_to) == ("ivr", ana, agent)
    assert callback.window_end > callback.window_start


def test_link_log_and_open_a_case_from_the_call(client, api_as, pbx, agent):
    post(client, pbx, ringing(caller="+34911000111"))
    call = Call.objects.get()
    maria = CustomerFactory(first_name="María")
    api = api_as(agent)
    linked = api.post(f"/calls/{call.pk}/link", json={"customer_id": maria.pk})
    assert linked.status_code == 200 and linked.json()["customer_id"] == maria.pk
    logged = api.post(
        f"/calls/{call.pk}/log",
        json={"notes": "Pide baja", "open_case": True, "subject": "Baja de línea"},
    )
    assert logged.status_code == 200, logged.content
    call.refresh_from_db()
    assert call.case.subject == "Baja de línea" and call.case.customer == maria
    assert call.case.owner == agent and call.case.channel == "phone"
    again = api.post(f"/calls/{call.pk}/log", json={"open_case": True})
    assert again.status_code == 409
