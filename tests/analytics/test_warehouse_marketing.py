"""Campaign responses, web events and journey enrolments in the warehouse: loaded in bulk
by the full build and the refresh, summed in the marketing marts, shown on the marketing
dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.analytics.warehouse import engine, load
from panorama.automation.models import TrackedSite, WebEvent, WebVisitor
from panorama.automation.services.tracking import visitor_identify
from panorama.customers.models import Customer
from panorama.marketing.models import Campaign, Enrolment, Journey, JourneyStep, Recipient
from tests.factories import UserFactory


def rows(sql, params=None):
    con = engine.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def marketing(shop):
    """A spring campaign to the three customers (Marta in the control group), a site with
    page views (one anonymous visitor), a welcome journey."""
    now = timezone.now()
    spring = Campaign.objects.create(
        name="Spring offer", status="sent", launched_at=now - datetime.timedelta(days=3)
    )
    sent = now - datetime.timedelta(days=3)
    laura = Recipient.objects.create(
        campaign=spring,
        customer=shop["laura"],
        group="target",
        status="sent",
        email="laura@example.com",
        sent_at=sent,
        opened_at=sent,
        opens=3,
        clicked_at=sent,
        clicks=1,
        converted_at=now,
        revenue=Decimal("120.00"),
    )
    Recipient.objects.create(
        campaign=spring,
        customer=shop["pedro"],
        group="target",
        status="bounced",
        email="pedro@example.com",
        sent_at=sent,
        bounced_at=sent,
        unsubscribed_at=sent,
    )
    Recipient.objects.create(
        campaign=spring, customer=shop["marta"], group="control", status="held"
    )
    site = TrackedSite.objects.create(name="Bank web", origins="https://bank.example")
    for url, customer, cookie in (
        ("https://bank.example/mortgage?email=laura@example.com", shop["laura"], "c-laura"),
        ("https://bank.example/mortgage#simulate", shop["laura"], "c-laura"),
        ("https://bank.example/", shop["pedro"], "c-pedro"),
        ("https://bank.example/mortgage", None, "c-anon"),
    ):
        WebEvent.objects.create(
            site=site,
            cookie_id=cookie,
            customer=customer,
            name="page_view",
            url=url,
            data={"email": "laura@example.com"},
            at=sent,
        )
    welcome = Journey.objects.create(name="Welcome", trigger="event", status="active")
    step = JourneyStep.objects.create(journey=welcome, position=1, kind="wait")
    Enrolment.objects.create(journey=welcome, customer=shop["laura"], step=step)
    Enrolment.objects.create(
        journey=welcome, customer=shop["pedro"], status="done", finished_at=now
    )
    return {"campaign": spring, "site": site, "laura_recipient": laura, "journey": welcome}


def test_the_build_loads_campaign_responses_web_events_and_journeys(marketing, shop):
    result = load.warehouse_build()

    assert result.rows["dim_campaign"] == 1
    assert result.rows["fact_campaign_response"] == 3
    assert result.rows["fact_web_event"] == 4
    assert result.rows["fact_journey_enrolment"] == 2
    campaign = marketing["campaign"].pk
    # targeted, control, sent, delivered, bounced, opened, clicked, unsubscribed, converted
    assert rows(
        "SELECT campaign, SUM(targeted), SUM(control), SUM(sent), SUM(delivered), "
        "SUM(bounced), SUM(opened), SUM(clicked), SUM(unsubscribed), SUM(converted), "
        "SUM(revenue) FROM mart_marketing_campaigns WHERE campaign_id = ? GROUP BY 1",
        [campaign],
    ) == [("Spring offer", 2, 1, 2, 1, 1, 1, 1, 1, 1, Decimal("120.00"))]
    # Pages without scheme, host, query or fragment; anonymous visits counted too.
    assert rows(
        "SELECT page, SUM(events), SUM(identified) FROM mart_marketing_web GROUP BY 1 ORDER BY 1"
    ) == [("/", 1, 1), ("/mortgage", 3, 2)]
    assert rows(
        "SELECT journey, status, SUM(enrolments) FROM mart_marketing_journeys "
        "GROUP BY 1, 2 ORDER BY 2"
    ) == [("Welcome", "active", 1), ("Welcome", "done", 1)]
    # No e-mail address, cookie id or event data reaches the warehouse.
    con = engine.connect(read_only=True)
    try:
        for table in ("fact_campaign_response", "fact_web_event", "dim_campaign"):
            text = str(con.execute(f"SELECT * FROM {table}").fetchall())
            assert "example.com" not in text and "c-laura" not in text, table
    finally:
        con.close()
    assert (engine.parquet_dir() / "fact_web_event.parquet").exists()


def test_a_refresh_picks_up_responses_new_events_identified_visitors_and_erasures(marketing, shop):
    load.warehouse_build()
    recipient = marketing["laura_recipient"]
    Recipient.objects.filter(pk=recipient.pk).update(opens=5, clicks=2)
    site = marketing["site"]
    WebEvent.objects.create(
        site=site,
        cookie_id="c-pedro",
        customer=shop["pedro"],
        name="simulation",
        url="https://bank.example/mortgage/simulator?amount=200000",
        at=timezone.now(),
    )
    # The anonymous visitor fills in a form: his earlier event becomes Marta's.
    visitor = WebVisitor.objects.create(site=site, cookie_id="c-anon")
    visitor_identify(visitor=visitor, customer_id=shop["marta"].pk, via="form")
    # Erasure: his ledger rows, events and enrolments cascade with him.
    Customer.objects.filter(pk=shop["pedro"].pk).delete()

    result = load.warehouse_refresh()

    assert rows(
        "SELECT opens, clicks FROM fact_campaign_response WHERE recipient_id = ?", [recipient.pk]
    ) == [(5, 2)]
    assert rows("SELECT page, name FROM fact_web_event WHERE name = 'simulation'") == []
    assert rows(
        "SELECT customer_id FROM fact_web_event WHERE visitor_key IS NOT NULL AND page = "
        "'/mortgage' ORDER BY customer_id"
    ) == sorted([(shop["laura"].pk,), (shop["laura"].pk,), (shop["marta"].pk,)])
    assert result.changed["fact_web_event"] == 1  # the relinked event (Pedro's is gone)
    assert result.deleted["fact_web_event"] == 1
    assert rows("SELECT count(*) FROM fact_campaign_response") == [(2,)]
    assert rows("SELECT count(*) FROM fact_journey_enrolment") == [(1,)]
    assert rows(
        "SELECT SUM(identified), SUM(events) FROM mart_marketing_web WHERE page = '/mortgage'"
    ) == [(3, 3)]


def test_a_refresh_appends_new_web_events(marketing, shop):
    load.warehouse_build()
    WebEvent.objects.create(
        site=marketing["site"],
        cookie_id="c-laura",
        customer=shop["laura"],
        name="simulation",
        url="https://bank.example/mortgage/simulator?amount=200000",
        at=timezone.now(),
    )
    result = load.warehouse_refresh()
    assert result.changed["fact_web_event"] == 1
    assert rows("SELECT page, customer_id FROM fact_web_event WHERE name = 'simulation'") == [
        ("/mortgage/simulator", shop["laura"].pk)
    ]


def test_the_marketing_dashboard_shows_campaigns_pages_and_journeys(marketing, shop, client):
    load.warehouse_build()
    client.force_login(UserFactory(username="mkt", role=Role.MARKETING))
    page = client.get(reverse("analytics:warehouse:dashboard", args=["marketing"]))
    body = page.content.decode()
    for text in ("Campaign results", "Spring offer", "Web events by page", "/mortgage", "Welcome"):
        assert text in body, text
    drill = client.get(
        reverse("analytics:warehouse:drill", args=["marketing", "campaigns"]),
        {"label": "Spring offer"},
    )
    assert "Laura" in drill.content.decode() and "Pedro" in drill.content.decode()
    pages = client.get(
        reverse("analytics:warehouse:drill", args=["marketing", "web_pages"]),
        {"label": "/mortgage"},
    )
    assert "Laura" in pages.content.decode() and "Pedro" not in pages.content.decode()


def test_a_refresh_of_an_older_warehouse_adds_the_new_tables(marketing, shop):
    load.warehouse_build()
    con = engine.connect()
    try:  # a file built before these facts joined the schema
        for table in ("fact_web_event", "fact_campaign_response", "dim_campaign"):
            con.execute(f"DROP TABLE {table}")
            con.execute("DELETE FROM wh_watermark WHERE table_name = ?", [table])
    finally:
        con.close()
    result = load.warehouse_refresh()
    assert result.rows["fact_web_event"] == 4
    assert result.rows["fact_campaign_response"] == 3
    assert rows("SELECT SUM(sent) FROM mart_marketing_campaigns") == [(2,)]
