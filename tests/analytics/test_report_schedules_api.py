"""E-mailed reports in the API: the owner lists, creates, changes and deletes his reports'
schedules through the same validation and permission check as the page; a reader of a
shared report does not see its schedule, and bad input is a 4xx that says what is wrong."""

import pytest

from panorama.accounts.models import Role
from panorama.analytics.models import ReportSchedule
from panorama.analytics.reports.selectors import schedules_visible
from panorama.analytics.reports.services import report_save
from tests.factories import UserFactory

from .test_reports import REVENUE

URL = "/analytics/report-schedules"


@pytest.fixture
def people(db):
    analyst = UserFactory(username="carla", role=Role.ANALYST)
    rep = UserFactory(username="ana", role=Role.SALES_REP)
    report = report_save(by=analyst, data=REVENUE)  # shared with the reps
    return {"analyst": analyst, "rep": rep, "report": report}


def test_the_owner_creates_changes_and_deletes_a_schedule(people, api_as):
    analyst, rep, report = people["analyst"], people["rep"], people["report"]
    api = api_as(analyst)
    created = api.post(
        URL,
        json={
            "report_id": report.pk,
            "frequency": "daily",
            "hour": 8,
            "format": "csv",
            "recipients": [rep.pk, analyst.pk],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["report_name"] == "Revenue by month" and body["frequency"] == "daily"
    assert {r["username"] for r in body["recipients"]} == {"ana", "carla"}
    schedule_id = body["id"]
    # One schedule per report: a second creation says so.
    again = api.post(URL, json={"report_id": report.pk, "frequency": "weekly", "recipients": [1]})
    assert again.status_code == 409 and "already sent by e-mail" in again.json()["detail"]

    [listed] = api.get(URL).json()
    assert listed["id"] == schedule_id and listed["hour"] == 8

    changed = api.patch(f"{URL}/{schedule_id}", json={"hour": 18, "active": False})
    assert changed.status_code == 200
    assert (changed.json()["hour"], changed.json()["active"]) == (18, False)
    assert changed.json()["frequency"] == "daily"  # what was not given stays
    assert len(changed.json()["recipients"]) == 2

    assert api.delete(f"{URL}/{schedule_id}").status_code == 204
    assert api.get(f"{URL}/{schedule_id}").status_code == 404
    assert not ReportSchedule.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"frequency": "hourly"}, "frequency", "how often"),
        ({"hour": 24}, "hour", "between 0 and 23"),
        ({"format": "pdf"}, "format", "CSV or XLSX"),
        ({"recipients": []}, "recipients", "at least one recipient"),
        ({"recipients": [10**30]}, None, ""),  # beyond what the database stores
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(people, api_as, change, field, words):
    data = {
        "report_id": people["report"].pk,
        "frequency": "weekly",
        "recipients": [people["analyst"].pk],
        **change,
    }
    answer = api_as(people["analyst"]).post(URL, json=data)
    assert answer.status_code == 422
    if field:
        assert field in answer.json()["errors"] and words in answer.json()["detail"]
    assert not ReportSchedule.objects.exists()


def test_a_recipient_who_may_not_read_the_report_is_refused_by_name(people, api_as):
    agent = UserFactory(username="sergio", role=Role.SERVICE_AGENT)  # not shared with agents
    answer = api_as(people["analyst"]).post(
        URL,
        json={"report_id": people["report"].pk, "frequency": "weekly", "recipients": [agent.pk]},
    )
    assert answer.status_code == 422 and "sergio" in answer.json()["detail"]


def test_only_the_owner_sees_and_changes_the_schedule(people, api_as):
    analyst, rep, report = people["analyst"], people["rep"], people["report"]
    schedule_id = (
        api_as(analyst)
        .post(URL, json={"report_id": report.pk, "frequency": "weekly", "recipients": [rep.pk]})
        .json()["id"]
    )
    reader = api_as(rep)  # the report is shared with him; its schedule is not his
    assert reader.get(URL).json() == []
    assert reader.get(f"{URL}/{schedule_id}").status_code == 404
    assert reader.patch(f"{URL}/{schedule_id}", json={"hour": 3}).status_code == 404
    assert reader.delete(f"{URL}/{schedule_id}").status_code == 404
    refused = reader.post(
        URL, json={"report_id": report.pk, "frequency": "daily", "recipients": [rep.pk]}
    )
    assert refused.status_code == 403 and "owner" in refused.json()["detail"]
    other = api_as(UserFactory(role=Role.ANALYST))  # the report is not shared with him
    assert other.get(URL).json() == []
    unseen = other.post(
        URL, json={"report_id": report.pk, "frequency": "daily", "recipients": [rep.pk]}
    )
    assert unseen.status_code == 404
    admin = api_as(UserFactory(role=Role.ADMIN))  # an administrator, not shared with him
    assert admin.get(URL).json() == []
    assert ReportSchedule.objects.get().hour == 7


def test_the_list_reads_in_two_queries(people, django_assert_num_queries):
    analyst, rep = people["analyst"], people["rep"]
    for n in range(3):
        report = report_save(by=analyst, data={**REVENUE, "name": f"Report {n}"})
        ReportSchedule.objects.create(report=report, next_due_at="2030-01-01T07:00Z")
        report.schedule.recipients.set([rep, analyst])
    with django_assert_num_queries(2):
        shown = [
            (s.report.name, sorted(u.username for u in s.recipients.all()))
            for s in schedules_visible(user=analyst)
        ]
    assert shown == [(f"Report {n}", ["ana", "carla"]) for n in range(3)]
