"""Segment-level targeting: alerts a marketer attaches to a segment show on the ficha of
its customers (to who may see the segment), a segment's priority orders them, its offers
are what its customers are eligible for (on the ficha and in the next best offer)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.catalog.models import Product
from panorama.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from panorama.marketing.selectors import customer_segments, offer_restrictions
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.targeting import segment_alert_save, segment_targeting_set
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

SPANISH = {"field": "language", "op": "eq", "value": "es"}
ENGLISH = {"field": "language", "op": "eq", "value": "en"}


@pytest.fixture
def rep(world, team):
    """A rep who owns Ana and Luis."""
    user = UserFactory(username="rep", role=Role.SALES_REP, teams=[team])
    for name in ("ana", "luis"):
        world[name].owner = user
        world[name].save(update_fields=["owner"])
    return user


@pytest.fixture
def deposit():
    return Product.objects.create(sku="DEP-2", name="Depósito 2%", list_price=Decimal("0"))


def section(client, customer) -> str:
    page = client.get(f"/customers/{customer.pk}/?tab=details").content.decode()
    return page.split('id="panel-segments"')[1].split("</section>")[0]


def alerts_shown(client, customer) -> str:
    """The segment alerts where the ficha opens (its overview), or "" when none."""
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    if 'id="panel-segment-alerts"' not in page:
        return ""
    return page.split('id="panel-segment-alerts"')[1].split("</section>")[0]


def test_a_segment_alert_shows_on_its_customers_ficha_while_live(world, marketer, rep, client):
    spanish = segment_save(by=marketer, name="Hispanohablantes", rules=SPANISH)
    today = timezone.localdate()
    segment_alert_save(
        by=marketer, segment=spanish, text="Ofrecer el depósito antes del viernes", level="warning"
    )
    segment_alert_save(by=marketer, segment=spanish, text="Apagada", active=False)
    segment_alert_save(
        by=marketer, segment=spanish, text="Caducada", ends_on=today - datetime.timedelta(days=1)
    )
    segment_alert_save(
        by=marketer, segment=spanish, text="Futura", starts_on=today + datetime.timedelta(days=1)
    )
    client.force_login(rep)
    shown = alerts_shown(client, world["ana"])
    assert "Ofrecer el depósito antes del viernes" in shown and "alert-warning" in shown
    assert "Hispanohablantes" in shown
    assert "Apagada" not in shown and "Caducada" not in shown and "Futura" not in shown
    # Luis speaks English: not in the segment, no alert.
    assert alerts_shown(client, world["luis"]) == ""


def test_a_segment_kept_to_a_team_is_hidden_from_a_rep_outside_it(
    world, marketer, rep, client, api_as
):
    other = TeamFactory(name="Barcelona")
    hidden = segment_save(by=marketer, name="VIP Barcelona", rules=SPANISH)
    segment_targeting_set(by=marketer, segment=hidden, priority=50, team_id=other.pk)
    segment_alert_save(by=marketer, segment=hidden, text="Solo para Barcelona")
    client.force_login(rep)
    page = client.get(f"/customers/{world['ana'].pk}/").content.decode()
    assert "VIP Barcelona" not in page and "Solo para Barcelona" not in page
    api = api_as(rep)
    assert all(s["name"] != "VIP Barcelona" for s in api.get("/marketing/segments").json())
    assert api.get(f"/marketing/segments/{hidden.pk}").status_code == 404
    assert api.get(f"/marketing/segments/{hidden.pk}/alerts").status_code == 404
    # A rep of that team sees both.
    colleague = UserFactory(username="jordi", role=Role.SALES_REP, teams=[other])
    world["ana"].team = other
    world["ana"].save(update_fields=["team"])
    client.force_login(colleague)
    assert "VIP Barcelona" in section(client, world["ana"])
    assert "Solo para Barcelona" in alerts_shown(client, world["ana"])
    # The marketer who set it may still change it; a sales manager of another team not.
    with pytest.raises(NotFound):
        segment_alert_save(
            by=UserFactory(username="mgr", role=Role.SALES_MANAGER), segment=hidden, text="x"
        )


def test_the_panel_costs_the_same_queries_whatever_the_segments(world, marketer, deposit, client):
    ana = world["ana"]
    client.force_login(marketer)

    def panel_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            data = customer_segments(customer=ana, user=marketer)
        assert data["alerts"] and data["offers"]
        with CaptureQueriesContext(connection) as page:
            assert client.get(f"/customers/{ana.pk}/?tab=details").status_code == 200
        return len(ctx), len(page)

    first = segment_save(by=marketer, name="S00", rules=SPANISH)
    segment_alert_save(by=marketer, segment=first, text="Alerta 0")
    segment_targeting_set(by=marketer, segment=first, priority=1, offer_ids=[deposit.pk])
    few = panel_queries()
    for n in range(1, 30):
        segment = segment_save(by=marketer, name=f"S{n:02d}", rules=SPANISH)
        segment_alert_save(by=marketer, segment=segment, text=f"Alerta {n}")
        segment_targeting_set(by=marketer, segment=segment, priority=n, offer_ids=[deposit.pk])
    many = panel_queries()
    # The catalogue, the segments, their flags, their alerts, their offers, her
    # holdings, her lists: the same for 1 and 30 segments.
    assert few == many and many[0] <= 7  # the panel, and the whole ficha likewise
    data = customer_segments(customer=ana, user=marketer)
    assert len(data["alerts"]) == 30 and [o.product.sku for o in data["offers"]] == ["DEP-2"]


def test_priority_orders_the_panel_and_offers_leave_out_what_he_holds(
    world, marketer, rep, client, deposit
):
    card = Product.objects.create(sku="CARD-CR", name="Tarjeta de crédito", list_price=0)
    low = segment_save(by=marketer, name="A baja", rules=SPANISH)
    high = segment_save(by=marketer, name="Z alta", rules=SPANISH)
    segment_targeting_set(by=marketer, segment=low, priority=5, offer_ids=[deposit.pk, card.pk])
    segment_targeting_set(by=marketer, segment=high, priority=90, offer_ids=[card.pk])
    segment_alert_save(by=marketer, segment=low, text="Aviso de la baja")
    segment_alert_save(by=marketer, segment=high, text="Aviso de la alta")
    data = customer_segments(customer=world["ana"], user=marketer)
    assert [s.name for s in data["segments"]] == ["Z alta", "A baja"]
    assert [a.text for a in data["alerts"]] == ["Aviso de la alta", "Aviso de la baja"]
    # Ana holds no card: offered by the higher segment first; Bea holds one.
    assert [(o.product.sku, o.segment.name) for o in data["offers"]] == [
        ("CARD-CR", "Z alta"),
        ("DEP-2", "A baja"),
    ]
    bea = customer_segments(customer=world["bea"], user=marketer)
    assert [o.product.sku for o in bea["offers"]] == ["DEP-2"]
    client.force_login(rep)
    shown = alerts_shown(client, world["ana"])
    assert shown.index("Aviso de la alta") < shown.index("Aviso de la baja")
    shown = section(client, world["ana"])
    assert "Eligible offers" in shown and 'data-offer="CARD-CR"' in shown


def test_targeting_and_alerts_through_the_api(world, marketer, api_as, deposit):
    api = api_as(marketer)
    segment = segment_save(by=marketer, name="Hispanohablantes", rules=SPANISH)
    url = f"/marketing/segments/{segment.pk}"
    ok = api.put(f"{url}/targeting", json={"priority": 70, "offer_ids": [deposit.pk]})
    assert ok.status_code == 200 and ok.json()["priority"] == 70
    assert ok.json()["offer_ids"] == [deposit.pk] and ok.json()["team_id"] is None
    bad = api.put(f"{url}/targeting", json={"priority": 101})
    assert bad.status_code == 422 and "100" in bad.json()["detail"]
    bad = api.put(f"{url}/targeting", json={"priority": 1, "offer_ids": [999999]})
    assert bad.status_code == 422 and "999999" in bad.json()["detail"]
    deposit.active = False
    deposit.save()
    bad = api.put(f"{url}/targeting", json={"priority": 1, "offer_ids": [deposit.pk]})
    assert bad.status_code == 422 and "no longer sold" in bad.json()["detail"]

    created = api.post(f"{url}/alerts", json={"text": "Llamar antes del 30", "level": "warning"})
    assert created.status_code == 201 and created.json()["level"] == "warning"
    alert_id = created.json()["id"]
    bad = api.post(
        f"{url}/alerts", json={"text": "x", "starts_on": "2026-05-02", "ends_on": "2026-05-01"}
    )
    assert bad.status_code == 422 and "ends before it starts" in bad.json()["detail"]
    assert api.post(f"{url}/alerts", json={"text": "  "}).status_code == 422
    changed = api.put(
        f"/marketing/segment-alerts/{alert_id}", json={"text": "Llamar ya", "active": False}
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert [a["text"] for a in api.get(f"{url}/alerts").json()] == ["Llamar ya"]
    segment_alert_save(by=marketer, segment=segment, text="Visible")
    body = api.get(f"/customers/{world['ana'].pk}/360").json()
    panels = {p["key"]: p["data"] for p in body["panels"]}
    assert [a["text"] for a in panels["segment_alerts"]] == ["Visible"]
    assert panels["segments"]["segments"][0]["priority"] == 70
    assert panels["segments"]["alerts"][0]["text"] == "Visible"


def test_a_rep_may_read_but_not_attach_alerts(world, marketer, rep, api_as):
    segment = segment_save(by=marketer, name="Hispanohablantes", rules=SPANISH)
    answer = api_as(rep).post(f"/marketing/segments/{segment.pk}/alerts", json={"text": "Hola"})
    assert answer.status_code == 403
    with pytest.raises(PermissionDenied):
        segment_targeting_set(by=rep, segment=segment, priority=3)
    with pytest.raises(ValidationFailed):
        segment_alert_save(by=marketer, segment=segment, text="x", level="red")


def test_the_segment_page_sets_targeting_and_alerts(world, marketer, client, deposit):
    segment = segment_save(by=marketer, name="Hispanohablantes", rules=SPANISH)
    client.force_login(marketer)
    answer = client.post(
        f"/marketing/segments/{segment.pk}/targeting/",
        {"priority": "40", "team_id": "", "offer_ids": [str(deposit.pk)]},
    )
    assert answer.status_code == 302
    segment.refresh_from_db()
    assert segment.priority == 40 and list(segment.offers.all()) == [deposit]
    refused = client.post(f"/marketing/segments/{segment.pk}/targeting/", {"priority": "500"})
    assert refused.status_code == 422 and "between 0 and 100" in refused.content.decode()
    client.post(
        f"/marketing/segments/{segment.pk}/alerts/",
        {"text": "Aviso", "level": "info", "active": "on"},
    )
    [alert] = segment.alerts.all()
    page = client.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert "Aviso" in page and "Switch off" in page
    client.post(f"/marketing/segment-alerts/{alert.pk}/toggle/")
    alert.refresh_from_db()
    assert alert.active is False


def test_the_next_best_offer_keeps_a_segment_offer_to_its_customers(world, marketer, deposit):
    from panorama.analytics.mining.basket import Baskets, Rule, offers_choose

    segment = segment_save(by=marketer, name="Hispanohablantes", rules=SPANISH)
    segment_targeting_set(by=marketer, segment=segment, priority=1, offer_ids=[deposit.pk])
    ana, luis = world["ana"], world["luis"]
    restricted = offer_restrictions(customer_ids=[ana.pk, luis.pk])
    assert restricted["DEP-2"] == {ana.pk} and restricted["Depósito 2%"] == {ana.pk}
    baskets = Baskets(customer=[ana.pk, luis.pk], items=[["ACC"], ["ACC"]])
    rules = [Rule("ACC", "DEP-2", 0.5, 0.9, 1.2, 2)]
    offers = offers_choose(baskets, rules, restricted=restricted)
    assert offers[ana.pk]["product"] == "DEP-2" and luis.pk not in offers
