"""A static list is deleted through one service, list_delete: from the lists page's bulk
bar (confirmed first) and by the API's DELETE. A list a campaign targets, a journey
starts from or a sign-up form joins people to is refused, naming what uses it, and
stays; the others go, with their memberships (the customers stay), each announced
(``list.deleted``); who may not build lists gets no delete (403 by the API)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.accounts.models import Role
from panorama.core.exceptions import Conflict, PermissionDenied
from panorama.customers.models import Customer
from panorama.marketing.models import Campaign, ListMembership, StaticList
from panorama.marketing.services.journeys import journey_save
from panorama.marketing.services.segments import list_create, list_delete
from panorama.marketing.services.signups import signup_form_save
from tests.factories import CustomerFactory, UserFactory
from tests.lists import EXPORTS_ONLY, bulk_keys, list_bulk

pytestmark = pytest.mark.django_db

CONFIRMED = {"value-delete": "yes"}


@pytest.fixture
def lists(marketer):
    people = [CustomerFactory().pk, CustomerFactory().pk]
    made = {
        name: list_create(by=marketer, name=name, customer_ids=people)
        for name in ("Primavera", "Verano", "Otoño", "Invierno", "Feria")
    }
    Campaign.objects.create(name="Rebajas", static_list=made["Verano"])
    journey_save(
        by=marketer, name="Bienvenida", trigger="list_joined", trigger_list=made["Otoño"].pk
    )
    signup_form_save(
        by=marketer, name="Boletín", static_list=made["Invierno"], consent_text_es="Acepto"
    )
    return made


def _names() -> list[str]:
    return sorted(StaticList.objects.values_list("name", flat=True))


def test_a_list_nothing_uses_goes_with_its_memberships_and_is_announced(marketer, lists, emitted):
    spring = lists["Primavera"]
    with emitted() as events:
        list_delete(by=marketer, static_list=spring)
    assert "Primavera" not in _names()
    assert not ListMembership.objects.filter(static_list_id=spring.pk).exists()
    assert Customer.objects.count() == 2  # its customers stay
    assert events == [
        ("list.deleted", {"list_id": spring.pk, "name": "Primavera", "by": marketer.pk})
    ]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Verano", "The campaign “Rebajas” targets it: it cannot be deleted."),
        ("Otoño", "The journey “Bienvenida” starts from it: it cannot be deleted."),
        ("Invierno", "The sign-up form “Boletín” joins people to it: it cannot be deleted."),
    ],
)
def test_a_list_in_use_is_refused_naming_what_uses_it(marketer, lists, emitted, name, why):
    with emitted() as events, pytest.raises(Conflict) as refused:
        list_delete(by=marketer, static_list=lists[name])
    assert refused.value.message == why
    assert name in _names() and events == []


def test_who_may_not_build_lists_may_not_delete_one(lists):
    with pytest.raises(PermissionDenied):
        list_delete(
            by=UserFactory(username="pepe", role=Role.SALES_REP), static_list=lists["Feria"]
        )
    assert "Feria" in _names()


def test_the_bulk_bar_deletes_the_free_ones_once_confirmed_and_reports_the_others(
    client, marketer, lists
):
    client.force_login(marketer)
    assert "delete" in bulk_keys(client.get("/marketing/lists/"))
    ids = [str(static_list.pk) for static_list in lists.values()]
    unconfirmed = list_bulk(client, "static-lists", action="delete", ids=ids)
    assert "Choose “Delete them for good” to delete the selected lists." in (
        unconfirmed.content.decode()
    )
    assert len(_names()) == 5  # nothing deleted without the confirmation

    done = list_bulk(client, "static-lists", action="delete", ids=ids, **CONFIRMED)
    report = done.context["list"].report
    assert report.done == 2
    assert sorted(report.refused) == [
        ("Invierno", "The sign-up form “Boletín” joins people to it: it cannot be deleted."),
        ("Otoño", "The journey “Bienvenida” starts from it: it cannot be deleted."),
        ("Verano", "The campaign “Rebajas” targets it: it cannot be deleted."),
    ]
    text = done.content.decode()
    assert "2 rows deleted." in text and "3 rows refused:" in text
    assert _names() == ["Invierno", "Otoño", "Verano"]


def test_who_may_not_build_lists_has_no_delete_in_the_bar(client, lists):
    client.force_login(UserFactory(username="pepe", role=Role.SALES_REP))
    assert bulk_keys(client.get("/marketing/lists/")) == EXPORTS_ONLY
    refused = list_bulk(client, "static-lists", action="delete", all="1", query="", **CONFIRMED)
    assert refused.context["list"].bulk_error == "Choose an action."
    assert len(_names()) == 5


def test_the_bulk_delete_costs_a_fixed_number_of_queries_per_row(client, marketer):
    client.force_login(marketer)

    def deleting(n: int) -> int:
        ids = [str(list_create(by=marketer, name=f"Lista {i}").pk) for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            report = list_bulk(client, "static-lists", action="delete", ids=ids, **CONFIRMED)
        assert report.context["list"].report.done == n
        return len(captured)

    # A row at a time through the service: each row costs the same, whatever the count.
    one, three, five = deleting(1), deleting(3), deleting(5)
    assert five - three == three - one


def test_the_api_deletes_through_the_same_service(api_as, marketer, rep, lists):
    free, used = lists["Primavera"], lists["Verano"]
    assert api_as(rep).delete(f"/marketing/lists/{free.pk}").status_code == 403
    refused = api_as(marketer).delete(f"/marketing/lists/{used.pk}")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "The campaign “Rebajas” targets it: it cannot be deleted."
    assert api_as(marketer).delete(f"/marketing/lists/{free.pk}").status_code == 204
    assert api_as(marketer).delete(f"/marketing/lists/{free.pk}").status_code == 404
    assert _names() == ["Feria", "Invierno", "Otoño", "Verano"]
