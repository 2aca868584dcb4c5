"""The dispatch board: a day or a week, one column per technician (and "Unassigned");
dragging a card onto a technician assigns and schedules it, through the shared kanban
(``core/kanban``), which posts the column's id as ``stage_id``."""

import datetime
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.templatetags.formatting import number

from ..selectors import field as selectors
from ..services.workorder import work_order_dispatch


def _day(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Give a date as YYYY-MM-DD."), field="day") from None


def _drop_day(order, day: datetime.date, span: str | None) -> datetime.date:
    """The day a dropped card is scheduled on. On a day's board, that day. On a week's,
    a column is a technician for the whole week: the card keeps its day when it already
    has one in that week, else it goes to today when today is shown, else the week's
    first day (a dispatcher moving Thursday's visit to another technician does not want
    it moved to Monday)."""
    if span != "week":
        return day
    first, days = selectors.period(day, "week")
    last = first + datetime.timedelta(days=days - 1)
    if order.scheduled_start is not None:
        planned = timezone.localtime(order.scheduled_start).date()
        if first <= planned <= last:
            return planned
    today = timezone.localdate()
    return today if first <= today <= last else first


@require_GET
def dispatch_board(request):
    permissions.ensure_can(request.user, "service.dispatch")
    day = _day(request.GET.get("day"))
    span = "week" if request.GET.get("span") == "week" else "day"
    area = request.GET.get("area", "").strip()[:100]
    first, days = selectors.period(day, span)
    columns = selectors.dispatch_board(user=request.user, day=day, span=span, area=area)
    step = datetime.timedelta(days=days)
    move_url = reverse("service:dispatch_move", args=[0]).replace("/0/", "/__id__/")
    return render(
        request,
        "service/field/dispatch.html",
        {
            "day": day,
            "span": span,
            "first": first,
            "last": first + step - datetime.timedelta(days=1),
            "previous": (first - step).isoformat(),
            "next": (first + step).isoformat(),
            "today": timezone.localdate().isoformat(),
            "area": area,
            "areas": selectors.dispatch_areas(user=request.user),
            "columns": [
                {
                    "id": c.id,
                    "title": c.title,
                    "subtitle": c.subtitle,
                    "count": c.count,
                    "total": 0,
                    "cards": c.cards,
                    "more_url": "",
                }
                for c in columns
            ],
            "move_url": move_url
            + "?"
            + urlencode({"day": day.isoformat(), "span": span, "area": area}),
        },
    )


@require_POST
def dispatch_move(request, work_order_id: int):
    """A card dropped on a column: JSON either way (the two columns' counts, or the
    service's refusal with the field at fault)."""
    try:
        before = selectors.work_order_get(user=request.user, work_order_id=work_order_id)
        raw = request.POST.get("stage_id", "")
        if not raw.isdigit():
            raise ValidationFailed(_("Choose the technician to give it to."), field="technician")
        technician_id = int(raw) or None
        moved = work_order_dispatch(
            by=request.user,
            work_order_id=work_order_id,
            technician_id=technician_id,
            day=_drop_day(before, _day(request.GET.get("day")), request.GET.get("span")),
        )
    except DomainError as exc:
        return JsonResponse(
            {"detail": str(exc.message), "field": exc.field, "errors": exc.errors},
            status=exc.status_code,
        )
    span = "week" if request.GET.get("span") == "week" else "day"
    board = selectors.dispatch_board(
        user=request.user,
        day=_day(request.GET.get("day")),
        span=span,
        area=request.GET.get("area", "").strip()[:100],
    )
    columns = {c.id: c for c in board}
    touched = {before.technician_id or 0, moved.technician_id or 0}
    when = (
        date_format(timezone.localtime(moved.scheduled_start), "SHORT_DATETIME_FORMAT")
        if moved.scheduled_start
        else ""
    )
    who = moved.technician.get_full_name() if moved.technician else _("Unassigned")
    return JsonResponse(
        {
            "detail": _("%(ref)s: %(who)s %(when)s")
            % {"ref": moved.reference, "who": who, "when": when},
            "card": {"id": moved.pk, "column": moved.technician_id or 0},
            "columns": {
                str(pk): {
                    "count": columns[pk].count if pk in columns else 0,
                    "count_display": number(columns[pk].count if pk in columns else 0),
                    "total": "0",
                    "total_display": "",
                }
                for pk in touched
            },
        }
    )
