"""The service-level API: business calendars, SLA policies, a case's clocks.

Every signed-in user reads calendars and policies; writing them is the service set-up
page's (``views/setup.py``) through the same services (``services/setup.py``): the
same permission (``service.configure``, 403 before the body is looked at) and the same
refusals, as a 422 naming the field."""

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from panorama.accounts.permissions import ensure_can

from .. import selectors
from ..models import BusinessCalendar, SlaPolicy
from ..selectors import setup as setup_selectors
from ..services import setup, sla, sla_clocks

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


class CalendarPatch(Schema):
    name: str | None = Field(None, max_length=100)
    time_zone: str | None = Field(None, max_length=64)
    country: str | None = Field(None, max_length=2)
    subdivision: str | None = Field(None, max_length=12)
    hours: dict[str, list[list[str]]] | None = None
    extra_holidays: list[HolidayIn] | None = Field(
        None, description="replaces the company holidays when given"
    )


class HolidayOut(Schema):
    date: date
    name: str


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    country: str
    subdivision: str
    hours: dict
    extra_holidays: list[HolidayOut]

    @staticmethod
    def resolve_extra_holidays(obj: BusinessCalendar) -> list:
        return list(obj.extra_holidays.all())  # prefetched by the selectors


class PolicyIn(Schema):
    name: str = Field(max_length=100)
    calendar_id: int
    queue_id: int | None = None
    priority: str = ""
    segment: str = Field("", description="person or organisation (blank: any)")
    segment_id: int | None = Field(
        None, description="a marketing segment: its policies are tried first, by rank"
    )
    rank: int = Field(100, ge=0, le=32767, description="among segment policies: lower first")
    first_response_minutes: int = Field(gt=0)
    resolution_minutes: int = Field(gt=0)
    warn_minutes: int = Field(60, ge=0)
    escalate_to_queue_id: int | None = None
    escalate_to_user_id: int | None = None
    raise_priority: bool = True
    manager_email: str = ""
    active: bool = True


class PolicyPatch(Schema):
    name: str | None = Field(None, max_length=100)
    calendar_id: int | None = None
    queue_id: int | None = None
    priority: str | None = None
    segment: str | None = None
    segment_id: int | None = None
    rank: int | None = Field(None, ge=0, le=32767)
    first_response_minutes: int | None = Field(None, gt=0)
    resolution_minutes: int | None = Field(None, gt=0)
    warn_minutes: int | None = Field(None, ge=0)
    escalate_to_queue_id: int | None = None
    escalate_to_user_id: int | None = None
    raise_priority: bool | None = None
    manager_email: str | None = None
    active: bool | None = None


class PolicyOut(Schema):
    id: int
    name: str
    calendar_id: int
    queue_id: int | None
    priority: str
    segment: str
    segment_id: int | None
    rank: int
    first_response_minutes: int
    resolution_minutes: int
    warn_minutes: int
    escalate_to_queue_id: int | None
    escalate_to_user_id: int | None
    raise_priority: bool
    manager_email: str
    active: bool

    @staticmethod
    def resolve_segment_id(obj: SlaPolicy) -> int | None:
        return obj.marketing_segment_id


class ClockOut(Schema):
    label: str
    due: datetime | None
    met_at: datetime | None
    minutes_left: int | None
    state: str


def _manager(request) -> None:
    """403 for whoever may not change the set-up (the services check again)."""
    ensure_can(request.user, "service.configure")


def _holidays(payload_holidays) -> list[tuple]:
    # A PATCH's dict leaves out what was not sent, down to a holiday's default name.
    return [(h["date"], h.get("name", "")) for h in payload_holidays]


# Fields that may be set to null in a PATCH (the others: null means "leave it").
NULLABLE = frozenset({"queue_id", "escalate_to_queue_id", "escalate_to_user_id", "segment_id"})


def _changes(payload, nullable: frozenset[str] = frozenset()) -> dict:
    changes = payload.dict(exclude_unset=True)
    return {k: v for k, v in changes.items() if v is not None or k in nullable}


@router.get("/sla/calendars", response=list[CalendarOut])
def calendar_list(request):
    return setup_selectors.calendars()


@router.post("/sla/calendars", response={201: CalendarOut})
def calendar_create(request, payload: CalendarIn):
    _manager(request)
    data = payload.dict()
    extra = _holidays(data.pop("extra_holidays"))
    calendar = sla.calendar_save(by=request.user, extra_holidays=extra, **data)
    return Status(201, setup_selectors.calendar_get(calendar_id=calendar.pk))


@router.patch(
    "/sla/calendars/{calendar_id}",
    response=CalendarOut,
    description="Change some settings; `extra_holidays`, when given, replaces the list.",
)
def calendar_update(request, calendar_id: int, payload: CalendarPatch):
    _manager(request)
    calendar = setup_selectors.calendar_get(calendar_id=calendar_id)
    changes = _changes(payload)
    extra = changes.pop("extra_holidays", None)
    setup.calendar_update(
        by=request.user,
        calendar=calendar,
        changes=changes,
        extra_holidays=_holidays(extra) if extra is not None else None,
    )
    return setup_selectors.calendar_get(calendar_id=calendar_id)


@router.get("/sla/policies", response=list[PolicyOut])
def policy_list(request):
    return setup_selectors.policies()


@router.post("/sla/policies", response={201: PolicyOut})
def policy_create(request, payload: PolicyIn):
    _manager(request)
    return Status(201, setup.policy_set(by=request.user, changes=payload.dict()))


@router.patch("/sla/policies/{policy_id}", response=PolicyOut)
def policy_update(request, policy_id: int, payload: PolicyPatch):
    _manager(request)
    policy = setup_selectors.policy_get(policy_id=policy_id)
    return setup.policy_set(by=request.user, policy=policy, changes=_changes(payload, NULLABLE))


@router.get("/cases/{case_id}/sla", response=list[ClockOut])
def case_sla(request, case_id: int):
    case = selectors.case_get(user=request.user, case_id=case_id)
    return sla_clocks.sla_clocks(case)
