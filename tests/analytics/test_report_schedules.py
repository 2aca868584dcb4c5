"""Reports e-mailed on schedule (a real SMTP server on loopback): each recipient gets
his own customers' rows in his language, once per period; only users who may read the
report receive it, and only its owner schedules it."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.analytics import tasks
from panorama.analytics.models import ReportSchedule
from panorama.analytics.reports.schedules import next_due, report_schedule_save
from panorama.analytics.reports.services import report_save
from panorama.analytics.warehouse import load
from panorama.core import jobs
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from tests.factories import UserFactory

from .test_reports import REVENUE


def attachment_rows(message):
    [part] = list(message.iter_attachments())
    return part.get_filename(), list(
        csv.reader(io.StringIO(part.get_payload(decode=True).decode("utf-8-sig")))
    )


def test_each_recipient_gets_his_own_rows_once_per_period(shop, smtp, client):
    load.warehouse_build()
    report = report_save(by=shop["analyst"], data=REVENUE)  # shared with the reps
    shop["bruno"].language = "es"
    shop["bruno"].save()
    client.force_login(shop["analyst"])
    page = client.get(reverse("analytics:report_detail", args=[report.pk]))
    schedule_url = reverse("analytics:report_schedule", args=[report.pk])
    assert schedule_url in page.content.decode()
    form = client.get(schedule_url).content.decode()
    assert all(f'value="{u.pk}"' in form for u in (shop["ana"], shop["bruno"], shop["analyst"]))
    response = client.post(
        schedule_url,
        {
            "frequency": "daily",
            "hour": "7",
            "format": "csv",
            "recipients": [shop["ana"].pk, shop["bruno"].pk],
            "active": "on",
        },
    )
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get(report=report)
    assert schedule.next_due_at > timezone.now()
    assert tasks.reports_tick in jobs._recoverers  # the worker's sweep looks for due ones

    assert tasks.reports_send_task.call() == 0  # not due yet
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        next_due_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert tasks.reports_send_task.call() == 2

    by_address = {m["To"]: m for m in smtp.emails}
    ana_mail, bruno_mail = by_address[shop["ana"].email], by_address[shop["bruno"].email]
    assert ana_mail["Subject"] == "Report: Revenue by month"
    name, rows = attachment_rows(ana_mail)
    assert name == "revenue-by-month.csv"
    assert rows[0] == ["Month", "Sum · Revenue", "Sum · Orders"]
    assert sum(float(r[1]) for r in rows[1:]) == 365.0  # Laura's and Marta's orders
    assert bruno_mail["Subject"] == "Informe: Revenue by month"  # in his language
    _name, rows = attachment_rows(bruno_mail)
    assert rows[0][0] == "Mes"
    assert sum(float(r[1]) for r in rows[1:]) == 200.0  # only Pedro's
    # Sent once: the next sending is tomorrow at seven.
    assert tasks.reports_send_task.call() == 0
    schedule.refresh_from_db()
    assert schedule.last_sent_at is not None
    assert timezone.localtime(schedule.next_due_at).hour == 7
    assert schedule.next_due_at > timezone.now()


def test_only_readers_receive_it_and_only_the_owner_schedules_it(shop, client):
    report = report_save(by=shop["analyst"], data=REVENUE)
    agent = UserFactory(role=Role.SERVICE_AGENT)  # not shared with service agents
    with pytest.raises(ValidationFailed) as refused:
        report_schedule_save(
            by=shop["analyst"],
            report=report,
            data={"frequency": "weekly", "hour": 8, "recipients": [agent.pk]},
        )
    assert refused.value.field == "recipients"
    with pytest.raises(ValidationFailed):
        report_schedule_save(
            by=shop["analyst"],
            report=report,
            data={"frequency": "hourly", "hour": 8, "recipients": [shop["ana"].pk]},
        )
    with pytest.raises(PermissionDenied):
        report_schedule_save(
            by=shop["ana"],
            report=report,
            data={"frequency": "weekly", "hour": 8, "recipients": [shop["ana"].pk]},
        )
    client.force_login(shop["ana"])  # a reader, not the owner
    assert client.get(reverse("analytics:report_schedule", args=[report.pk])).status_code == 403
    client.force_login(shop["analyst"])
    page = client.post(
        reverse("analytics:report_schedule", args=[report.pk]),
        {"frequency": "weekly", "hour": "8", "format": "xlsx", "recipients": [agent.pk]},
    )
    assert page.status_code == 422 and agent.username in page.content.decode()
    assert not ReportSchedule.objects.exists()


def test_the_next_sending_day_week_and_month():
    madrid = ZoneInfo("Europe/Madrid")
    after = datetime.datetime(2026, 1, 31, 9, 30, tzinfo=madrid)
    day = next_due(frequency="daily", hour=7, after=after)
    assert day == datetime.datetime(2026, 2, 1, 7, tzinfo=madrid)
    assert next_due(frequency="daily", hour=10, after=after) == datetime.datetime(
        2026, 1, 31, 10, tzinfo=madrid
    )
    assert next_due(frequency="weekly", hour=7, after=after) == datetime.datetime(
        2026, 2, 7, 7, tzinfo=madrid
    )
    # The 31st does not exist every month: monthly sendings go on the 28th.
    assert next_due(frequency="monthly", hour=7, after=after) == datetime.datetime(
        2026, 2, 28, 7, tzinfo=madrid
    )
