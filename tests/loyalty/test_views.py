"""Loyalty pages: programmes, members, a member's page (redeem, adjust, statement), the
ficha's panel and enrolment from it; scoping and bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panorama.loyalty.models import Membership, Movement, Programme, Reward
from panorama.loyalty.selectors import customer_loyalty
from panorama.loyalty.services.members import movement_post
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_marketer_builds_a_programme_from_the_pages(client, marketer):
    client.force_login(marketer)
    page = client.post(
        reverse("loyalty:programme_create"),
        {
            "name": "Millas",
            "points_name": "millas",
            "currency": "EUR",
            "points_per_unit": "1",
            "expiry_months": "12",
            "qualification_months": "12",
            "active": "on",
        },
    )
    programme = Programme.objects.get(name="Millas")
    assert page.status_code == 302
    added = client.post(
        reverse("loyalty:tier_add", args=[programme.pk]),
        {"tier-name": "Oro", "tier-threshold": "1000", "tier-multiplier": "2"},
    )
    assert added.status_code == 302
    bad = client.post(
        reverse("loyalty:reward_add", args=[programme.pk]),
        {"reward-name": "Taza", "reward-cost": "0"},
    )
    assert bad.status_code == 422
    detail = client.get(reverse("loyalty:programme_detail", args=[programme.pk]))
    assert "Oro" in detail.content.decode()
    assert client.get(reverse("loyalty:programme_list")).status_code == 200


def test_a_rep_cannot_design_programmes(client, rep, programme):
    client.force_login(rep)
    page = client.get(reverse("loyalty:programme_create"))
    assert page.status_code == 403
    assert client.get(reverse("loyalty:programme_detail", args=[programme.pk])).status_code == 200


def test_the_member_page_shows_balance_tier_and_statement_and_redeems(client, rep, member):
    movement_post(membership=member, kind="earn", points=600)
    client.force_login(rep)
    url = reverse("loyalty:member_detail", args=[member.pk])
    page = client.get(url).content.decode()
    assert member.card_number in page
    assert "to reach Oro" in page  # 600 of the 2,000 points in the period
    taza = Reward.objects.get(name="Taza")
    done = client.post(reverse("loyalty:member_redeem", args=[member.pk]), {"reward_id": taza.pk})
    assert done.status_code == 302
    assert Membership.objects.get(pk=member.pk).balance == 500
    # The stock is gone: the page says so, and the balance is untouched.
    again = client.post(reverse("loyalty:member_redeem", args=[member.pk]), {"reward_id": taza.pk})
    assert again.status_code == 422
    assert "out of stock" in again.content.decode()
    assert Membership.objects.get(pk=member.pk).balance == 500
    # A rep may not adjust by hand.
    refused = client.post(
        reverse("loyalty:member_adjust", args=[member.pk]), {"points": "5", "reason": "x"}
    )
    assert refused.status_code == 403


def test_adjusting_from_the_page_without_a_reason_shows_the_error(client, marketer, member):
    client.force_login(marketer)
    page = client.post(
        reverse("loyalty:member_adjust", args=[member.pk]), {"points": "5", "reason": " "}
    )
    assert page.status_code == 422
    assert not Movement.objects.exists()


def test_a_rep_does_not_see_another_teams_member(client, rep, programme):
    stranger = CustomerFactory(first_name="Luis")
    other = Membership.objects.create(
        programme=programme, customer=stranger, card_number="7000000000000006"
    )
    client.force_login(rep)
    assert client.get(reverse("loyalty:member_detail", args=[other.pk])).status_code == 404
    listed = client.get(reverse("loyalty:member_list")).content.decode()
    assert "7000000000000006" not in listed


def test_the_ficha_panel_shows_the_card_and_enrols(client, rep, programme, ana):
    client.force_login(rep)
    ficha = client.get(reverse("customers:detail", args=[ana.pk])).content.decode()
    assert 'id="panel-loyalty"' in ficha and 'id="loyalty-enrol"' in ficha
    enrolled = client.post(
        reverse("loyalty:member_enrol", args=[ana.pk]), {"programme_id": programme.pk}
    )
    member = Membership.objects.get(customer=ana)
    assert enrolled.status_code == 302
    assert enrolled["Location"] == reverse("loyalty:member_detail", args=[member.pk])
    ficha = client.get(reverse("customers:detail", args=[ana.pk])).content.decode()
    assert member.card_number in ficha and 'id="loyalty-enrol"' not in ficha


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_panel_and_the_member_page_cost_the_same_however_long_the_history(
    client, admin_user, member, ana
):
    movement_post(membership=member, kind="earn", points=10)
    client.force_login(admin_user)
    url = reverse("loyalty:member_detail", args=[member.pk])
    client.get(url)  # warm the session and caches
    panel_few = _queries(lambda: customer_loyalty(customer=ana, user=admin_user))
    page_few = _queries(lambda: client.get(url))
    for _n in range(40):
        movement_post(membership=member, kind="earn", points=10)
    assert _queries(lambda: customer_loyalty(customer=ana, user=admin_user)) == panel_few
    assert panel_few <= 4
    assert _queries(lambda: client.get(url)) == page_few
