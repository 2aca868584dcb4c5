"""The demo's agenda: a week for each rep, the days gone logged onto the timeline, and
scripts in Spanish and English."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from panorama.accounts.models import Role, User
from panorama.channels.models import Interaction
from panorama.sales.models import Activity, Script
from panorama.seeding.sales_agenda import agenda_demo_ensure
from panorama.seeding.staff import staff_ensure

pytestmark = pytest.mark.django_db


def test_a_week_for_each_rep_and_scripts_in_both_languages():
    staff_ensure()
    call_command("seed", customers=200, interactions_per_customer=0, verbosity=0)
    today = timezone.localdate()
    made = agenda_demo_ensure(today=today)
    reps = User.objects.filter(role=Role.SALES_REP)
    assert made == 15 * reps.count()
    monday = today - datetime.timedelta(days=today.weekday())
    for rep in reps:
        days = {timezone.localtime(a.starts_at).date() for a in Activity.objects.filter(owner=rep)}
        assert days == {monday + datetime.timedelta(days=n) for n in range(5)}
    done = Activity.objects.filter(status="done")
    assert Interaction.objects.filter(pk__in=done.values("interaction_id")).count() == sum(
        1 for a in done if a.customer_id
    )
    assert {"es", "en"} <= set(Script.objects.values_list("language", flat=True))
    assert agenda_demo_ensure(today=today) == 0  # once
