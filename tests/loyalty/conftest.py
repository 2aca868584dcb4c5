import pytest

from panorama.accounts.models import Role
from panorama.loyalty.services.members import member_enrol
from panorama.loyalty.services.programmes import programme_save, reward_add, tier_add
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def marketer(db):
    return UserFactory(username="marketing", role=Role.MARKETING)


@pytest.fixture
def programme(db):
    """Club Panorama: 1 punto per euro, three tiers, two rewards (one with stock 1)."""
    club = programme_save(by=None, name="Club Panorama", expiry_months=24, qualification_months=12)
    tier_add(by=None, programme=club, name="Bronce", threshold=0)
    tier_add(by=None, programme=club, name="Plata", threshold=500, multiplier="1.5")
    tier_add(by=None, programme=club, name="Oro", threshold=2000, multiplier=2)
    reward_add(by=None, programme=club, name="Taza", cost=100, stock=1)
    reward_add(by=None, programme=club, name="Cheque 10 €", cost=500)
    return club


@pytest.fixture
def ana(db, team):
    return CustomerFactory(first_name="Ana", last_name="García", team=team)


@pytest.fixture
def member(programme, ana):
    return member_enrol(by=None, programme_id=programme.pk, customer_id=ana.pk)
