"""The service reports: each figure counted from cases a user would recognise, over the
period asked, per queue and in total, within the reader's scope and a fixed number of
queries."""

import datetime

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.exceptions import ValidationFailed
from panorama.service.models import Case, CaseMessage, CaseSurvey
from panorama.service.selectors.reports import service_report

from ..factories import CustomerFactory, QueueFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 18, 0))


def at(day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 11, day, hour, 0))


def case(queue, customer, *, opened, status="open", resolved=None, due=None, **extra):
    c = Case.objects.create(
        customer=customer,
        subject="s",
        channel="phone",
        queue=queue,
        status=status,
        resolved_at=resolved,
        resolution_due=due,
        **extra,
    )
    Case.objects.filter(pk=c.pk).update(created_at=opened)
    return c


def replies(c, n):
    for _n in range(n):
        CaseMessage.objects.create(case=c, kind="reply", body="ok")


@pytest.fixture
def world():
    fibra, movil = QueueFactory(name="Fibra"), QueueFactory(name="Móvil")
    ana = CustomerFactory(first_name="Ana")
    # Fibra: three resolved in the period (two on time, one late), one open and overdue.
    a = case(fibra, ana, opened=at(10), status="resolved", resolved=at(10, 14), due=at(11))
    b = case(fibra, ana, opened=at(12), status="resolved", resolved=at(13, 12), due=at(14))
    c = case(fibra, ana, opened=at(12), status="closed", resolved=at(16, 12), due=at(13))
    case(fibra, ana, opened=at(15), status="open", due=at(17))
    replies(a, 1)
    replies(c, 3)
    CaseSurvey.objects.create(case=a, score=5)
    CaseSurvey.objects.create(case=b, score=2)
    CaseSurvey.objects.update(answered_at=at(17))
    # Móvil: one waiting on the customer (no target), and one resolved long before.
    case(movil, ana, opened=at(18), status="waiting")
    case(movil, ana, opened=at(1), status="resolved", resolved=at(2), due=at(3))
    return fibra, movil


def test_figures_per_queue_and_in_total(world, django_assert_max_num_queries):
    fibra, movil = world
    with django_assert_max_num_queries(7):
        report = service_report(
            user=None, date_from=datetime.date(2026, 11, 8), date_to=TODAY, now=NOW
        )
    rows = {r.name: r for r in report.queues}
    f, m = rows["Fibra"], rows["Móvil"]
    assert (f.opened, f.resolved, f.backlog_total, f.overdue) == (4, 3, 1, 1)
    # Two of the three resolutions met their target; two needed at most one reply.
    assert (f.resolution_met, f.resolution_targets, f.resolution_sla_pct) == (2, 3, 66.7)
    assert (f.first_contact, f.first_contact_pct) == (2, 66.7)
    # 4 h, 26 h and 98 h: a mean of 42.7 h.
    assert f.mttr_hours == 42.7
    assert (f.csat_average, f.csat_answers, f.csat_satisfied_pct) == (3.5, 2, 50.0)
    # The Móvil case resolved on the 2nd is outside the period; the waiting one is backlog.
    assert (m.opened, m.resolved, m.backlog, m.overdue) == (1, 0, {"waiting": 1}, 0)
    assert (m.resolution_sla_pct, m.mttr_hours, m.csat_average) == (None, None, None)
    t = report.totals
    assert (t.opened, t.resolved, t.backlog_total, t.resolution_sla_pct) == (5, 3, 2, 66.7)


def test_a_sales_rep_counts_only_his_own_customers_cases(world):
    team = TeamFactory()
    rep = UserFactory(role=Role.SALES_REP, teams=[team])
    mine = CustomerFactory(first_name="Luis", owner=rep)
    fibra, _movil = world
    case(fibra, mine, opened=at(19), status="open")
    report = service_report(user=rep, date_from=datetime.date(2026, 11, 1), date_to=TODAY)
    assert [(r.name, r.opened, r.backlog_total) for r in report.queues] == [("Fibra", 1, 1)]


def test_a_backwards_or_too_long_period_is_refused():
    with pytest.raises(ValidationFailed, match="start before it ends"):
        service_report(user=None, date_from=TODAY, date_to=datetime.date(2026, 11, 1))
    with pytest.raises(ValidationFailed, match="366 days"):
        service_report(user=None, date_from=datetime.date(2025, 1, 1), date_to=TODAY)


def test_the_report_page_shows_the_totals_in_the_readers_language(client, world):
    client.force_login(UserFactory(role=Role.SERVICE_AGENT))
    url = "/service/reports/?date_from=2026-11-08&date_to=2026-11-20"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "66,7" in page and "Fibra" in page
    english = client.get(url + "&lang=en", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Service reports" in english or "Informes" in english


def test_a_bad_period_on_the_page_is_a_422_with_the_reason(client):
    client.force_login(UserFactory(role=Role.SERVICE_AGENT))
    response = client.get("/service/reports/?date_from=2026-11-20&date_to=2026-11-01")
    assert response.status_code == 422
    assert "The period must start before it ends." in response.content.decode()
    response = client.get("/service/reports/?date_from=yesterday")
    assert response.status_code == 422


def test_the_report_api(api, world):
    response = api.get("/api/v1/reports/service?date_from=2026-11-08&date_to=2026-11-20")
    assert response.status_code == 200, response.content
    body = response.json()
    fibra = next(q for q in body["queues"] if q["name"] == "Fibra")
    assert (fibra["resolved"], fibra["resolution_sla_pct"]) == (3, 66.7)
    bad = api.get("/api/v1/reports/service?date_from=2026-11-20&date_to=2026-11-01")
    assert bad.status_code == 422 and "start before it ends" in bad.json()["detail"]


def test_technician_utilisation_counts_the_minutes_spent_against_the_weekdays():
    from panorama.service.models import WorkOrder

    from .field_world import field_world

    w = field_world()

    def order(status, minutes_spent=None, completed=None, scheduled=None, planned=60):
        return WorkOrder.objects.create(
            customer=w.customer,
            subject="Revisión",
            technician=w.tech,
            status=status,
            minutes_spent=minutes_spent,
            completed_at=completed,
            scheduled_start=scheduled,
            duration_minutes=planned,
        )

    order("done", 240, completed=at(17, 12), scheduled=at(17, 9), planned=180)
    order("done", 120, completed=at(19, 16), scheduled=at(19, 9), planned=120)
    order("done", 500, completed=at(3, 12))  # before the period
    order("cancelled", scheduled=at(18, 9), planned=600)  # planned time that was dropped
    order("scheduled", scheduled=at(20, 9), planned=60)
    # Monday 16 to Friday 20 November: five weekdays of eight hours.
    report = service_report(user=None, date_from=datetime.date(2026, 11, 16), date_to=TODAY)
    [tech] = report.technicians
    assert (tech.name, tech.orders_done, tech.minutes_spent) == ("Luis", 2, 360)
    assert (tech.minutes_planned, tech.minutes_available) == (360, 2400)
    assert tech.utilisation_pct == 15.0
    # A technician sees his own orders only: the other technician counts none.
    assert (
        service_report(
            user=w.tech2, date_from=datetime.date(2026, 11, 16), date_to=TODAY
        ).technicians
        == []
    )
