"""The scores as conditions: segment rules on RFM segment, churn probability, lifetime
value and cluster (one scoped query, a clear error naming the field, the builder's live
count), and business rules testing ``score.<field>``."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.analytics.models import CustomerScore, ModelRun
from panorama.automation.engine import rule_test
from panorama.automation.services.rules import rule_save
from panorama.core.exceptions import ValidationFailed
from panorama.marketing import selectors
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(rep, team):
    """Four customers of the rep's team with scores, one outside his team, one unscored."""
    made = {}
    for name, segment, risk, clv, cluster in (
        ("Ana", "champions", 0.05, "900.00", 1),
        ("Blas", "at_risk", 0.81, "450.00", 2),
        ("Celia", "at_risk", 0.64, "120.00", 2),
        ("Dario", "lost", 0.93, "15.00", 3),
    ):
        customer = CustomerFactory(first_name=name, display_name=name, owner=rep, team=team)
        CustomerScore.objects.create(
            customer=customer,
            rfm_segment=segment,
            churn_risk=risk,
            clv=Decimal(clv),
            cluster=cluster,
        )
        made[name] = customer
    other = TeamFactory(name="Elsewhere")
    made["Eva"] = CustomerFactory(first_name="Eva", display_name="Eva", team=other)
    CustomerScore.objects.create(customer=made["Eva"], rfm_segment="at_risk", churn_risk=0.99)
    made["Fermin"] = CustomerFactory(first_name="Fermin", display_name="Fermin", team=team)
    ModelRun.objects.create(
        kind=ModelRun.Kind.CLUSTER,
        card={
            "clusters": [
                {"cluster": 1, "traits": [{"feature": "monetary", "direction": "high"}]},
                {"cluster": 2, "traits": [{"feature": "recency_days", "direction": "high"}]},
                {"cluster": 3, "traits": []},
            ]
        },
    )
    return made


def names(user, rules):
    return sorted(c.display_name for c in selectors.segment_customers(user=user, rules=rules))


AT_RISK_VALUABLE = {
    "op": "and",
    "rules": [
        {"field": "score.rfm_segment", "op": "eq", "value": "at_risk"},
        {"field": "score.churn_risk", "op": "gte", "value": "0.7"},
        {"field": "score.clv", "op": "gt", "value": 100},
    ],
}


def test_a_segment_on_scores_is_one_scoped_query(scored, rep, django_assert_num_queries):
    # The custom field definitions (1) and the count (1), whatever the score conditions.
    with django_assert_num_queries(2):
        assert selectors.segment_count(user=rep, rules=AT_RISK_VALUABLE) == 1
    assert names(rep, AT_RISK_VALUABLE) == ["Blas"]
    # Eva (0.99, at risk) is in another team: a marketer sees her, the rep does not.
    marketer = UserFactory(role=Role.MARKETING)
    at_risk = {"op": "and", "rules": [AT_RISK_VALUABLE["rules"][0]]}
    assert names(rep, at_risk) == ["Blas", "Celia"]
    assert names(marketer, at_risk) == ["Blas", "Celia", "Eva"]


def test_not_and_empty_keep_the_customers_without_scores(scored, rep):
    not_risky = {"op": "not", "rule": {"field": "score.churn_risk", "op": "gte", "value": 0.5}}
    assert names(rep, not_risky) == ["Ana", "Fermin"]
    unscored = {"field": "score.rfm_segment", "op": "is_empty"}
    assert names(rep, {"op": "and", "rules": [unscored]}) == ["Fermin"]
    cluster = {"op": "and", "rules": [{"field": "score.cluster", "op": "in", "value": ["2", 3]}]}
    assert names(rep, cluster) == ["Blas", "Celia", "Dario"]
    assert names(
        rep, {"op": "and", "rules": [{**cluster["rules"][0], "op": "ne", "value": "2"}]}
    ) == [
        "Ana",
        "Dario",
        "Fermin",
    ]


def test_a_bad_score_condition_names_the_field(scored, rep):
    with pytest.raises(ValidationFailed, match="RFM segment") as bad:
        selectors.segment_count(
            user=rep, rules={"field": "score.rfm_segment", "op": "eq", "value": "vips"}
        )
    assert bad.value.field == "rules.value"
    with pytest.raises(ValidationFailed, match="Churn probability"):
        selectors.segment_count(
            user=rep, rules={"field": "score.churn_risk", "op": "gte", "value": "high"}
        )
    with pytest.raises(ValidationFailed, match="not a choice of Cluster"):
        selectors.segment_count(user=rep, rules={"field": "score.cluster", "op": "eq", "value": 9})
    with pytest.raises(ValidationFailed, match="takes the operators"):
        selectors.segment_count(user=rep, rules={"field": "score.cluster", "op": "is_empty"})


def test_the_builder_offers_the_scores_and_counts_live(scored, client, rep):
    client.force_login(rep)
    page = client.post(
        reverse("marketing:segment_builder"),
        {"mode": "builder", "match": "and", "f0": "score.rfm_segment", "o0": "eq"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="score.churn_risk"' in html and "Churn probability (0 to 1)" in html
    assert 'value="at_risk"' in html  # the RFM segments to pick from
    form = {
        "mode": "builder",
        "match": "and",
        "f0": "score.rfm_segment",
        "o0": "eq",
        "v0": "at_risk",
        "f1": "score.churn_risk",
        "o1": "gte",
        "v1": "0.6",
    }
    count = client.post(reverse("marketing:segment_count"), form)
    assert count.status_code == 200 and ">2<" in count.content.decode().replace(" ", "")
    form["v1"] = "much"
    count = client.post(reverse("marketing:segment_count"), form)
    assert count.status_code == 422 and "Churn probability" in count.content.decode()


CHURN_ALERT = {
    "name": "Valuable customer about to leave",
    "trigger": "schedule",
    "schedule_time": "07:00",
    "conditions": {
        "all": [
            {"field": "score.churn_risk", "op": "gte", "value": 0.8},
            {"field": "score.clv", "op": "gt", "value": 100},
        ]
    },
    "actions": [{"type": "alert", "to": "owner", "title": "Call {customer.display_name}"}],
}


def test_a_business_rule_tests_the_scores(scored, admin_user, django_assert_num_queries):
    rule = rule_save(by=admin_user, data=CHURN_ALERT)
    outcome = rule_test(rule=rule, customer=scored["Blas"])
    assert outcome.matched, outcome
    assert not rule_test(rule=rule, customer=scored["Dario"]).matched  # low value
    assert not rule_test(rule=rule, customer=scored["Ana"]).matched  # loyal
    assert not rule_test(rule=rule, customer=scored["Fermin"]).matched  # never scored
    # The scores are read once per customer, whatever the number of score conditions.
    with django_assert_num_queries(1):
        rule_test(rule=rule, customer=scored["Blas"])


def test_an_unknown_score_is_refused_at_save(admin_user):
    data = {
        **CHURN_ALERT,
        "conditions": {"field": "score.shoe_size", "op": "gt", "value": 1},
    }
    with pytest.raises(ValidationFailed, match="score.shoe_size"):
        rule_save(by=admin_user, data=data)
