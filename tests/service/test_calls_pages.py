"""Who sees which calls (an agent his own, a manager his teams', the customer's scope for
customer-linked calls), the stream's answers (204 without an extension, the pop as an
event, "poll" when its slots are taken), the polling fallback, and the callbacks list
in a bounded number of queries."""

import json

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.service.models import Call, CallbackRequest, CallEvent, Extension, Pbx
from panorama.service.services.callback import callback_request_create

from ..factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pbx():
    return Pbx.objects.create(name="Asterisk", secret="x")


def make_call(pbx, agent, customer=None, n=1):
    return Call.objects.create(
        pbx=pbx,
        call_id=str(n),
        direction="in",
        status="ringing",
        caller_number="+34600112233",
        agent=agent,
        customer=customer,
        started_at=timezone.now(),
    )


def test_agents_see_their_own_calls_managers_their_teams(api_as, pbx):
    team = TeamFactory(name="Norte")
    eva = UserFactory(username="eva", role=Role.SERVICE_AGENT, teams=[team])
    leo = UserFactory(username="leo", role=Role.SERVICE_AGENT)
    boss = UserFactory(username="boss", role=Role.SALES_MANAGER)
    boss.managed_teams.set([team])
    evas, leos = make_call(pbx, eva, n=1), make_call(pbx, leo, n=2)
    assert [c["id"] for c in api_as(eva).get("/calls").json()["items"]] == [evas.pk]
    assert api_as(eva).get(f"/calls/{leos.pk}").status_code == 404
    assert [c["id"] for c in api_as(boss).get("/calls").json()["items"]] == [evas.pk]
    admin = UserFactory(username="root", role=Role.ADMIN)
    assert len(api_as(admin).get("/calls").json()["items"]) == 2


def test_a_call_with_a_customer_out_of_scope_is_hidden(api_as, pbx):
    team, other = TeamFactory(name="Norte"), TeamFactory(name="Sur")
    rep = UserFactory(username="rep", role=Role.SALES_REP, teams=[team])
    mine = make_call(pbx, rep, CustomerFactory(team=team), n=1)
    hidden = make_call(pbx, rep, CustomerFactory(team=other), n=2)
    items = [c["id"] for c in api_as(rep).get("/calls").json()["items"]]
    assert items == [mine.pk]
    assert api_as(rep).get(f"/calls/{hidden.pk}").status_code == 404


def test_the_stream_is_204_without_an_extension(client):
    client.force_login(UserFactory(username="luis"))
    assert client.get("/service/calls/stream/").status_code == 204


def test_the_stream_sends_hello_then_the_pop(client, pbx, settings):
    settings.PANORAMA_CALL_STREAM_SECONDS = 0.3
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    Extension.objects.create(pbx=pbx, number="101", user=agent)
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    call = make_call(pbx, agent, ana)
    CallEvent.objects.create(user=agent, call=call, kind="ringing")
    client.force_login(agent)
    response = client.get("/service/calls/stream/")
    assert response["Content-Type"] == "text/event-stream"
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("retry: 1000\n\nevent: hello\n")
    event = json.loads(text.split("event: call\n")[1].split("data: ")[1].split("\n")[0])
    assert event["kind"] == "ringing" and event["call"] == call.pk
    assert "Ana Ruiz" in event["html"] and "Incoming call" in event["html"]


def test_when_the_slots_are_taken_the_page_polls(client, pbx, settings):
    settings.PANORAMA_CALL_STREAMS = 0
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    Extension.objects.create(pbx=pbx, number="101", user=agent)
    client.force_login(agent)
    response = client.get("/service/calls/stream/")
    assert b"event: poll" in response.content
    call = make_call(pbx, agent)
    event = CallEvent.objects.create(user=agent, call=call, kind="ringing")
    polled = client.get("/service/calls/events/?after=0").json()
    assert [e["id"] for e in polled["events"]] == [event.pk] and polled["last"] == event.pk
    assert client.get(f"/service/calls/events/?after={event.pk}").json()["events"] == []


def test_another_agents_pop_is_not_found(client, pbx):
    eva = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    call = make_call(pbx, UserFactory(username="leo", role=Role.SERVICE_AGENT))
    client.force_login(eva)
    assert client.get(f"/service/calls/{call.pk}/pop/").status_code == 404


def test_the_callbacks_list_takes_the_same_queries_for_3_or_30(
    client, django_assert_max_num_queries
):
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    client.force_login(agent)
    for n in range(3):
        callback_request_create(by=agent, source="agent", phone=f"60011223{n}")
    client.get("/service/callbacks/")  # warm the caches (saved views, totals)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/service/callbacks/").status_code == 200
    for n in range(27):
        callback_request_create(by=agent, source="agent", phone=f"6001122{n + 10}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/service/callbacks/")
    assert page.content.decode().count('href="tel:') == 30
    assert CallbackRequest.objects.count() == 30


def test_pbxs_are_configured_by_service_configure_holders_only(client):
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT, is_staff=True)
    client.force_login(agent)
    assert client.get("/admin/service/pbx/").status_code == 403
    admin = UserFactory(username="root", role=Role.ADMIN, is_staff=True)
    client.force_login(admin)
    response = client.post(
        "/admin/service/pbx/add/",
        {
            "name": "Asterisk",
            "secret": "a-long-shared-secret",
            "outbound_url": "",
            "active": "on",
            "extensions-TOTAL_FORMS": "1",
            "extensions-INITIAL_FORMS": "0",
            "extensions-0-number": "101",
            "extensions-0-user": agent.pk,
            "extensions-0-active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Extension.objects.get().user == agent


def test_the_palette_offers_a_new_callback(client):
    client.force_login(UserFactory(username="eva", role=Role.SERVICE_AGENT))
    html = client.get("/ui/palette/", {"q": "call me"}, headers={"HX-Request": "true"})
    assert 'data-href="/service/callbacks/new/"' in html.content.decode()


def test_the_calls_list_shows_an_agent_his_calls_in_the_same_queries_for_3_or_30(
    client, pbx, django_assert_max_num_queries
):
    eva = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    leo = UserFactory(username="leo", role=Role.SERVICE_AGENT)
    ana = CustomerFactory(first_name="Ana", last_name="Ruiz")
    make_call(pbx, leo, n=999)  # not hers
    for n in range(3):
        make_call(pbx, eva, customer=ana if n == 0 else None, n=n)
    client.force_login(eva)
    client.get("/service/calls/")  # warm the caches (saved views, totals)
    with django_assert_max_num_queries(12) as few:
        page = client.get("/service/calls/").content.decode()
    assert "Ana Ruiz" in page and page.count("/service/calls/?q=") == 2
    for n in range(27):
        make_call(pbx, eva, customer=ana, n=n + 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/service/calls/").content.decode()
    assert page.count("Ana Ruiz") >= 28
    # Searching by number finds the unknown caller's calls.
    assert client.get("/service/calls/?q=600112233&direction=in").status_code == 200
