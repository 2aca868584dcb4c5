"""The agenda pages, the API and the calendar feed: a rep's day with the proposed work,
the inline "log outcome" and "plan follow-up" (HTMX), the week, the scope (a manager of
another team gets 404), one item as .ics, the private feed without signing in."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.sales.models import Activity, CalendarFeed
from panorama.sales.services.activity import (
    activity_plan,
    calendar_feed_issue,
    calendar_feed_revoke,
)
from panorama.sales.services.opportunity import opportunity_create

from ..factories import CustomerFactory, TeamFactory, UserFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rep, team):
    south = TeamFactory(name="Sur")
    return {
        "rep": rep,
        "manager": UserFactory(username="jefa", role=Role.SALES_MANAGER, managed_teams=[team]),
        "other_manager": UserFactory(
            username="jefe_sur", role=Role.SALES_MANAGER, managed_teams=[south]
        ),
        "other_rep": UserFactory(username="sur", teams=[south]),
        "customer": CustomerFactory(first_name="Ana", last_name="Ruiz", owner=rep, team=team),
    }


def at(hour: int, day: datetime.date | None = None) -> datetime.datetime:
    day = day or timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def plan(world, **kw):
    data = {
        "by": world["rep"],
        "kind": "call",
        "subject": "Llamar a Ana",
        "starts_at": at(10),
        "customer_id": world["customer"].pk,
        **kw,
    }
    return activity_plan(**data)


def test_the_day_lists_items_in_time_order_and_the_proposed_work(client, world):
    pipeline_with_stages()
    rep = world["rep"]
    plan(world, subject="Segunda", starts_at=at(16))
    plan(world, subject="Primera", starts_at=at(9))
    plan(world, subject="Mañana", starts_at=at(9, timezone.localdate() + datetime.timedelta(1)))
    opportunity_create(
        by=rep,
        customer_id=world["customer"].pk,
        name="Renting flota",
        next_step="Enviar propuesta",
        next_step_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(rep)
    page = client.get(reverse("sales:agenda"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Primera") < html.index("Segunda")
    assert "Mañana" not in html
    assert "Renting flota" in html and "Enviar propuesta" in html
    tomorrow = (timezone.localdate() + datetime.timedelta(1)).isoformat()
    assert f"?day={tomorrow}" in html
    next_day = client.get(reverse("sales:agenda") + f"?day={tomorrow}").content.decode()
    planned_part = next_day.split('id="agenda-proposed"')[0]
    assert "Mañana" in planned_part and "Primera" not in planned_part
    week = client.get(reverse("sales:agenda") + "?view=week").content.decode()
    assert 'id="agenda-week"' in week and "Primera" in week
    # A day that is not a date shows today, never a 500.
    assert client.get(reverse("sales:agenda") + "?day=2026-13-40").status_code == 200


def test_the_day_page_costs_the_same_queries_whatever_the_agenda(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["rep"])
    client.get(reverse("sales:agenda"))
    for hour in range(8, 20):
        plan(world, subject=f"Llamada {hour}", starts_at=at(hour))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("sales:agenda"))
    assert page.content.decode().count('class="card" id="activity-') == 12


def test_logging_the_outcome_inline_writes_the_timeline(client, world):
    item = plan(world)
    client.force_login(world["rep"])
    url = reverse("sales:activity_complete", args=[item.pk])
    refused = client.post(url, {f"o{item.pk}-outcome": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "the outcome is required" in refused.content.decode()
    done = client.post(
        url, {f"o{item.pk}-outcome": "Acepta la visita"}, headers={"HX-Request": "true"}
    )
    assert done.status_code == 200
    assert "Acepta la visita" in done.content.decode() and "Done" in done.content.decode()
    entry = Interaction.objects.get(customer=world["customer"])
    assert entry.channel == "phone" and "Acepta la visita" in entry.body
    ficha = client.get(reverse("customers:detail", args=[world["customer"].pk])).content.decode()
    assert "Call: Llamar a Ana" in ficha


def test_planning_a_follow_up_inline(client, world):
    item = plan(world)
    client.force_login(world["rep"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    answer = client.post(
        reverse("sales:activity_follow_up", args=[item.pk]),
        {
            f"fu{item.pk}-kind": "visit",
            f"fu{item.pk}-subject": "Visita",
            f"fu{item.pk}-day": tomorrow.isoformat(),
            f"fu{item.pk}-time": "11:30",
        },
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and "Follow-up planned" in answer.content.decode()
    follow = Activity.objects.get(subject="Visita")
    assert (follow.kind, follow.customer_id, follow.owner) == (
        "visit",
        world["customer"].pk,
        world["rep"],
    )
    assert timezone.localtime(follow.starts_at).time() == datetime.time(11, 30)


def test_a_new_item_from_the_form(client, world):
    client.force_login(world["rep"])
    url = reverse("sales:activity_new") + f"?customer={world['customer'].pk}"
    assert client.get(url).status_code == 200
    data = {
        "kind": "meeting",
        "subject": "Reunión",
        "day": timezone.localdate().isoformat(),
        "time": "12:00",
        "duration_minutes": "45",
        "reminder_minutes": "10",
        "owner": world["rep"].pk,
        "customer": world["customer"].pk,
    }
    assert client.post(url, data).status_code == 302
    assert Activity.objects.get().duration_minutes == 45
    refused = client.post(url, {**data, "owner": world["other_rep"].pk})
    assert refused.status_code == 422  # not a choice he has
    assert Activity.objects.count() == 1


def test_a_manager_opens_his_reps_agenda_but_not_another_teams(client, world):
    item = plan(world)
    client.force_login(world["manager"])
    page = client.get(reverse("sales:agenda") + f"?owner={world['rep'].pk}")
    assert page.status_code == 200 and "Llamar a Ana" in page.content.decode()
    client.force_login(world["other_manager"])
    assert client.get(reverse("sales:agenda") + f"?owner={world['rep'].pk}").status_code == 404
    assert client.get(reverse("sales:activity_detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("sales:activity_ics", args=[item.pk])).status_code == 404
    refused = client.post(
        reverse("sales:activity_complete", args=[item.pk]), {f"o{item.pk}-outcome": "x"}
    )
    assert refused.status_code == 404
    assert Activity.objects.get().status == "planned"


def test_the_api_lists_plans_logs_and_scopes(api_as, world):
    rep_api = api_as(world["rep"])
    created = rep_api.post(
        "/agenda/activities",
        json={
            "kind": "call",
            "subject": "API",
            "starts_at": at(11).isoformat(),
            "customer_id": world["customer"].pk,
            "reminder_minutes": 5,
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    for n in range(3):
        plan(world, subject=f"Otra {n}", starts_at=at(12 + n))
    first = rep_api.get("/agenda/activities?limit=2").json()
    second = rep_api.get(f"/agenda/activities?limit=2&cursor={first['next_cursor']}").json()
    subjects = [i["subject"] for i in first["items"] + second["items"]]
    assert subjects == ["API", "Otra 0", "Otra 1", "Otra 2"]
    bad = rep_api.post(
        "/agenda/activities",
        json={"kind": "call", "subject": "x", "starts_at": at(9).isoformat(), "owner_id": 10**6},
    )
    assert bad.status_code == 422 and bad.json()["errors"].keys() == {"owner_id"}
    other = api_as(world["other_manager"])
    assert other.get(f"/agenda/activities/{pk}").status_code == 404
    assert other.post(f"/agenda/activities/{pk}/complete", json={"outcome": "x"}).status_code == 404
    assert other.get("/agenda/activities").json()["items"] == []
    done = rep_api.post(f"/agenda/activities/{pk}/complete", json={"outcome": "Bien"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert done.json()["interaction_id"] is not None
    day = rep_api.get("/agenda/day").json()
    assert [a["subject"] for a in day["activities"]][0] == "API"
    ics = rep_api.get(f"/agenda/activities/{pk}/ics")
    assert ics["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Call: API"


def test_one_item_as_ics(client, world):
    item = plan(world, reminder_minutes=15, notes="Preguntar por la fibra")
    client.force_login(world["rep"])
    answer = client.get(reverse("sales:activity_ics", args=[item.pk]))
    assert answer["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(answer.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Call: Llamar a Ana"
    assert event.decoded("DTSTART") == item.starts_at
    assert event.decoded("DTEND") == item.starts_at + datetime.timedelta(minutes=30)
    assert "Preguntar por la fibra" in str(event["DESCRIPTION"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == datetime.timedelta(minutes=-15)


def test_the_private_feed_works_without_signing_in_until_revoked(client, world):
    plan(world, subject="En el feed")
    plan(world, by=world["other_rep"], subject="De otro", customer_id=None)
    token = calendar_feed_issue(by=world["rep"])
    assert CalendarFeed.objects.get().token_hash != token  # only the hash is kept
    url = reverse("sales:agenda_feed", args=[token])
    answer = client.get(url)  # nobody signed in
    assert answer.status_code == 200
    calendar = Calendar.from_ical(answer.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Call: En el feed"]
    assert client.get(reverse("sales:agenda_feed", args=["x" * 43])).status_code == 404
    calendar_feed_revoke(by=world["rep"])
    assert client.get(url).status_code == 404
    # A new address works; the old one stays dead.
    new = calendar_feed_issue(by=world["rep"])
    assert client.get(reverse("sales:agenda_feed", args=[new])).status_code == 200
    assert client.get(url).status_code == 404


def test_the_agenda_page_issues_and_revokes_the_address(client, world):
    client.force_login(world["rep"])
    issued = client.post(reverse("sales:agenda_feed_issue"), follow=True)
    html = issued.content.decode()
    assert "/sales/agenda/feed/" in html and ".ics" in html
    feed_url = html.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    client.logout()
    assert client.get(feed_url).status_code == 200
    client.force_login(world["rep"])
    client.post(reverse("sales:agenda_feed_revoke"))
    client.logout()
    assert client.get(feed_url).status_code == 404


def test_a_manager_plans_on_his_reps_agenda_from_the_form(client, world):
    client.force_login(world["manager"])
    form = client.get(reverse("sales:activity_new")).content.decode()
    assert f'<option value="{world["rep"].pk}"' in form
    assert f'<option value="{world["other_rep"].pk}"' not in form
    data = {
        "kind": "visit",
        "subject": "Visita con la jefa",
        "day": timezone.localdate().isoformat(),
        "time": "17:00",
        "duration_minutes": "60",
        "owner": world["rep"].pk,
    }
    assert client.post(reverse("sales:activity_new"), data).status_code == 302
    assert Activity.objects.get().owner == world["rep"]
    refused = client.post(reverse("sales:activity_new"), {**data, "owner": world["other_rep"].pk})
    assert refused.status_code == 422
    assert "You may plan only on your own agenda" in refused.content.decode()
    assert Activity.objects.count() == 1


def test_the_list_of_items_is_scoped_and_bounded(client, world, django_assert_max_num_queries):
    for hour in range(8, 18):
        plan(world, subject=f"Llamada {hour}", starts_at=at(hour))
    activity_plan(
        by=world["other_rep"], kind="call", subject="Del sur", starts_at=at(9), customer_id=None
    )
    client.force_login(world["manager"])
    client.get(reverse("sales:activity_list"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("sales:activity_list") + "?sort=soonest&status=planned")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Llamada 8") < html.index("Llamada 17")
    assert "Del sur" not in html
    more = client.get(reverse("sales:activity_list") + "?kind=visit").content.decode()
    assert "Llamada 8" not in more


def test_the_palette_offers_the_agenda(world):
    from panorama.core.palette import actions_for

    labels = {a["label"] for a in actions_for(world["rep"], "")}
    assert {"Plan a call", "My agenda", "Forecast"} <= labels
    analyst = UserFactory(username="analista", role=Role.ANALYST)
    assert "Plan a call" not in {a["label"] for a in actions_for(analyst, "")}
