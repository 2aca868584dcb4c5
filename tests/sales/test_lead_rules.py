import pytest
from django.core.exceptions import ValidationError

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied
from panorama.sales.models import AssignmentRule, Lead, ScoringRule
from panorama.sales.services.lead import lead_activity_record, lead_create, lead_update
from panorama.sales.services.lead_scoring import leads_rescore

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    ScoringRule.objects.create(
        name="Director", field="job_title", operator="contains", value="director", points=10
    )
    ScoringRule.objects.create(
        name="Web form", field="source", operator="equals", value="web_form", points=5
    )
    ScoringRule.objects.create(name="Company", field="company", operator="is_set", points=5)
    ScoringRule.objects.create(
        name="Free mail",
        field="email_domain",
        operator="in",
        value="gmail.com, hotmail.com, yahoo.es",
        points=-5,
    )
    ScoringRule.objects.create(
        name="Engaged", kind="behaviour", activity_kind="web_visit", points=2, max_points=6
    )


def test_score_and_its_explanation_follow_every_change(rules, rep):
    lead = lead_create(
        by=None, source="web_form", job_title="Sales Director", email="eva@gmail.com"
    )
    assert lead.score == 10 + 5 - 5
    assert [(e["rule"], e["points"]) for e in lead.score_explanation] == [
        ("Director", 10),
        ("Web form", 5),
        ("Free mail", -5),
    ]
    lead.owner = rep
    lead.save()
    lead = lead_update(by=rep, lead_id=lead.pk, changes={"company": "Acme"})
    assert lead.score == 15
    for _n in range(4):
        lead_activity_record(by=rep, lead_id=lead.pk, kind="web_visit")
    lead = Lead.objects.get()
    assert lead.score == 15 + 6, "behaviour points stop at the rule's maximum"
    assert lead.score_explanation[-1] == {"rule": "Engaged", "points": 6, "why": "Web visit × 4"}


def test_rescore_after_the_rules_change_is_for_administrators(rules, rep, admin_user):
    lead = lead_create(by=rep, company="Acme")
    ScoringRule.objects.filter(name="Company").update(points=20)
    with pytest.raises(PermissionDenied):
        leads_rescore(by=rep)
    assert leads_rescore(by=admin_user) == 1
    assert Lead.objects.get(pk=lead.pk).score == 20


def test_rule_definitions_are_checked():
    with pytest.raises(ValidationError):
        ScoringRule(name="x", field="company", operator="contains", value="", points=1).full_clean()
    with pytest.raises(ValidationError):
        ScoringRule(name="x", kind="behaviour", points=1).full_clean()
    with pytest.raises(ValidationError):
        AssignmentRule(name="x", kind="territory", team=TeamFactory()).full_clean()


def _reps(team, *names):
    return [UserFactory(username=n, role=Role.SALES_REP, teams=[team]) for n in names]


def test_round_robin_takes_turns_and_skips_reps_at_capacity(emitted):
    team = TeamFactory(name="Inbound")
    ana, bea, carlos = _reps(team, "ana", "bea", "carlos")
    AssignmentRule.objects.create(name="Inbound", kind="round_robin", team=team, capacity=2)
    owners = [lead_create(by=None, company=f"L{n}").owner for n in range(6)]
    assert owners == [ana, bea, carlos, ana, bea, carlos]
    with emitted() as events:
        seventh = lead_create(by=None, company="L7")
    assert seventh.owner is None, "everybody holds 2 open leads: nobody gets a third"
    assert [n for n, _p in events] == ["lead.created"]
    Lead.objects.filter(owner=bea).update(status="disqualified")
    with emitted() as events:
        eighth = lead_create(by=None, company="L8")
    assert eighth.owner == bea and eighth.team == team
    assert "Inbound" in eighth.assignment_note and "0 of at most 2" in eighth.assignment_note
    assert events[-1][0] == "lead.assigned" and events[-1][1]["rule"] == "Inbound"


def test_territory_then_criteria_then_round_robin_in_order():
    madrid, big, rest = (
        TeamFactory(name="Madrid"),
        TeamFactory(name="Big"),
        TeamFactory(name="Rest"),
    )
    (m,), (b,), (r,) = _reps(madrid, "m"), _reps(big, "b"), _reps(rest, "r")
    AssignmentRule.objects.create(
        name="Madrid",
        kind="territory",
        team=madrid,
        countries="ES",
        postal_prefixes="28",
        position=1,
    )
    AssignmentRule.objects.create(
        name="Directors",
        kind="criteria",
        team=big,
        owner=b,
        field="job_title",
        operator="contains",
        value="director",
        position=2,
    )
    AssignmentRule.objects.create(name="Rest", kind="round_robin", team=rest, position=3)
    in_madrid = lead_create(by=None, company="A", data={"country": "es", "postal_code": "28 001"})
    assert in_madrid.owner == m
    assert in_madrid.assignment_note.startswith("Rule “Madrid” (country=es, postal_code=28 001)")
    director = lead_create(
        by=None,
        company="B",
        job_title="IT Director",
        data={"country": "ES", "postal_code": "08001"},
    )
    assert director.owner == b and "Job title contains “director”" in director.assignment_note
    other = lead_create(by=None, company="C")
    assert other.owner == r and "round robin in Rest" in other.assignment_note


def test_a_lead_with_an_owner_is_not_reassigned(rep):
    team = TeamFactory(name="Inbound")
    _reps(team, "ana")
    AssignmentRule.objects.create(name="Inbound", kind="round_robin", team=team)
    assert lead_create(by=rep, company="Mine").owner == rep


def test_changing_a_rule_in_the_admin_rescores_the_open_leads(
    client, admin_user, rep, django_capture_on_commit_callbacks
):
    lead = lead_create(by=rep, company="Acme", job_title="Purchasing director")
    assert lead.score == 0
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/admin/sales/scoringrule/add/",
            {
                "name": "Directors",
                "kind": "field",
                "field": "job_title",
                "operator": "contains",
                "value": "director",
                "activity_kind": "",
                "points": "10",
                "active": "on",
                "position": "0",
            },
        )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    lead.refresh_from_db()
    assert lead.score == 10
    assert lead.score_explanation[0]["rule"] == "Directors"
    rule = ScoringRule.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/sales/scoringrule/{rule.pk}/delete/", {"post": "yes"})
    lead.refresh_from_db()
    assert (lead.score, lead.score_explanation) == (0, [])
