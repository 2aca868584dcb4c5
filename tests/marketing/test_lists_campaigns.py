"""Campaigns on the shared list: what each user sees and may do, chips in the URL, and
*Cancel* in bulk through campaign_cancel (a campaign already over is refused, alone)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.marketing.models import Campaign, Recipient

from ..factories import UserFactory
from ..lists import EXPORTS_ONLY, bulk_keys

pytestmark = pytest.mark.django_db

URL = "/marketing/campaigns/"


def _campaign(name, *, owner=None, **fields):
    return Campaign.objects.create(name=name, owner=owner, **fields)


def _names(response) -> list[str]:
    return [row.obj.name for row in response.context["list"].rows]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _bulk(client, **data):
    return client.post("/ui/lists/campaigns/bulk/", data, headers={"HX-Request": "true"})


@pytest.fixture
def campaigns(marketer):
    other = UserFactory(username="olga", first_name="Olga", role=Role.MARKETING)
    return {
        "spring": _campaign("Primavera", owner=marketer, channel="email"),
        "summer": _campaign("Verano", owner=other, channel="sms", status="sent"),
        "calls": _campaign("Otoño", owner=other, channel="call_list", status="sending"),
    }


def test_the_route_name_still_draws_the_campaigns_newest_first(client, marketer, campaigns):
    client.force_login(marketer)
    response = client.get(reverse("marketing:campaign_list"))
    assert response.status_code == 200
    assert _names(response) == ["Otoño", "Verano", "Primavera"]
    page = response.content.decode()
    assert 'id="campaigns-list"' in page and "3 campaigns" in page
    assert reverse("marketing:campaign_detail", args=[campaigns["spring"].pk]) in page
    # Target, owner and dates come with the rows: as many queries for one row as three.
    assert _queries(client, URL + "?cols=name,target,owner") == _queries(
        client, URL + "?cols=name,target,owner&channel=sms"
    )


def test_a_chip_narrows_the_campaigns_and_lives_in_the_url(client, marketer, campaigns):
    client.force_login(marketer)
    response = client.get(URL + "?channel=sms")
    assert _names(response) == ["Verano"]
    chip_text = response.content.decode()
    assert "Channel: SMS" in chip_text
    # A filter chosen over HTMX pushes the canonical URL (reload or copy: same rows).
    swapped = client.get(
        URL + "?owner=me&sort=name",
        headers={"HX-Request": "true", "HX-Target": "campaigns-list"},
    )
    assert _names(swapped) == ["Primavera"]
    assert swapped["HX-Push-Url"] == URL + "?owner=me&sort=name"
    assert _names(client.get(URL + "?status=sending&q=oto")) == ["Otoño"]
    # Another owner is a choice of the owner filter; a stale value is ignored.
    olga = campaigns["summer"].owner
    assert _names(client.get(URL + f"?owner={olga.pk}&sort=name")) == ["Otoño", "Verano"]
    assert len(_names(client.get(URL + "?channel=pigeon"))) == 3


def test_cancel_goes_through_the_service_which_refuses_a_campaign_that_is_over(
    client, marketer, campaigns
):
    client.force_login(marketer)
    ids = [campaigns[k].pk for k in ("spring", "summer", "calls")]
    response = _bulk(client, action="cancel", ids=ids)
    report = response.context["list"].report
    assert report.done == 2
    assert report.refused == [("Verano", "This campaign is over: nothing to cancel.")]
    assert "1 row refused" in response.content.decode()
    statuses = dict(Campaign.objects.values_list("name", "status"))
    assert statuses == {"Primavera": "cancelled", "Verano": "sent", "Otoño": "cancelled"}


def test_a_rep_reads_the_campaigns_but_may_not_cancel_them(client, campaigns):
    rep = UserFactory(username="pepe", role=Role.SALES_REP)
    client.force_login(rep)
    response = client.get(URL)
    assert len(_names(response)) == 3
    # Nothing he may change: the bar only exports what he sees.
    assert bulk_keys(response) == EXPORTS_ONLY
    assert "New campaign" not in response.content.decode()
    refused = _bulk(client, action="cancel", ids=[campaigns["spring"].pk])
    assert refused.context["list"].bulk_error == "Choose an action."
    assert Campaign.objects.get(pk=campaigns["spring"].pk).status == "draft"
    client.logout()
    assert client.get(URL).status_code == 302  # to the sign-in page


# --- call lists ----------------------------------------------------------------------

CALLS = "/marketing/calls/"


@pytest.fixture
def call_lists(marketer):
    from ..factories import CustomerFactory

    def call_list(name, *, people=(), **fields):
        campaign = _campaign(name, channel="call_list", status="sending", **fields)
        for status, group in people:
            Recipient.objects.create(
                campaign=campaign, customer=CustomerFactory(), group=group, status=status
            )
        return campaign

    return {
        # 2 to call, 1 called, 1 skipped (+1 in the control group): half done.
        "card": call_list(
            "Tarjeta",
            owner=marketer,
            programme="cross_sell",
            people=[
                ("pending", "target"),
                ("pending", "target"),
                ("called", "target"),
                ("skipped", "target"),
                ("held", "control"),
            ],
        ),
        "loans": call_list("Préstamos", programme="retention", people=[("called", "target")]),
        "draft": _campaign("Borrador", channel="call_list"),
        "mail": _campaign("Correo", channel="email", status="sending"),
        "over": _campaign("Cerrada", channel="call_list", status="cancelled"),
    }


def test_an_agent_sees_the_open_call_lists_with_their_progress_in_one_query(client, call_lists):
    agent = UserFactory(username="carla", role=Role.SERVICE_AGENT)
    client.force_login(agent)
    response = client.get(reverse("marketing:call_lists"))
    assert _names(response) == ["Préstamos", "Tarjeta"]
    cells = {
        row.obj.name: [str(cell.value) for cell in row.cells]
        for row in response.context["list"].rows
    }
    assert cells["Tarjeta"] == ["Tarjeta", "Cross-sell and up-sell", "2", "1", "50 %"]
    assert cells["Préstamos"][2:] == ["0", "1", "100 %"]
    page = response.content.decode()
    assert reverse("marketing:call_desk", args=[call_lists["card"].pk]) in page
    assert bulk_keys(response) == EXPORTS_ONLY  # closing a list is marketing's
    # The figures are in the page's own query: as many queries for one list as for two.
    assert _queries(client, CALLS + "?sort=name") == _queries(
        client, CALLS + "?sort=name&programme=retention"
    )


def test_a_call_list_chip_narrows_and_lives_in_the_url(client, marketer, call_lists):
    client.force_login(marketer)
    assert _names(client.get(CALLS + "?left=none")) == ["Préstamos"]
    assert _names(client.get(CALLS + "?left=some&owner=me")) == ["Tarjeta"]
    swapped = client.get(
        CALLS + "?programme=cross_sell",
        headers={"HX-Request": "true", "HX-Target": "call-lists-list"},
    )
    assert _names(swapped) == ["Tarjeta"]
    assert swapped["HX-Push-Url"] == CALLS + "?programme=cross_sell"
    assert "Programme: Cross-sell and up-sell" in swapped.content.decode()


def test_marketing_closes_call_lists_through_the_service_an_agent_may_not(
    client, marketer, call_lists, emitted
):
    agent = UserFactory(username="carla", role=Role.SERVICE_AGENT)
    client.force_login(agent)
    card = call_lists["card"]
    refused = client.post(
        "/ui/lists/call-lists/bulk/", {"action": "cancel", "ids": [card.pk]}, HTTP_HX_REQUEST="true"
    )
    assert refused.context["list"].bulk_error == "Choose an action."
    assert Campaign.objects.get(pk=card.pk).status == "sending"

    client.force_login(marketer)
    with emitted() as events:
        done = client.post(
            "/ui/lists/call-lists/bulk/",
            {"action": "cancel", "ids": [card.pk]},
            HTTP_HX_REQUEST="true",
        )
    cancelled = {"campaign_id": card.pk, "skipped": 2, "by": marketer.pk}
    assert [(n, p) for n, p in events if n == "campaign.cancelled"] == [
        ("campaign.cancelled", cancelled)
    ]
    assert done.context["list"].report.done == 1
    assert _names(done) == ["Préstamos"]  # closed: no longer open for the call centre
    # The report also when the action took the row out of what the list shows.
    narrowed = client.post(
        "/ui/lists/call-lists/bulk/",
        {"action": "cancel", "all": "1", "query": "programme=retention"},
        HTTP_HX_REQUEST="true",
    )
    assert narrowed.context["list"].rows == []
    assert "Close the call list</strong>: 1 row changed" in narrowed.content.decode()
    assert Campaign.objects.get(pk=card.pk).status == "cancelled"
    # Those nobody called are skipped; the called and the control group stay as they were.
    assert Campaign.objects.get(pk=call_lists["loans"].pk).status == "cancelled"
    statuses = sorted(Recipient.objects.filter(campaign=card).values_list("status", flat=True))
    assert statuses == ["called", "held", "skipped", "skipped", "skipped"]


def test_an_analyst_gets_no_call_list_anywhere(client, call_lists):
    analyst = UserFactory(username="ana", role=Role.ANALYST)
    client.force_login(analyst)
    assert client.get(CALLS).status_code == 403
    export = client.post(
        "/ui/lists/call-lists/bulk/",
        {"action": "export_csv", "all": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert export.context["list"].rows == []


# --- static lists --------------------------------------------------------------------

LISTS = "/marketing/lists/"


@pytest.fixture
def static_lists(world, marketer):
    from panorama.marketing.services.segments import list_create, list_snapshot, segment_save

    from .conftest import EXAMPLE_RULES

    segment = segment_save(by=marketer, name="Sin tarjeta", rules=EXAMPLE_RULES)
    frozen, _joined, _left = list_snapshot(by=marketer, segment=segment, name="Audiencia")
    olga = UserFactory(username="olga", first_name="Olga", role=Role.MARKETING)
    by_hand = list_create(by=olga, name="A mano", customer_ids=[world["bea"].pk])
    return {"frozen": frozen, "by_hand": by_hand}


def test_the_lists_page_lists_them_by_name_with_their_members(client, static_lists):
    rep = UserFactory(username="pepe", role=Role.SALES_REP)
    client.force_login(rep)
    response = client.get(reverse("marketing:list_list"))
    assert _names(response) == ["A mano", "Audiencia"]
    cells = {r.obj.name: [str(c.value) for c in r.cells] for r in response.context["list"].rows}
    frozen = static_lists["frozen"]
    assert cells["A mano"][:3] == ["A mano", "—", "1"]
    assert cells["Audiencia"][:3] == ["Audiencia", "Sin tarjeta", str(frozen.members.count())]
    page = response.content.decode()
    assert reverse("marketing:list_detail", args=[frozen.pk]) in page
    assert _queries(client, LISTS + "?cols=name,segment,size,owner") == _queries(
        client, LISTS + "?cols=name,segment,size,owner&origin=hand"
    )
    # Reading is everyone's; updating and importing lists are not a rep's.
    assert bulk_keys(response) == EXPORTS_ONLY and 'id="list-import"' not in page
    refused = client.post(
        "/ui/lists/static-lists/bulk/", {"action": "refresh", "all": "1"}, HTTP_HX_REQUEST="true"
    )
    assert refused.context["list"].bulk_error == "Choose an action."


def test_a_list_chip_narrows_and_lives_in_the_url(client, marketer, static_lists):
    client.force_login(marketer)
    assert _names(client.get(LISTS + "?origin=hand")) == ["A mano"]
    assert _names(client.get(LISTS + "?owner=me")) == ["Audiencia"]
    swapped = client.get(
        LISTS + "?origin=segment&sort=newest",
        headers={"HX-Request": "true", "HX-Target": "static-lists-list"},
    )
    assert _names(swapped) == ["Audiencia"]
    assert swapped["HX-Push-Url"] == LISTS + "?origin=segment&sort=newest"
    assert "Made: From a segment" in swapped.content.decode()


def test_update_from_the_segment_in_bulk_refuses_a_hand_made_list(client, marketer, static_lists):
    from .conftest import person

    frozen = static_lists["frozen"]
    before = frozen.members.filter(left_at__isnull=True).count()
    newcomer = person("Nuevo Cliente")  # fits the segment since the list was frozen
    client.force_login(marketer)
    response = client.post(
        "/ui/lists/static-lists/bulk/", {"action": "refresh", "all": "1"}, HTTP_HX_REQUEST="true"
    )
    report = response.context["list"].report
    assert report.done == 1
    assert report.refused == [("A mano", "This list was made by hand: it has no segment.")]
    current = frozen.members.filter(left_at__isnull=True)
    assert current.count() == before + 1 and current.filter(customer=newcomer).exists()
    # The list's page refuses the same, with the same message (one service).
    one = client.post(reverse("marketing:list_resnapshot", args=[static_lists["by_hand"].pk]))
    assert one.status_code == 422
    assert "This list was made by hand" in one.content.decode()


def test_the_three_lists_speak_spanish(client, call_lists, static_lists):
    marta = UserFactory(username="marisa", role=Role.MARKETING, language="es")
    client.force_login(marta)
    campaigns = client.get(URL + "?channel=call_list").content.decode()
    assert "4 campañas" in campaigns and "Cancelar" in campaigns
    calls = client.get(CALLS + "?left=some").content.decode()
    assert "1 lista de llamadas" in calls and "Queda alguien por llamar" in calls
    assert "Cerrar la lista de llamadas" in calls
    lists = client.get(LISTS + "?origin=hand").content.decode()
    assert "1 lista" in lists and "Origen: A mano o importada" in lists
    assert "Actualizar desde su segmento" in lists
