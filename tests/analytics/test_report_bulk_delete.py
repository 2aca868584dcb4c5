"""The reports list's bulk *Delete* goes through ``report_delete``: the user's own
reports go, one shared with him by someone else is refused with the service's reason
and stays (for an analyst as for a rep reading it)."""

import pytest

from panorama.accounts.models import Role
from panorama.analytics.models import Report
from panorama.analytics.reports.services import report_save
from tests.factories import UserFactory

from ..lists import bulk_keys, list_bulk
from .test_reports import REVENUE

pytestmark = pytest.mark.django_db


def test_own_reports_go_and_another_s_is_refused_with_why(client, wh_settings):
    carla = UserFactory(username="carla", role=Role.ANALYST)
    dario = UserFactory(username="dario", role=Role.ANALYST)
    mine = report_save(by=carla, data={**REVENUE, "name": "Mine"})
    theirs = report_save(by=dario, data={**REVENUE, "name": "Theirs", "shared_roles": ["analyst"]})
    client.force_login(carla)
    assert "delete" in bulk_keys(client.get("/analytics/reports/"))
    ids = [mine.pk, theirs.pk]
    unconfirmed = list_bulk(client, "reports", action="delete", ids=ids)
    assert "to delete the selected reports" in unconfirmed.content.decode()
    report = list_bulk(client, "reports", action="delete", **{"value-delete": "yes"}, ids=ids)
    result = report.context["list"].report
    assert result.done == 1
    assert result.refused == [("Theirs", "Only the report's owner deletes it.")]
    assert list(Report.objects.values_list("name", flat=True)) == ["Theirs"]


def test_a_rep_reading_a_shared_report_cannot_delete_it(client, wh_settings):
    carla = UserFactory(username="carla", role=Role.ANALYST)
    shared = report_save(by=carla, data=REVENUE)  # shared with the sales reps
    rep = UserFactory(username="rep2", role=Role.SALES_REP)
    client.force_login(rep)
    response = list_bulk(
        client, "reports", action="delete", **{"value-delete": "yes"}, ids=[shared.pk]
    )
    result = response.context["list"].report
    assert (result.done, result.refused) == (
        0,
        [("Revenue by month", "Only the report's owner deletes it.")],
    )
    assert Report.objects.filter(pk=shared.pk).exists()
