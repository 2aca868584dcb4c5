"""The demo's call management: a PBX, extensions (the admin's is 100), calls on the
timeline, callbacks assigned and one overdue for the sweep; made once."""

import pytest
from django.core.management import call_command

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.seeding.calls_demo import calls_demo_ensure
from panorama.service.models import Call, CallbackRequest, Extension, Pbx
from panorama.service.services.callback import callback_sweep
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_pbx_calls_and_callbacks():
    call_command("seed", customers=40, cases=8, verbosity=0)
    UserFactory(username="admin", role=Role.ADMIN)
    pbx = calls_demo_ensure()
    assert pbx is not None
    assert Extension.objects.get(number="100").user.username == "admin"
    assert Call.objects.filter(status="ended").count() >= 10
    assert Call.objects.filter(outcome="missed").exists()
    assert Interaction.objects.filter(channel="phone", metadata__kind="call").count() >= 8
    assert CallbackRequest.objects.filter(assigned_to__isnull=False).count() >= 6
    assert callback_sweep()["escalated"] == 1
    calls_demo_ensure()
    assert Pbx.objects.count() == 1 and Call.objects.filter(pbx=pbx).count() == 12
