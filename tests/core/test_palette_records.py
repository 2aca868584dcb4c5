"""Ctrl+K finds leads, opportunities, cases and quotes: each app's search, one indexed
query with a limit, in the user's scope (a rep finds his own and his team's records)."""

import datetime

import pytest

from panorama.accounts.models import Role
from panorama.core import palette
from panorama.sales.palette import lead_hits, opportunity_hits, quote_hits
from panorama.sales.services.lead import lead_create
from panorama.sales.services.opportunity import opportunity_create
from panorama.service.palette import case_hits
from panorama.service.services.case import case_open
from tests.factories import CustomerFactory, TeamFactory, UserFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db


def _palette(client, text):
    return client.get("/ui/palette/", {"q": text}, headers={"HX-Request": "true"})


@pytest.fixture
def records(rep, team):
    """The same records for the rep's team and for another team."""
    pipeline_with_stages()
    other_team = TeamFactory(name="Sevilla")
    other_rep = UserFactory(username="other", role=Role.SALES_REP, teams=[other_team])
    made = {}
    for who, their_team, tag in ((rep, team, "ours"), (other_rep, other_team, "theirs")):
        customer = CustomerFactory(last_name=f"Cliente {tag}", owner=who, team=their_team)
        made[tag] = {
            "opportunity": opportunity_create(
                by=None, customer_id=customer.pk, name=f"Renting {tag}", owner=who, team=their_team
            ),
            "lead": lead_create(
                by=None, last_name=f"Lopez {tag}", company="Acme", owner=who, team=their_team
            ),
            "case": case_open(by=None, customer_id=customer.pk, subject=f"Card blocked {tag}"),
        }
    return made


def test_a_rep_finds_his_teams_opportunity_and_not_another_teams(client, rep, records):
    client.force_login(rep)
    html = _palette(client, "rent").content.decode()
    assert 'aria-label="Opportunities"' in html or ">Opportunities<" in html
    ours, theirs = records["ours"]["opportunity"], records["theirs"]["opportunity"]
    assert f'data-href="/sales/opportunities/{ours.pk}/"' in html
    assert "Renting ours" in html
    assert "Renting theirs" not in html
    assert f"/sales/opportunities/{theirs.pk}/" not in html


def test_leads_by_name_company_or_e_mail_within_scope(rep, records):
    assert [h.label for h in lead_hits(rep, "lópez")] == []  # a prefix, not accent-folded
    assert [h.label for h in lead_hits(rep, "lope")] == ["Lopez ours"]
    assert [h.label for h in lead_hits(rep, "acm")] == ["Lopez ours"]
    manager = UserFactory(username="boss", role=Role.ADMIN)
    assert sorted(h.label for h in lead_hits(manager, "Lopez")) == ["Lopez ours", "Lopez theirs"]
    assert lead_hits(rep, "%") == [] and lead_hits(rep, "_o") == []


def test_cases_by_reference_within_scope(rep, records):
    ours, theirs = records["ours"]["case"], records["theirs"]["case"]
    for typed in (ours.reference, ours.reference.lower(), str(ours.pk), f"c{ours.pk}"):
        hits = case_hits(rep, typed)
        assert [h.url for h in hits] == [f"/service/cases/{ours.pk}/"], typed
        assert "Card blocked ours" in hits[0].label
    assert case_hits(rep, theirs.reference) == []
    assert case_hits(rep, "card") == []


def test_quotes_by_reference_within_scope(rep, records):
    from panorama.sales.models import Quote

    quotes = {}
    for tag in ("ours", "theirs"):
        opportunity = records[tag]["opportunity"]
        quote = Quote.objects.create(
            customer=opportunity.customer,
            owner=opportunity.owner,
            team=opportunity.team,
            currency="EUR",
            valid_until=datetime.date(2027, 1, 31),
        )
        quote.reference = f"Q-{quote.pk:06d}"
        quote.save(update_fields=["reference"])
        quotes[tag] = quote
    ours = quotes["ours"]
    for typed in (ours.reference, f"q{ours.pk}", str(ours.pk)):
        assert [h.url for h in quote_hits(rep, typed)] == [f"/sales/quotes/{ours.pk}/"], typed
    assert quote_hits(rep, quotes["theirs"].reference) == []


def test_each_search_is_one_query_with_a_limit(rep, team, django_assert_num_queries):
    pipeline_with_stages()
    customer = CustomerFactory(owner=rep, team=team)
    for n in range(8):
        opportunity_create(by=None, customer_id=customer.pk, name=f"Renting {n}", owner=rep)
        lead_create(by=None, last_name=f"Renta {n}", owner=rep, team=team)
    for search in (opportunity_hits, lead_hits, case_hits, quote_hits):
        with django_assert_num_queries(1):
            typed = {opportunity_hits: "Rent", lead_hits: "Rent", case_hits: "C-1"}
            hits = search(rep, typed.get(search, "Q-1"))
        assert len(hits) <= 5
    assert len(opportunity_hits(rep, "Rent")) == 5


def test_the_searches_are_registered_with_the_palette():
    labels = [str(label) for label, _search in palette._searches]
    for label in ("Leads", "Opportunities", "Cases", "Quotes"):
        assert label in labels
