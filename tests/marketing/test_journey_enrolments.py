"""Each customer's progress through a journey on its page and in the API: the next step
named, when it is due, the status; only customers the user may see; a page at a time."""

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.marketing.models import Enrolment
from panorama.marketing.services import journeys as svc
from panorama.marketing.services.segments import list_members_change
from tests.factories import UserFactory

from .test_journeys import welcome  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_the_page_lists_each_customers_progress(smtp, client, marketer, world, welcome):  # noqa: F811
    ana, bea = world["ana"], world["bea"]
    list_members_change(by=marketer, static_list=welcome["list"], add=[ana.pk, bea.pk])
    svc.journeys_advance()  # the welcome e-mail sent: both wait 3 days
    Enrolment.objects.filter(customer=bea).update(status="exited", exit_reason="Se fue", step=None)
    client.force_login(marketer)
    page = client.get(f"/marketing/journeys/{welcome['journey'].pk}/").content.decode()
    table = page[page.index('id="journey-enrolments"') :]
    assert "Ana García" in table and "Bea Sola" in table
    ana_row = table[table.index(f'data-enrolment="{Enrolment.objects.get(customer=ana).pk}"') :]
    ana_row = ana_row[: ana_row.index("</tr>")]
    # The e-mail sent and the wait begun: next, the condition, due in three days.
    due = Enrolment.objects.get(customer=ana).due_at
    assert "Continue only if in the segment “Sin tarjeta”" in ana_row and "In progress" in ana_row
    # (In the site's time zone, as the page shows it: past 23:00 UTC it is tomorrow in Madrid.)
    assert due is not None and timezone.localtime(due).strftime("%m/%d/%Y") in ana_row
    bea_row = table[table.index(f'data-enrolment="{Enrolment.objects.get(customer=bea).pk}"') :]
    assert "Left early" in bea_row[: bea_row.index("</tr>")]


def test_the_list_pages_and_keeps_to_the_users_customers(
    client,
    api_as,
    marketer,
    world,
    welcome,  # noqa: F811
):
    rep = UserFactory(username="pepe", role=Role.SALES_REP)
    world["ana"].owner = rep
    world["ana"].save(update_fields=["owner"])
    everyone = [c.pk for c in world.values()]
    list_members_change(by=marketer, static_list=welcome["list"], add=everyone)
    url = f"/api/v1/marketing/journeys/{welcome['journey'].pk}/enrolments"
    first = api_as(marketer).get(f"{url}?limit=4").json()
    assert len(first["items"]) == 4 and first["next_cursor"]
    assert first["items"][0]["step_label"] == "Send “Bienvenida”"
    rest = api_as(marketer).get(f"{url}?limit=4&cursor={quote(first['next_cursor'])}").json()
    seen = [e["customer_id"] for e in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(everyone) and rest["next_cursor"] is None
    mine = api_as(rep).get(url).json()
    assert [e["customer_name"] for e in mine["items"]] == ["Ana García"]
    assert api_as(marketer).get(f"{url}?cursor=roto").status_code == 422
    client.force_login(rep)
    page = client.get(f"/marketing/journeys/{welcome['journey'].pk}/").content.decode()
    assert "Ana García" in page and "Luis Pérez" not in page
    client.force_login(marketer)
    page = client.get(
        f"/marketing/journeys/{welcome['journey'].pk}/?cursor={quote(first['next_cursor'])}"
    ).content.decode()
    assert "More customers" not in page


def test_the_list_costs_the_same_queries_for_many_customers(api_as, marketer, world, welcome):  # noqa: F811
    url = f"/api/v1/marketing/journeys/{welcome['journey'].pk}/enrolments"
    api = api_as(marketer)
    list_members_change(by=marketer, static_list=welcome["list"], add=[world["ana"].pk])
    api.get(url)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(url).json()["items"]) == 1
    others = [c.pk for k, c in world.items() if k != "ana"]
    list_members_change(by=marketer, static_list=welcome["list"], add=others)
    Enrolment.objects.filter(customer_id__in=others[:3]).update(
        step=welcome["journey"].steps.get(position=2)
    )
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url).json()["items"]) == len(world)
    # One more query for the second distinct step's name, none per customer.
    assert len(many.captured_queries) <= len(one.captured_queries) + 1
