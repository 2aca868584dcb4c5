"""Reports e-mailed on schedule: one validation and one permission check for the
schedule (``report_schedule_save``), and the sending the worker's sweep runs
(``schedules_send_due``).

Each recipient gets the report as he would see it on the page: run in his scope, in his
language, so a shared report never mails one user another's customers. A schedule is
claimed (its ``next_due_at`` moved on by a conditional UPDATE) before anything is sent,
so two workers never send it twice; a warehouse that is not built or is being
refreshed puts the sending back by ``RETRY_MINUTES``."""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed

from ..models import Report, ReportSchedule
from ..warehouse import export
from . import selectors, services

logger = logging.getLogger(__name__)
RETRY_MINUTES = 10
MAX_RECIPIENTS = 50


def next_due(*, frequency: str, hour: int, after: datetime.datetime) -> datetime.datetime:
    """The first sending strictly after ``after``, counted from ``after``'s day at
    ``hour`` o'clock (local time): every day, every seven days, or every month on that
    day (the 28th at the latest). A sending moves the next one a period on."""
    local = timezone.localtime(after)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if frequency == ReportSchedule.Frequency.MONTHLY and candidate.day > 28:
        candidate = candidate.replace(day=28)
    while candidate <= local:
        if frequency == ReportSchedule.Frequency.MONTHLY:
            year, month = divmod(candidate.month, 12)
            candidate = candidate.replace(year=candidate.year + year, month=month + 1)
        elif frequency == ReportSchedule.Frequency.WEEKLY:
            candidate += datetime.timedelta(days=7)
        else:
            candidate += datetime.timedelta(days=1)
    return candidate


def may_read(user: User, report: Report) -> bool:
    """Whether ``user`` opens the report and may use its data (his dashboards)."""
    if not user.is_active:
        return False
    if not (user.is_superuser or report.owner_id == user.pk or user.role in report.shared_roles):
        return False
    try:
        services.source_check(user, report.source)
    except (PermissionDenied, ValidationFailed):
        return False
    return True


def readers(report: Report) -> list[User]:
    """The users who may receive the report: active, with an e-mail address, who read it."""
    users = User.objects.filter(is_active=True).exclude(email="").order_by("username")
    return [u for u in users if may_read(u, report)]


def _may_schedule(user: User, report: Report) -> None:
    ensure_can(user, "analytics.build_reports")
    if not services.may_edit(user, report):
        raise PermissionDenied(_("Only the report's owner schedules it."))


@transaction.atomic
def report_schedule_save(
    *, by: User, report: Report, data: dict[str, Any], new: bool = False
) -> ReportSchedule:
    """Create or change the report's schedule. ``data``: frequency, hour, format,
    recipients (user ids), active. ``new``: a creation (the API's POST), refused with a
    Conflict when the report already has its schedule (one per report)."""
    _may_schedule(by, report)
    if new and ReportSchedule.objects.filter(report=report).exists():
        raise Conflict(
            _("This report is already sent by e-mail: change its schedule instead."),
            field="report_id",
        )
    frequency = data.get("frequency")
    if frequency not in ReportSchedule.Frequency.values:
        raise ValidationFailed(_("Choose how often to send it."), field="frequency")
    try:
        hour = int(data.get("hour", 7))
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 23:
        raise ValidationFailed(_("The hour is between 0 and 23."), field="hour")
    fmt = data.get("format") or ReportSchedule.Format.XLSX
    if fmt not in ReportSchedule.Format.values:
        raise ValidationFailed(_("Send it as CSV or XLSX."), field="format")
    ids = data.get("recipients") or []
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("Choose the recipients among the staff."), field="recipients"
        ) from None
    if not wanted:
        raise ValidationFailed(_("Choose at least one recipient."), field="recipients")
    if len(wanted) > MAX_RECIPIENTS:
        raise ValidationFailed(
            _("At most %(n)s recipients.") % {"n": MAX_RECIPIENTS}, field="recipients"
        )
    allowed = {u.pk: u for u in readers(report)}
    strangers = wanted - allowed.keys()
    if strangers:
        names = User.objects.filter(pk__in=strangers).values_list("username", flat=True)
        raise ValidationFailed(
            _("These users may not read this report or have no e-mail address: %(names)s.")
            % {"names": ", ".join(sorted(names)) or ", ".join(str(i) for i in sorted(strangers))},
            field="recipients",
        )
    schedule = ReportSchedule.objects.filter(report=report).first() or ReportSchedule(report=report)
    changed_timing = schedule.pk is None or (schedule.frequency, schedule.hour) != (
        frequency,
        hour,
    )
    schedule.frequency, schedule.hour, schedule.format = frequency, hour, fmt
    schedule.active = bool(data.get("active", True))
    if changed_timing or schedule.next_due_at is None:
        schedule.next_due_at = next_due(frequency=frequency, hour=hour, after=timezone.now())
    schedule.full_clean(exclude=["recipients"])
    schedule.save()
    schedule.recipients.set([allowed[i] for i in wanted])
    return schedule


def report_schedule_change(
    *, by: User, schedule: ReportSchedule, data: dict[str, Any]
) -> ReportSchedule:
    """Change some of a schedule's fields (those ``data`` names; the others stay), through
    the same validation as a whole save."""
    current = {
        "frequency": schedule.frequency,
        "hour": schedule.hour,
        "format": schedule.format,
        "recipients": [u.pk for u in schedule.recipients.all()],
        "active": schedule.active,
    }
    return report_schedule_save(by=by, report=schedule.report, data={**current, **data})


@transaction.atomic
def report_schedule_delete(*, by: User, report: Report) -> None:
    _may_schedule(by, report)
    ReportSchedule.objects.filter(report=report).delete()


def schedules_due(now: datetime.datetime | None = None) -> QuerySet[ReportSchedule]:
    return ReportSchedule.objects.filter(
        active=True, next_due_at__lte=now or timezone.now()
    ).select_related("report", "report__owner")


def _claim(schedule: ReportSchedule, now: datetime.datetime) -> bool:
    following = next_due(frequency=schedule.frequency, hour=schedule.hour, after=now)
    return bool(
        ReportSchedule.objects.filter(pk=schedule.pk, next_due_at=schedule.next_due_at).update(
            next_due_at=following, last_sent_at=now
        )
    )


def _message(schedule: ReportSchedule, user: User) -> EmailMessage:
    """The report run for ``user`` (his scope), in his language, as an attachment."""
    report = schedule.report
    with translation.override(user.language or settings.LANGUAGE_CODE):
        data = selectors.report_data(user=user, report=report)
        name = f"{slugify(report.name) or 'report'}.{schedule.format}"
        if schedule.format == ReportSchedule.Format.CSV:
            body, kind = export.table_csv(data.columns, data.rows), "text/csv"
        else:
            body = export.table_xlsx(data.columns, data.rows, title=report.name)
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        text = _(
            "Attached: the report “%(name)s” (%(frequency)s), %(rows)s rows of the "
            "customers you may see."
        ) % {
            "name": report.name,
            "frequency": schedule.get_frequency_display(),
            "rows": len(data.rows),
        }
        if data.truncated:
            text += "\n" + _("Only the first 1,000 groups are included.")
        message = EmailMessage(
            subject=_("Report: %(name)s") % {"name": report.name},
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
    message.attach(name, body, kind)
    return message


def schedules_send_due(now: datetime.datetime | None = None) -> int:
    """Send every schedule that is due, each to each of its recipients; returns how many
    e-mails went."""
    now = now or timezone.now()
    sent = 0
    for schedule in schedules_due(now).prefetch_related("recipients"):
        if not _claim(schedule, now):
            continue  # another worker took it
        for user in schedule.recipients.all():
            if not user.email or not may_read(user, schedule.report):
                continue  # lost access since: nothing is sent to him
            try:
                message = _message(schedule, user)
            except Conflict:
                ReportSchedule.objects.filter(pk=schedule.pk).update(
                    next_due_at=now + datetime.timedelta(minutes=RETRY_MINUTES)
                )
                break
            except (ValidationFailed, PermissionDenied) as exc:
                logger.warning("report %s not sent to %s: %s", schedule.report_id, user.pk, exc)
                continue
            message.send()
            sent += 1
    return sent
