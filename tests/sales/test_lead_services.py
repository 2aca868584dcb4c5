import pytest

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from panorama.customers.models import Customer
from panorama.sales.models import Lead, LeadActivity, Opportunity
from panorama.sales.selectors import lead_get, leads_visible_to
from panorama.sales.services.lead import (
    lead_activity_record,
    lead_assign,
    lead_create,
    lead_disqualify,
    lead_qualify,
    lead_status_change,
    lead_update,
)
from panorama.sales.services.lead_convert import lead_convert, lead_matches

from ..factories import (
    CustomerFactory,
    IdentityFactory,
    TeamFactory,
    UserFactory,
    pipeline_with_stages,
)

pytestmark = pytest.mark.django_db


def test_capture_update_and_lifecycle(rep, emitted):
    with emitted() as events:
        lead = lead_create(by=rep, first_name="Eva", last_name="Soto", email=" Eva@Acme.ES ")
    assert lead.email == "eva@acme.es" and lead.owner == rep and lead.status == "new"
    assert [name for name, _p in events] == ["lead.created"]

    with emitted() as events:
        lead = lead_update(by=rep, lead_id=lead.pk, changes={"job_title": "CTO", "country": "ES"})
    assert lead.status == "working", "a new lead someone works on is being worked"
    assert lead.data == {"country": "ES"}
    assert events == [
        ("lead.updated", {"lead_id": lead.pk, "fields": ["country", "job_title"], "by": rep.pk})
    ]

    with pytest.raises(ValidationFailed) as error:
        lead_disqualify(by=rep, lead_id=lead.pk, reason=" ")
    assert error.value.field == "reason"

    with emitted() as events:
        lead_qualify(by=rep, lead_id=lead.pk)
    assert events[0][0] == "lead.qualified"
    lead = lead_disqualify(by=rep, lead_id=lead.pk, reason="No budget")
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "No budget")
    with pytest.raises(Conflict):
        lead_qualify(by=rep, lead_id=lead.pk)  # reopen first
    lead = lead_status_change(by=rep, lead_id=lead.pk, status="working")
    assert lead.status == "working" and lead.disqualify_reason == ""
    kinds = list(lead.activities.values_list("kind", flat=True))
    assert kinds.count("status") == 4 and "captured" in kinds


def test_bad_input_names_the_field_and_writes_nothing(rep):
    with pytest.raises(ValidationFailed) as error:
        lead_create(by=rep, email="not-an-email")
    assert error.value.field == "email"
    with pytest.raises(ValidationFailed) as error:
        lead_create(by=rep)
    assert error.value.field == "last_name"
    with pytest.raises(ValidationFailed) as error:
        lead_create(by=rep, last_name="x" * 151)
    assert error.value.field == "last_name"
    assert not Lead.objects.exists()


# Three fields at fault at once: every path reports all three (issue 9).
THREE_BAD = {
    "last_name": "Soto",
    "job_title": "Directora " * 11,
    "email": "no-es-correo",
    "phone": "600 112 233 / 600 445 566 / 911 223 344 (tardes)",
}


def test_every_bad_field_is_reported_at_once(rep):
    with pytest.raises(ValidationFailed) as error:
        lead_create(by=rep, **THREE_BAD)
    errors = error.value.errors
    assert sorted(errors) == ["email", "job_title", "phone"]
    assert "at most 100 characters" in errors["job_title"][0]
    assert errors["email"] == ["no-es-correo is not a valid e-mail address."]
    assert "at most 40 characters" in errors["phone"][0]
    assert error.value.field == "job_title"
    assert all(m in str(error.value.message) for ms in errors.values() for m in ms)
    lead = lead_create(by=rep, last_name="Soto")
    with pytest.raises(ValidationFailed) as error:
        lead_update(by=rep, lead_id=lead.pk, changes={**THREE_BAD, "last_name": ""})
    assert sorted(error.value.errors) == ["email", "job_title", "phone"]
    with pytest.raises(ValidationFailed) as error:
        lead_create(by=rep, source="nope", email="nope", data=[])  # type: ignore[typeddict-item]
    assert sorted(error.value.errors) == ["data", "email", "source"]
    assert list(Lead.objects.all()) == [lead]


def test_scope_reps_managers_and_unassigned(rep, team):
    mate = UserFactory(username="mate", teams=[team])
    stranger = UserFactory(username="stranger", teams=[TeamFactory(name="Sur")])
    manager = UserFactory(username="boss", role=Role.SALES_MANAGER, managed_teams=[team])
    own = lead_create(by=rep, company="Acme", team=team)
    orphan = lead_create(by=None, company="Nadie SL")
    assert orphan.owner is None and orphan.team is None
    assert set(leads_visible_to(mate)) == {own}
    assert set(leads_visible_to(manager)) == {own, orphan}
    assert not leads_visible_to(stranger).exists()
    with pytest.raises(NotFound):
        lead_get(user=stranger, lead_id=own.pk)
    with pytest.raises(NotFound):
        lead_qualify(by=rep, lead_id=orphan.pk)


def test_assignment_by_hand_stays_in_sight(rep, team, emitted):
    mate = UserFactory(username="mate", teams=[team])
    lead = lead_create(by=rep, company="Acme")
    with emitted() as events:
        lead = lead_assign(by=rep, lead_id=lead.pk, owner_id=mate.pk, team_id=team.pk)
    assert lead.owner == mate
    assert events[0][0] == "lead.assigned"
    other = TeamFactory(name="Sur")
    with pytest.raises(PermissionDenied):
        lead_assign(by=rep, lead_id=lead.pk, owner_id=mate.pk, team_id=other.pk)
    assert Lead.objects.get().team == team


def test_analyst_may_not_capture():
    analyst = UserFactory(username="ana", role=Role.ANALYST)
    with pytest.raises(PermissionDenied):
        lead_create(by=analyst, company="Acme")


def test_activity_is_recorded(rep, emitted):
    lead = lead_create(by=rep, company="Acme")
    with emitted() as events:
        lead_activity_record(by=rep, lead_id=lead.pk, kind="web_visit", detail="/precios")
    assert events[0][0] == "lead.activity_recorded"
    with pytest.raises(ValidationFailed):
        lead_activity_record(by=rep, lead_id=lead.pk, kind="status")


# --- conversion -----------------------------------------------------------------------


def test_convert_creates_customer_and_opportunity_and_keeps_the_history(rep, team, emitted):
    pipeline = pipeline_with_stages()
    lead = lead_create(
        by=rep,
        first_name="Eva",
        last_name="Soto",
        email="eva@acme.es",
        phone="600112233",
        company="Acme",
        notes="Wants 20 lines",
        team=team,
    )
    lead_activity_record(by=rep, lead_id=lead.pk, kind="email_reply", detail="Sí, llamadme")
    lead_qualify(by=rep, lead_id=lead.pk)
    with emitted() as events:
        done = lead_convert(
            by=rep, lead_id=lead.pk, opportunity=True, amount="1200.50", pipeline_id=pipeline.pk
        )
    customer = done.customer
    assert not done.reused and customer.display_name == "Eva Soto"
    assert set(customer.identities.values_list("kind", "value")) == {
        ("email", "eva@acme.es"),
        ("phone", "+34600112233"),
    }
    opportunity = Opportunity.objects.get()
    assert (opportunity.customer, opportunity.name, str(opportunity.amount)) == (
        customer,
        "Acme",
        "1200.50",
    )
    lead = Lead.objects.get()
    assert (lead.status, lead.customer, lead.opportunity) == ("converted", customer, opportunity)
    entry = Interaction.objects.get(customer=customer, metadata__kind="lead")
    assert entry.subject == "Converted from lead: Eva Soto (Manual)"
    assert "Wants 20 lines" in entry.body and "E-mail reply: Sí, llamadme" in entry.body
    assert entry.related == lead
    names = [name for name, _p in events]
    assert names[-1] == "lead.converted" and "customer.created" in names
    assert "opportunity.created" in names

    with pytest.raises(Conflict) as error:
        lead_convert(by=rep, lead_id=lead.pk)
    assert "already converted" in str(error.value.message)
    assert Customer.objects.count() == 1


def test_convert_finds_the_existing_customer_first(rep, team):
    existing = CustomerFactory(first_name="Eva", last_name="Soto", owner=rep, team=team)
    IdentityFactory(customer=existing, kind="email", value="eva@acme.es")
    lead = lead_create(by=rep, first_name="Eva", last_name="Soto", email="eva@acme.es")
    matches = lead_matches(user=rep, lead=lead)
    assert [m.customer for m in matches] == [existing]
    assert "same e-mail" in matches[0].reasons

    with pytest.raises(Conflict) as error:
        lead_convert(by=rep, lead_id=lead.pk)
    assert error.value.field == "customer_id"
    assert Lead.objects.get().status == "new" and Customer.objects.count() == 1

    done = lead_convert(by=rep, lead_id=lead.pk, customer_id=existing.pk)
    assert done.reused and done.customer == existing
    assert Customer.objects.count() == 1


def test_convert_may_force_a_new_customer(rep):
    existing = CustomerFactory(first_name="Eva", last_name="Soto", owner=rep)
    IdentityFactory(customer=existing, kind="email", value="eva@acme.es")
    lead = lead_create(by=rep, first_name="Eva", last_name="Soto", email="eva@acme.es")
    done = lead_convert(by=rep, lead_id=lead.pk, create_new=True)
    assert done.customer != existing and Customer.objects.count() == 2


def test_a_failed_conversion_leaves_nothing(rep):
    lead = lead_create(by=rep, company="Acme SL")
    with pytest.raises(NotFound):  # no pipeline at all
        lead_convert(by=rep, lead_id=lead.pk, opportunity=True)
    assert not Customer.objects.exists()
    assert Lead.objects.get().status == "new"
    assert not LeadActivity.objects.filter(kind="status").exists()


def test_an_organisation_lead_becomes_an_organisation(rep):
    lead = lead_create(by=rep, company="Talleres Pérez SL")
    done = lead_convert(by=rep, lead_id=lead.pk)
    assert (done.customer.kind, done.customer.display_name) == (
        "organisation",
        "Talleres Pérez SL",
    )
