"""The rule's page shows its latest 20 runs and 20 misses; "Load more" (HTMX) brings the
next ones from the selector the API pages with, in the same number of queries whatever
the log's length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panorama.automation.models import EventCheck, RuleRun

from ..factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _more_url(html: str) -> str:
    start = html.index('hx-get="', html.index('class="pn-list-more"')) + len('hx-get="')
    return html[start : html.index('"', start)].replace("&amp;", "&")


def make_runs(rule, n, customer=None, *, start=0, each_new_customer=False):
    for i in range(start, start + n):
        RuleRun.objects.create(
            rule=rule,
            key=f"event:{i}",
            event="web.event_tracked",
            customer=CustomerFactory() if each_new_customer else customer,
            matched=True,
            explanation=[f"line {i}"],
            actions_done=[f"Alert {i} raised"],
        )


def make_misses(rule, n, customer=None, *, start=0):
    return [
        EventCheck.objects.create(
            key=f"event:{i}",
            event=rule.event,
            customer_id=customer.pk if customer else None,
            misses={str(rule.pk): [f"miss {i} ✗"]},
        )
        for i in range(start, start + n)
    ]


def test_the_page_shows_20_runs_and_load_more_brings_the_next_5(
    client, admin_user, mortgage_rule, customer
):
    make_runs(mortgage_rule, 25, customer)
    client.force_login(admin_user)
    page = client.get(reverse("automation:rule_edit", args=[mortgage_rule.pk]))
    html = page.content.decode()
    assert [f"Alert {i} raised" in html for i in (24, 5, 4)] == [True, True, False]
    assert "No event has failed to match" in html  # the misses' own card, empty
    more = client.get(_more_url(html), headers={"HX-Request": "true"})
    assert more.status_code == 200
    rows = more.content.decode()
    assert rows.count("<tr>") == 5
    assert [f"Alert {i} raised" in rows for i in (5, 4, 0)] == [False, True, True]
    assert "Load more" not in rows  # nothing after these


def test_the_misses_page_on_too_with_why(client, admin_user, mortgage_rule, customer):
    make_misses(mortgage_rule, 23, customer)
    client.force_login(admin_user)
    html = client.get(reverse("automation:rule_edit", args=[mortgage_rule.pk])).content.decode()
    assert "miss 22 ✗" in html and "miss 2 ✗" not in html
    assert "kind=misses" in _more_url(html)
    rows = client.get(_more_url(html), headers={"HX-Request": "true"}).content.decode()
    assert [f"miss {i} ✗" in rows for i in (3, 2, 0)] == [False, True, True]
    assert "Lucía Vega" in rows


def test_the_page_and_load_more_cost_the_same_queries_whatever_the_logs_length(
    client, admin_user, mortgage_rule
):
    client.force_login(admin_user)
    url = reverse("automation:rule_edit", args=[mortgage_rule.pk])

    def queries(path, **kw):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path, **kw).status_code == 200
        return len(ctx.captured_queries)

    make_runs(mortgage_rule, 21, each_new_customer=True)
    make_misses(mortgage_rule, 21, customer=CustomerFactory())
    few = queries(url)
    more_url = _more_url(client.get(url).content.decode())
    few_more = queries(more_url, headers={"HX-Request": "true"})
    make_runs(mortgage_rule, 40, start=21, each_new_customer=True)
    make_misses(mortgage_rule, 40, start=21, customer=CustomerFactory())
    assert queries(url) == few
    more_url = _more_url(client.get(url).content.decode())  # a full page of 20 after it
    assert queries(more_url, headers={"HX-Request": "true"}) == few_more


def test_load_more_is_for_administrators_and_a_bad_cursor_is_a_4xx(
    client, admin_user, rep, mortgage_rule
):
    url = reverse("automation:rule_runs", args=[mortgage_rule.pk])
    client.force_login(rep)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url, {"cursor": "zzz"}).status_code == 422
    assert client.get(url, {"kind": "all"}).status_code == 422
    assert client.get(reverse("automation:rule_runs", args=[999999])).status_code == 404
