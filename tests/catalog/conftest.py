import pytest

from panorama.accounts.models import Role
from tests.factories import UserFactory


@pytest.fixture
def manager(db, team):
    return UserFactory(username="jefa", role=Role.SALES_MANAGER, managed_teams=[team])
