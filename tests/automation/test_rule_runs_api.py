"""A rule's log through the API, as its page shows it to administrators: its runs
(matched or failed, what was done) and the events it did not match (why), newest first,
keyset-paged in a constant number of queries; others get 403, bad input 4xx."""

import pytest

from panorama.automation.models import EventCheck, RuleRun

from ..factories import CustomerFactory

pytestmark = pytest.mark.django_db


def make_runs(rule, n, customer=None, *, each_new_customer=False):
    return [
        RuleRun.objects.create(
            rule=rule,
            key=f"event:{i}",
            event="web.event_tracked",
            customer=CustomerFactory() if each_new_customer else customer,
            matched=True,
            explanation=[f"line {i}"],
            actions_done=[f"Alert {i} raised"],
        )
        for i in range(n)
    ]


def test_an_administrator_pages_through_the_runs_newest_first(api, mortgage_rule, customer):
    make_runs(mortgage_rule, 5, customer)
    RuleRun.objects.create(
        rule=mortgage_rule, key="event:99", event="web.event_tracked", matched=True, error="Boom"
    )
    first = api.get(f"/automation/rules/{mortgage_rule.pk}/runs?limit=4")
    assert first.status_code == 200, first.content
    body = first.json()
    assert [r["error"] for r in body["items"]][0] == "Boom"
    assert body["items"][1]["actions_done"] == ["Alert 4 raised"]
    assert body["items"][1]["customer_name"] == "Lucía Vega"
    assert body["items"][1]["customer_id"] == customer.pk
    assert body["next_cursor"]
    cursor = body["next_cursor"]
    second = api.get(f"/automation/rules/{mortgage_rule.pk}/runs?limit=4&cursor={cursor}").json()
    assert [r["explanation"] for r in second["items"]] == [["line 1"], ["line 0"]]
    assert second["next_cursor"] is None


def test_the_runs_cost_the_same_queries_whatever_their_number(
    admin_user, mortgage_rule, django_assert_num_queries
):
    from panorama.automation.selectors import rule_runs_page

    make_runs(mortgage_rule, 30, each_new_customer=True)
    with django_assert_num_queries(1):
        page = rule_runs_page(user=admin_user, rule=mortgage_rule, limit=25)
        assert len({r.customer.display_name for r in page.items}) == 25


def test_the_misses_say_why_the_rule_did_not_match(api, mortgage_rule, customer):
    key = str(mortgage_rule.pk)
    EventCheck.objects.create(
        key="event:1",
        event="web.event_tracked",
        customer_id=customer.pk,
        misses={key: ["event.data.amount (5000) ≥ 100000 ✗"]},
    )
    EventCheck.objects.create(key="event:2", event="web.event_tracked", misses={"99999": ["x"]})
    got = api.get(f"/automation/rules/{mortgage_rule.pk}/runs?kind=misses").json()
    [miss] = got["items"]
    assert miss["matched"] is False and miss["customer_name"] == "Lucía Vega"
    assert miss["explanation"] == ["event.data.amount (5000) ≥ 100000 ✗"]


def test_only_administrators_read_the_log_and_bad_input_is_4xx(
    api, api_as, rep, mortgage_rule, customer
):
    make_runs(mortgage_rule, 1, customer)
    assert api_as(rep).get(f"/automation/rules/{mortgage_rule.pk}/runs").status_code == 403
    assert api.get("/automation/rules/999999/runs").status_code == 404
    bad_kind = api.get(f"/automation/rules/{mortgage_rule.pk}/runs?kind=all")
    assert bad_kind.status_code == 422 and "runs or misses" in bad_kind.json()["detail"]
    bad_cursor = api.get(f"/automation/rules/{mortgage_rule.pk}/runs?cursor=zzz")
    assert bad_cursor.status_code == 422
    assert api.get(f"/automation/rules/{mortgage_rule.pk}/runs?limit=x").status_code == 422
