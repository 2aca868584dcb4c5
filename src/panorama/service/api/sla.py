"""The service-level API: business calendars, SLA policies, a case's clocks."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from panorama.core.exceptions import ValidationFailed

from .. import selectors
from ..models import BusinessCalendar, Queue, SlaPolicy
from ..services import sla

router = Router(tags=["service levels"])


class HolidayIn(Schema):
    date: date
    name: str = Field("", max_length=100)


class CalendarIn(Schema):
    name: str = Field(max_length=100)
    time_zone: str = Field("Europe/Madrid", max_length=64)
    country: str = Field("ES", max_length=2)
    subdivision: str = Field("", max_length=12, description="region, e.g. MD, CT, AN")
    hours: dict[str, list[list[str]]] | None = Field(
        None, description='weekly hours: {"mon": [["09:00", "18:00"]], ...}'
    )
    extra_holidays: list[HolidayIn] = []


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    country: str
    subdivision: str
    hours: dict


class PolicyIn(Schema):
    name: str = Field(max_length=100)
    calendar_id: int
    queue_id: int | None = None
    priority: str = ""
    segment: str = Field("", description="person or organisation (blank: any)")
    first_response_minutes: int = Field(gt=0)
    resolution_minutes: int = Field(gt=0)
    warn_minutes: int = Field(60, ge=0)
    escalate_to_queue_id: int | None = None
    escalate_to_user_id: int | None = None
    raise_priority: bool = True
    manager_email: str = ""
    active: bool = True


class PolicyOut(Schema):
    id: int
    name: str
    calendar_id: int
    queue_id: int | None
    priority: str
    segment: str
    first_response_minutes: int
    resolution_minutes: int
    warn_minutes: int
    active: bool


class ClockOut(Schema):
    label: str
    due: datetime | None
    met_at: datetime | None
    minutes_left: int | None
    state: str


@router.post("/sla/calendars", response={201: CalendarOut})
def calendar_create(request, payload: CalendarIn):
    data = payload.dict()
    extra = [(h["date"], h["name"]) for h in data.pop("extra_holidays")]
    return Status(201, sla.calendar_save(by=request.user, extra_holidays=extra, **data))


@router.get("/sla/policies", response=list[PolicyOut])
def policy_list(request):
    return list(SlaPolicy.objects.all())


@router.post("/sla/policies", response={201: PolicyOut})
def policy_create(request, payload: PolicyIn):
    data = payload.dict()
    if not BusinessCalendar.objects.filter(pk=data["calendar_id"]).exists():
        raise ValidationFailed(
            _("Calendar %(id)s does not exist.") % {"id": data["calendar_id"]},
            field="calendar_id",
        )
    for name in ("queue_id", "escalate_to_queue_id"):
        if data[name] is not None and not Queue.objects.filter(pk=data[name]).exists():
            raise ValidationFailed(
                _("Queue %(id)s does not exist.") % {"id": data[name]}, field=name
            )
    return Status(201, sla.policy_save(by=request.user, policy=SlaPolicy(**data)))


@router.get("/cases/{case_id}/sla", response=list[ClockOut])
def case_sla(request, case_id: int):
    case = selectors.case_get(user=request.user, case_id=case_id)
    return sla.sla_clocks(case)
