"""Who has seen a team alert: each member who marked it, and when, on the home page, on
the ficha and in the API; the alerts list reads it in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panorama.automation.models import AlertSeen
from panorama.automation.services.alerts import alert_mark_seen, alert_raise

from ..factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def luis(team):
    return UserFactory(username="luis", first_name="Luis", last_name="Mora", teams=[team])


@pytest.fixture
def rep_named(rep):
    rep.first_name, rep.last_name = "Marta", "Gil"
    rep.save()
    return rep


def team_alert(customer, team, title="For the team"):
    return alert_raise(by=None, customer_id=customer.pk, team_id=team.pk, title=title)


def test_the_team_sees_who_has_seen_its_alert_and_when(
    client, api_as, rep_named, luis, team, customer
):
    alert = team_alert(customer, team)
    client.force_login(luis)
    home = client.get(reverse("automation:home")).content.decode()
    assert "Nobody in the team has seen it yet." in home

    client.force_login(rep_named)
    client.post(reverse("automation:alert_seen", args=[alert.pk]))
    seen = AlertSeen.objects.get()
    when = timezone.localtime(seen.at).strftime("%m/%d/%Y")

    client.force_login(luis)
    home = client.get(reverse("automation:home")).content.decode()
    assert "Seen by Marta Gil (" in home and when in home
    ficha = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Seen by Marta Gil (" in ficha

    [row] = api_as(luis).get("/automation/alerts").json()
    assert row["seen"] is False  # not by Luis himself
    assert [(s["user_id"], s["name"]) for s in row["seen_by"]] == [(rep_named.pk, "Marta Gil")]
    assert row["seen_by"][0]["at"].startswith(seen.at.isoformat()[:19])


def test_an_alert_for_one_user_does_not_list_a_team(client, rep, customer):
    alert_raise(by=None, customer_id=customer.pk, user_id=rep.pk, title="Only mine")
    client.force_login(rep)
    home = client.get(reverse("automation:home")).content.decode()
    assert "Only mine" in home and "Nobody in the team" not in home


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_who_has_seen_costs_the_same_queries_for_one_alert_or_many(client, api_as, rep, luis, team):
    first = CustomerFactory(owner=rep, team=team)
    seen = team_alert(first, team)
    alert_mark_seen(by=luis, alert_id=seen.pk)
    api = api_as(rep)
    client.force_login(rep)

    def home():
        assert client.get(reverse("automation:home")).status_code == 200

    def listing():
        assert api.get("/automation/alerts").status_code == 200

    home(), listing()  # the session, the token's last use: as for every call after the first
    few = count_queries(home), count_queries(listing)
    others = [UserFactory(teams=[team]) for _n in range(3)]
    for n in range(6):
        alert = team_alert(CustomerFactory(owner=rep, team=team), team, title=f"Alert {n}")
        for user in [luis, *others]:
            alert_mark_seen(by=user, alert_id=alert.pk)
    many = count_queries(home), count_queries(listing)
    assert many == few
    assert len(api.get("/automation/alerts").json()) == 7
    assert all(len(row["seen_by"]) >= 1 for row in api.get("/automation/alerts").json())
