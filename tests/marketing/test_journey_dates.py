"""Dated autoresponders: the customer's birthday and a product held about to end,
looked at by the journeys' sweep once a day, each customer once per occurrence. The
sweep takes the time as an argument (``now``), the way every journey test runs it."""

import datetime

import pytest
from django.utils import timezone

from panorama.customers.models import Customer, Holding
from panorama.marketing.models import Enrolment, Journey
from panorama.marketing.services import journeys as svc
from panorama.marketing.services.templates import template_save
from tests.factories import CustomerFactory, HoldingFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def dated_journey(marketer, name, trigger, subject, **trigger_args):
    template = template_save(by=marketer, name=name, subject_es=subject, body_es="Hola.")
    journey = svc.journey_save(by=marketer, name=name, trigger=trigger, **trigger_args)
    svc.step_add(by=marketer, journey=journey, kind="send", config={"template": template.pk})
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    return journey


def subjects(smtp, address):
    return [m["Subject"] for m in smtp.to(address)]


def test_a_birthday_greeting_once_a_year(smtp, marketer, world):
    journey = dated_journey(marketer, "Cumpleaños", "birthday", "Feliz cumpleaños")
    Customer.objects.filter(pk=world["ana"].pk).update(birth_date=datetime.date(1990, 3, 15))
    Customer.objects.filter(pk=world["luis"].pk).update(birth_date=datetime.date(1985, 3, 16))
    Customer.objects.filter(pk=world["bea"].pk).update(birth_date=datetime.date(1992, 2, 29))
    CustomerFactory(kind="organisation", birth_date=datetime.date(1980, 3, 15))

    svc.journeys_advance(now=at(2026, 3, 15))
    assert subjects(smtp, "ana@example.com") == ["Feliz cumpleaños"]
    assert list(Enrolment.objects.values_list("customer_id", "occurrence")) == [
        (world["ana"].pk, "2026")
    ]
    # Later that day, and the next day: nobody again.
    svc.journeys_advance(now=at(2026, 3, 15, 18))
    svc.journeys_advance(now=at(2026, 3, 16) - datetime.timedelta(hours=1))
    assert len(smtp.to("ana@example.com")) == 1
    svc.journeys_advance(now=at(2026, 3, 16))
    assert subjects(smtp, "luis@example.com") == ["Feliz cumpleaños"]
    # Born on 29 February: the 28th in a common year, the 29th in a leap year. And a year
    # later, Ana again (her first run is over).
    svc.journeys_advance(now=at(2027, 2, 28))
    svc.journeys_advance(now=at(2027, 3, 15))
    assert subjects(smtp, "ana@example.com") == ["Feliz cumpleaños"] * 2
    svc.journeys_advance(now=at(2028, 2, 28))
    svc.journeys_advance(now=at(2028, 2, 29))
    bea = Enrolment.objects.filter(customer=world["bea"], journey=journey)
    assert sorted(bea.values_list("occurrence", flat=True)) == ["2027", "2028"]
    assert Enrolment.objects.filter(journey=journey).count() == 5
    assert Enrolment.objects.get(customer=world["ana"], occurrence="2027").log[0]["what"] == (
        "Birthday 2027"
    )


def test_a_reminder_once_per_holding_about_to_end(smtp, marketer, world):
    dated_journey(marketer, "Vencimiento", "holding_end", "Tu producto vence", trigger_days=30)
    today = datetime.date(2026, 6, 1)
    ana_deposit = HoldingFactory(customer=world["ana"], end_date=today + 20 * DAY)
    HoldingFactory(customer=world["luis"], end_date=today + 40 * DAY)  # not yet
    HoldingFactory(customer=world["bea"], end_date=today + 10 * DAY, status=Holding.Status.ENDED)
    HoldingFactory(customer=world["dora"], end_date=today - DAY)  # ended yesterday
    carlos_first = HoldingFactory(customer=world["carlos"], end_date=today + 5 * DAY)
    carlos_second = HoldingFactory(customer=world["carlos"], end_date=today + 25 * DAY)

    svc.journeys_advance(now=at(2026, 6, 1))
    assert subjects(smtp, "ana@example.com") == ["Tu producto vence"]
    assert set(Enrolment.objects.values_list("customer_id", "occurrence")) == {
        (world["ana"].pk, str(ana_deposit.pk)),
        (world["carlos"].pk, str(carlos_first.pk)),
    }
    # The next days: Carlos's second holding, then Luis's once within 30 days; Ana's
    # deposit never again, nor anything for Bea's ended product or Dora's past one.
    for offset in range(1, 15):
        svc.journeys_advance(now=at(2026, 6, 1) + offset * DAY)
    assert len(smtp.to("ana@example.com")) == 1
    assert len(smtp.to("carlos@example.com")) == 2
    assert Enrolment.objects.filter(customer=world["carlos"], occurrence=str(carlos_second.pk))
    assert subjects(smtp, "luis@example.com") == ["Tu producto vence"]
    assert not smtp.to("bea@example.com") and not smtp.to("dora@example.com")
    assert Enrolment.objects.count() == 4


def test_the_dated_enrolment_is_one_query_whatever_the_customers(
    marketer, world, django_assert_num_queries
):
    dated_journey(marketer, "Vencimiento", "holding_end", "Vence", trigger_days=30)
    for customer in world.values():
        HoldingFactory(customer=customer, end_date=datetime.date(2026, 6, 10))
    # The journeys to look at; in one transaction (savepoint and release here) the first
    # step, the holdings, the insert, the enrolments made (for the events), the events'
    # outbox rows, the day noted.
    with django_assert_num_queries(8):
        assert svc.journeys_enrol_dated(now=at(2026, 6, 1)) == len(world)
    assert not svc.journeys_dated_pending(now=at(2026, 6, 1, 20))
    assert svc.journeys_dated_pending(now=at(2026, 6, 2))


def test_the_journey_page_and_the_api_offer_the_dated_triggers(client, api_as, marketer):
    client.force_login(marketer)
    page = client.get("/marketing/journeys/new/").content.decode()
    assert 'value="birthday"' in page and 'value="holding_end"' in page
    missing = client.post("/marketing/journeys/new/", {"name": "Vence", "trigger": "holding_end"})
    assert missing.status_code == 422 and "from 1 to 365" in missing.content.decode()
    saved = client.post(
        "/marketing/journeys/new/",
        {"name": "Vence", "trigger": "holding_end", "trigger_days": "15"},
    )
    journey = Journey.objects.get()
    assert saved.status_code == 302 and journey.trigger_days == 15
    detail = client.get(f"/marketing/journeys/{journey.pk}/").content.decode()
    assert "A product held is about to end: within 15 days" in detail

    api = api_as(marketer)
    made = api.post("/api/v1/marketing/journeys", {"name": "Cumple", "trigger": "birthday"})
    assert made.status_code == 201 and made.json()["trigger"] == "birthday"
    bad = api.post(
        "/api/v1/marketing/journeys",
        {"name": "V", "trigger": "holding_end", "trigger_days": 0},
    )
    assert bad.status_code == 422 and "trigger_days" in bad.content.decode()
    good = api.post(
        "/api/v1/marketing/journeys",
        {"name": "V", "trigger": "holding_end", "trigger_days": 30},
    )
    assert good.status_code == 201 and good.json()["trigger_days"] == 30
