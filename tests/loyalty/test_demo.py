"""The demo's loyalty programme: three tiers, rules, rewards and members with history."""

import pytest

from panorama.customers.selectors import identify
from panorama.loyalty.models import Membership, Movement
from panorama.seeding.loyalty_demo import PROGRAMME, loyalty_demo_ensure
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_programme_with_members_and_tiers():
    ProductFactory(category=CategoryFactory())
    for n in range(30):
        CustomerFactory(first_name=f"Socio {n}")
    club = loyalty_demo_ensure(members=8)
    assert club is not None and club.name == PROGRAMME
    assert [t.name for t in club.tiers.all()] == ["Bronce", "Plata", "Oro"]
    assert club.rules.count() == 3 and club.rewards.count() == 3
    members = list(Membership.objects.select_related("tier"))
    assert len(members) == 8
    assert all(m.tier is not None for m in members)
    assert Movement.objects.filter(kind="earn").count() >= 8
    # Every balance is the sum of its ledger.
    for member in members:
        assert member.balance == sum(member.movements.values_list("points", flat=True))
    card = members[0].card_number
    assert [m.customer.pk for m in identify(user=None, value=card)] == [members[0].customer_id]
    assert loyalty_demo_ensure() is None  # once
