"""What the opportunity tests share: the default pipeline and an opportunity in it."""

import pytest

from panorama.sales.services.opportunity import opportunity_create
from tests.factories import CustomerFactory, pipeline_with_stages


@pytest.fixture
def pipeline(db):
    return pipeline_with_stages()


@pytest.fixture
def opp(rep, team, pipeline):
    """An opportunity "Fibra" of 100 for a customer of the rep's."""
    customer = CustomerFactory(owner=rep, team=team)
    return opportunity_create(by=rep, customer_id=customer.pk, name="Fibra", amount=100)
