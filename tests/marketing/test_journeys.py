"""Journeys: customers who join a list (or confirm a sign-up, or trigger an event) go
through the steps, advanced by the worker's sweep; the e-mails go through a real SMTP
server, only with consent at that moment; an unsubscription takes them out."""

import datetime
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from panorama.channels.models import Interaction
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.customers.services.relations import consent_record
from panorama.marketing.models import Enrolment, Journey, ListMembership, StaticList
from panorama.marketing.selectors import journey_report
from panorama.marketing.services import journeys as svc
from panorama.marketing.services.segments import list_members_change, segment_save
from panorama.marketing.services.templates import template_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def welcome(marketer):
    """Joining "Nuevos": welcome e-mail, wait 3 days, then (only card-less customers) a
    second e-mail and onto the "Ofertas" list."""
    newcomers = StaticList.objects.create(name="Nuevos")
    offers = StaticList.objects.create(name="Ofertas")
    hello = template_save(
        by=marketer,
        name="Bienvenida",
        subject_es="Hola {{ first_name }}",
        body_es="Bienvenido. Baja: {{ unsubscribe_url }}",
        subject_en="Hi {{ first_name }}",
        body_en="Welcome.",
    )
    card = template_save(by=marketer, name="Tarjeta", subject_es="¿Una tarjeta?", body_es="Mira.")
    no_card = segment_save(
        by=marketer,
        name="Sin tarjeta",
        rules={"field": "holding", "op": "has_not", "value": "CARD-CR"},
    )
    journey = svc.journey_save(
        by=marketer, name="Bienvenida", trigger="list_joined", trigger_list=newcomers.pk
    )
    svc.step_add(by=marketer, journey=journey, kind="send", config={"template": hello.pk})
    svc.step_add(by=marketer, journey=journey, kind="wait", config={"days": 3})
    svc.step_add(by=marketer, journey=journey, kind="condition", config={"segment": no_card.pk})
    svc.step_add(by=marketer, journey=journey, kind="send", config={"template": card.pk})
    svc.step_add(by=marketer, journey=journey, kind="add_to_list", config={"list": offers.pk})
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    return {"journey": journey, "list": newcomers, "offers": offers}


def test_joining_the_list_runs_the_journey_step_by_step(smtp, marketer, world, welcome):
    ana, bea, luis = world["ana"], world["bea"], world["luis"]
    list_members_change(by=marketer, static_list=welcome["list"], add=[ana.pk, bea.pk, luis.pk])
    assert Enrolment.objects.filter(status="active").count() == 3
    svc.journeys_advance()
    assert [m["Subject"] for m in smtp.to("ana@example.com")] == ["Hola Ana"]
    assert [m["Subject"] for m in smtp.to("luis@example.com")] == ["Hi Luis"]  # his language
    mail = smtp.to("ana@example.com")[0]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Interaction.objects.filter(customer=ana, subject="Journey e-mail: Hola Ana").exists()
    # Waiting: nothing more until the three days are over.
    assert svc.journeys_advance()["sent"] == 0
    svc.journeys_advance(now=timezone.now() + 3 * DAY + datetime.timedelta(minutes=1))
    assert [m["Subject"] for m in smtp.to("ana@example.com")] == ["Hola Ana", "¿Una tarjeta?"]
    assert len(smtp.to("bea@example.com")) == 1  # Bea holds a card: she left at the condition
    bea_run = Enrolment.objects.get(customer=bea)
    assert bea_run.status == "exited" and "Sin tarjeta" in bea_run.exit_reason
    assert Enrolment.objects.get(customer=ana).status == "done"
    assert ListMembership.objects.filter(static_list=welcome["offers"], customer=ana).exists()
    report = journey_report(journey=welcome["journey"])
    assert report["done"] == 2 and report["exited"] == 1 and report["active"] == 0


def test_consent_is_checked_at_each_send(smtp, marketer, world, welcome):
    eva, felix, ana = world["eva"], world["felix"], world["ana"]
    list_members_change(by=marketer, static_list=welcome["list"], add=[eva.pk, felix.pk, ana.pk])
    svc.journeys_advance()
    assert not smtp.to("eva@example.com") and not smtp.to("félix@example.com")
    assert Enrolment.objects.get(customer=eva).status == "exited"
    # Ana withdraws during the wait: the second e-mail never goes.
    consent_record(customer=ana, purpose="marketing", channel="email", granted=False, by=None)
    svc.journeys_advance(now=timezone.now() + 4 * DAY)
    assert len(smtp.to("ana@example.com")) == 1


def test_the_unsubscribe_link_takes_the_customer_out_at_once(
    client, smtp, marketer, world, welcome
):
    ana = world["ana"]
    list_members_change(by=marketer, static_list=welcome["list"], add=[ana.pk])
    svc.journeys_advance()
    body = smtp.to("ana@example.com")[0].get_body(("plain",)).get_content()
    link = re.search(r"https://crm\.example\.com(/marketing/ju/\S+/)", body).group(1)
    assert client.get(link).status_code == 200
    assert Enrolment.objects.get(customer=ana).status == "active"
    assert client.post(link).status_code == 200
    run = Enrolment.objects.get(customer=ana)
    # Written while the page speaks Ana's language (Spanish).
    with translation.override(ana.language):
        said = gettext("Unsubscribed from marketing e-mail")
    assert run.status == "exited" and run.exit_reason == said
    assert client.post(link[:-3] + "xx/").status_code == 400
    svc.journeys_advance(now=timezone.now() + 4 * DAY)
    assert len(smtp.to("ana@example.com")) == 1


def test_a_customer_enters_once_unless_reentry_is_allowed(marketer, world, welcome):
    ana, journey = world["ana"], welcome["journey"]
    list_members_change(by=marketer, static_list=welcome["list"], add=[ana.pk])
    list_members_change(by=marketer, static_list=welcome["list"], remove=[ana.pk])
    list_members_change(by=marketer, static_list=welcome["list"], add=[ana.pk])
    assert Enrolment.objects.filter(customer=ana).count() == 1
    svc.journey_save(
        by=marketer,
        journey=journey,
        name=journey.name,
        trigger="list_joined",
        trigger_list=welcome["list"].pk,
        allow_reentry=True,
    )
    list_members_change(by=marketer, static_list=welcome["list"], remove=[ana.pk])
    list_members_change(by=marketer, static_list=welcome["list"], add=[ana.pk])
    assert Enrolment.objects.filter(customer=ana).count() == 1  # still in it: not twice
    Enrolment.objects.filter(customer=ana).update(status="done")
    list_members_change(by=marketer, static_list=welcome["list"], remove=[ana.pk])
    list_members_change(by=marketer, static_list=welcome["list"], add=[ana.pk])
    assert Enrolment.objects.filter(customer=ana).count() == 2


def test_a_paused_journey_holds_its_customers_and_edits_keep_them_defined(
    smtp, marketer, world, welcome
):
    ana, journey = world["ana"], welcome["journey"]
    list_members_change(by=marketer, static_list=welcome["list"], add=[ana.pk])
    svc.journey_set_status(by=marketer, journey=journey, status="paused")
    assert svc.journeys_advance()["advanced"] == 0 and not smtp.messages
    first = journey.steps.order_by("position").first()
    svc.step_remove(by=marketer, step=first)  # his next step: he goes on with the wait
    assert Enrolment.objects.get(customer=ana).step.kind == "wait"
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    svc.journeys_advance()
    assert not smtp.messages and Enrolment.objects.get(customer=ana).step.kind == "condition"


def test_an_event_starts_a_journey_through_the_outbox(marketer, world):
    from django.db import transaction

    from panorama.core.events import emit
    from panorama.core.outbox import outbox_dispatch

    journey = svc.journey_save(
        by=marketer, name="Tras compra", trigger="event", trigger_event="holding.added"
    )
    svc.step_add(by=marketer, journey=journey, kind="alert", config={"title": "Llamar"})
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    ana = world["ana"]
    with transaction.atomic():
        emit("holding.added", customer_id=ana.pk, holding_id=1, by=None)
    while outbox_dispatch():
        pass
    assert Enrolment.objects.filter(journey=journey, customer=ana).exists()


def test_bad_steps_and_roles_are_refused(marketer, welcome):
    journey = welcome["journey"]
    with pytest.raises(ValidationFailed) as wrong:
        svc.step_add(by=marketer, journey=journey, kind="wait", config={"days": "soon"})
    assert wrong.value.field == "config.days"
    with pytest.raises(ValidationFailed):
        svc.step_add(by=marketer, journey=journey, kind="send", config={"template": 999999})
    with pytest.raises(ValidationFailed):
        svc.journey_save(by=marketer, name="X", trigger="event", trigger_event="no.such")
    empty = svc.journey_save(
        by=marketer, name="Vacío", trigger="list_joined", trigger_list=welcome["list"].pk
    )
    with pytest.raises(ValidationFailed):
        svc.journey_set_status(by=marketer, journey=empty, status="active")
    with pytest.raises(PermissionDenied):
        svc.step_add(
            by=UserFactory(role="analyst"), journey=journey, kind="wait", config={"days": 1}
        )
    assert Journey.objects.count() == 2


def test_the_journey_page_adds_moves_and_removes_steps(client, marketer, welcome):
    client.force_login(marketer)
    journey = welcome["journey"]
    page = client.get(f"/marketing/journeys/{journey.pk}/")
    assert page.status_code == 200 and b'id="journey-steps"' in page.content
    hx = {"HX-Request": "true"}
    added = client.post(
        f"/marketing/journeys/{journey.pk}/steps/", {"kind": "wait", "days": "2"}, headers=hx
    )
    assert added.status_code == 200 and "Wait 2 days" in added.content.decode()
    assert journey.steps.count() == 6
    wrong = client.post(
        f"/marketing/journeys/{journey.pk}/steps/", {"kind": "wait", "days": "x"}, headers=hx
    )
    assert wrong.status_code == 422 and b"data-error" in wrong.content
    last = journey.steps.order_by("-position").first()
    client.post(
        f"/marketing/journeys/{journey.pk}/steps/{last.pk}/move/", {"direction": "up"}, headers=hx
    )
    last.refresh_from_db()
    assert last.position == 4
    client.post(f"/marketing/journeys/{journey.pk}/steps/{last.pk}/remove/", headers=hx)
    assert journey.steps.count() == 5
    assert client.get("/marketing/journeys/").status_code == 200


def test_the_api_builds_and_reports_a_journey(api_as, marketer, welcome):
    api = api_as(marketer)
    made = api.post(
        "/api/v1/marketing/journeys",
        {"name": "API", "trigger": "list_joined", "trigger_list": welcome["list"].pk},
    )
    assert made.status_code == 201
    jid = made.json()["id"]
    bad = api.post(f"/api/v1/marketing/journeys/{jid}/steps", {"kind": "wait", "config": {}})
    assert bad.status_code == 422
    ok = api.post(
        f"/api/v1/marketing/journeys/{jid}/steps", {"kind": "wait", "config": {"days": 1}}
    )
    assert ok.status_code == 201
    report = api.get(f"/api/v1/marketing/journeys/{jid}")
    assert report.status_code == 200 and report.json()["steps"][0]["kind"] == "wait"
