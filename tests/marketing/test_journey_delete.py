"""A journey is deleted through one service, journey_delete, from the journeys list's
bulk bar (confirmed first): one nobody went through goes with its steps
(``journey.deleted``); an active one, or one a customer entered (its history: who got
which e-mail), is refused with why and stays; who may not send campaigns gets no
delete."""

import pytest

from panorama.accounts.models import Role
from panorama.core.exceptions import Conflict, PermissionDenied
from panorama.marketing.models import Enrolment, Journey, JourneyStep
from panorama.marketing.services import journeys as svc
from tests.factories import CustomerFactory, UserFactory
from tests.lists import bulk_keys, list_bulk

pytestmark = pytest.mark.django_db

CONFIRMED = {"value-delete": "yes"}


@pytest.fixture
def journeys(marketer):
    def made(name: str, status: str = "") -> Journey:
        journey = svc.journey_save(by=marketer, name=name, trigger="birthday")
        svc.step_add(by=marketer, journey=journey, kind="alert", config={"title": "Llamar"})
        if status:
            svc.journey_set_status(by=marketer, journey=journey, status="active")
        if status == "paused":
            svc.journey_set_status(by=marketer, journey=journey, status="paused")
        return journey

    return {
        "draft": made("Borrador"),
        "live": made("Cumpleaños", "active"),
        "used": made("Bienvenida", "paused"),
    }


def _names() -> list[str]:
    return sorted(Journey.objects.values_list("name", flat=True))


def test_a_journey_nobody_went_through_goes_with_its_steps(marketer, journeys, emitted):
    draft = journeys["draft"]
    with emitted() as events:
        svc.journey_delete(by=marketer, journey=draft)
    assert _names() == ["Bienvenida", "Cumpleaños"]
    assert not JourneyStep.objects.filter(journey_id=draft.pk).exists()
    assert events == [
        ("journey.deleted", {"journey_id": draft.pk, "name": "Borrador", "by": marketer.pk})
    ]


def test_an_active_journey_or_one_with_history_is_refused_with_why(marketer, journeys, emitted):
    Enrolment.objects.create(journey=journeys["used"], customer=CustomerFactory())
    with emitted() as events:
        with pytest.raises(Conflict) as active:
            svc.journey_delete(by=marketer, journey=journeys["live"])
        with pytest.raises(Conflict) as used:
            svc.journey_delete(by=marketer, journey=journeys["used"])
    assert active.value.message == "The journey is active: pause it first."
    assert used.value.message == (
        "1 customer went through it: pause it instead, its history stays."
    )
    assert len(_names()) == 3 and events == []
    with pytest.raises(PermissionDenied):
        svc.journey_delete(
            by=UserFactory(username="pepe", role=Role.SALES_REP), journey=journeys["draft"]
        )
    assert len(_names()) == 3


def test_the_bulk_bar_deletes_once_confirmed_and_reports_the_refused(client, marketer, journeys):
    Enrolment.objects.create(journey=journeys["used"], customer=CustomerFactory())
    client.force_login(marketer)
    ids = [str(j.pk) for j in journeys.values()]
    unconfirmed = list_bulk(client, "journeys", action="delete", ids=ids)
    assert "Choose “Delete them for good” to delete the selected journeys." in (
        unconfirmed.content.decode()
    )
    assert len(_names()) == 3
    done = list_bulk(client, "journeys", action="delete", ids=ids, **CONFIRMED)
    report = done.context["list"].report
    assert report.done == 1
    assert sorted(report.refused) == [
        ("Bienvenida", "1 customer went through it: pause it instead, its history stays."),
        ("Cumpleaños", "The journey is active: pause it first."),
    ]
    assert _names() == ["Bienvenida", "Cumpleaños"]


def test_who_may_not_send_has_no_delete(client, journeys):
    client.force_login(UserFactory(username="pepe", role=Role.SALES_REP))
    assert "delete" not in bulk_keys(client.get("/marketing/journeys/"))
    refused = list_bulk(client, "journeys", action="delete", all="1", query="", **CONFIRMED)
    assert refused.context["list"].bulk_error == "Choose an action."
    assert len(_names()) == 3
