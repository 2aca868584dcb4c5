"""Editing an opportunity: the amount in the company currency, the assignment rule, the
stage's required fields, field history, competitors, the API and its stage history."""

import datetime
from decimal import Decimal

import pytest

from panorama.accounts.models import Team
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.core.models import FieldChange
from panorama.sales.models import Competitor, Opportunity
from panorama.sales.services.opportunity import (
    opportunity_move,
    opportunity_update,
)

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_edit_recomputes_the_base_amount_and_keeps_history(rep, opp, emitted):
    acme = Competitor.objects.create(name="Acme")
    with emitted() as events:
        opportunity_update(
            by=rep,
            opportunity_id=opp.pk,
            changes={
                "amount": "2500.5",
                "next_step": " Llamar ",
                "next_step_date": datetime.date(2026, 12, 1),
                "competitor_ids": [acme.pk],
            },
        )
    opp.refresh_from_db()
    assert (opp.amount, opp.amount_base, opp.next_step) == (
        Decimal("2500.50"),
        Decimal("2500.50"),
        "Llamar",
    )
    assert list(opp.competitors.all()) == [acme]
    fields = set(FieldChange.objects.filter(object_id=str(opp.pk)).values_list("field", flat=True))
    assert {"amount", "amount_base", "next_step", "next_step_date"} <= fields
    assert events[-1][0] == "opportunity.updated"
    assert "competitors" in events[-1][1]["fields"]


def test_bad_edits_are_refused_and_nothing_changes(rep, opp, pipeline):
    opportunity_update(
        by=rep,
        opportunity_id=opp.pk,
        changes={"expected_close": datetime.date(2026, 12, 31)},
    )
    opportunity_move(
        by=rep, opportunity_id=opp.pk, stage_id=pipeline.stages.get(name="Negotiate").pk
    )
    for changes, field in [
        ({"amount": -1}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "USD"}, "currency"),  # no exchange rate
        ({"currency": "€"}, "currency"),
        ({"probability": 101}, "probability"),
        ({"name": "  "}, "name"),
        ({"expected_close": None}, "expected_close"),  # Negotiate needs it
        ({"stage_id": 3}, "stage_id"),
        ({"owner_id": 999999}, "owner_id"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            opportunity_update(by=rep, opportunity_id=opp.pk, changes=changes)
        assert refused.value.field == field, changes
    again = Opportunity.objects.get(pk=opp.pk)
    assert (again.amount, again.currency, again.name) == (Decimal("100.00"), "EUR", "Fibra")


def test_reassignment_follows_the_customers_rule(rep, team, opp):
    colleague = UserFactory(username="colega", teams=[team])
    opportunity_update(by=rep, opportunity_id=opp.pk, changes={"owner_id": colleague.pk})
    assert Opportunity.objects.get(pk=opp.pk).owner == colleague
    elsewhere = Team.objects.create(name="Sur")
    with pytest.raises(PermissionDenied):
        opportunity_update(by=rep, opportunity_id=opp.pk, changes={"team_id": elsewhere.pk})
    assert Opportunity.objects.get(pk=opp.pk).team == team


def test_patch_and_stage_history_through_the_api(api_as, rep, opp, pipeline):
    api = api_as(rep)
    patched = api.patch(f"/opportunities/{opp.pk}", json={"amount": "999.99", "probability": 55})
    assert patched.status_code == 200, patched.content
    assert (patched.json()["amount_base"], patched.json()["probability"]) == ("999.99", 55)
    bad = api.patch(f"/opportunities/{opp.pk}", json={"currency": "XYZ"})
    assert bad.status_code == 422 and "currency" in bad.json()["errors"]
    api.post(f"/opportunities/{opp.pk}/move", json={"stage_id": pipeline.stages.get(name="Won").pk})
    history = api.get(f"/opportunities/{opp.pk}/stages").json()
    assert [(h["from_stage_name"], h["to_stage_name"]) for h in history] == [
        (None, "Qualify"),
        ("Qualify", "Won"),
    ]
    assert history[1]["by_name"] and history[1]["seconds_in_previous"] is not None
    outsider = UserFactory(username="fuera", teams=[Team.objects.create(name="Norte")])
    assert api_as(outsider).get(f"/opportunities/{opp.pk}/stages").status_code == 404
    assert api_as(outsider).patch(f"/opportunities/{opp.pk}", json={"name": "x"}).status_code == 404
