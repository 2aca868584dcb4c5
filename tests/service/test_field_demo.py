"""The demo's field service: technicians with vans, assets and contracts for some
customers, a day of work orders on the dispatch board, parts stock with reorders."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from panorama.accounts.models import User
from panorama.seeding.field_demo import field_demo_ensure
from panorama.seeding.service_demo import service_setup
from panorama.service.models import (
    Asset,
    ServiceContract,
    StockLevel,
    TechnicianProfile,
    WorkOrder,
)
from panorama.service.selectors.field import dispatch_board, stock_levels

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_dispatch_board_with_a_day_of_work():
    call_command("seed", customers=30, verbosity=0)
    service_setup()
    assert field_demo_ensure() == 12
    assert field_demo_ensure() == 0  # once
    assert TechnicianProfile.objects.count() == 3
    assert Asset.objects.filter(parent__isnull=False).exists()
    assert ServiceContract.objects.filter(kind="warranty").exists()
    assert (
        ServiceContract.objects.filter(
            ends_on__lte=timezone.localdate() + timezone.timedelta(days=30)
        ).count()
        >= 2
    )
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert {"new", "scheduled", "in_progress", "done"} <= statuses
    supervisor = User.objects.get(username="supervisor")
    columns = dispatch_board(user=supervisor, day=timezone.localdate())
    assert len(columns) == 4 and len(columns[0].cards) == 2
    assert sum(len(c.cards) for c in columns[1:]) == 10
    assert stock_levels(low_only=True)
    assert StockLevel.objects.filter(location__kind="van").count() == 15
