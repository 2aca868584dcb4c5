"""The agenda API: the items the caller sees (keyset pages), plan, change, log the
outcome, cancel, one item as iCalendar, the day with its proposed work, and the
caller's private calendar feed address."""

import datetime

from django.http import HttpResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from panorama.core.validation import text_field

from .. import agenda
from ..ical import calendar_of
from ..models import Activity
from ..services.activity import (
    activity_cancel,
    activity_complete,
    activity_plan,
    activity_update,
    calendar_feed_issue,
    calendar_feed_revoke,
)

router = Router(tags=["agenda"])


class ActivityIn(Schema):
    kind: str = "call"
    subject: str = text_field(Activity, "subject")
    starts_at: datetime.datetime
    duration_minutes: int = 30
    reminder_minutes: int | None = None
    notes: str = ""
    owner_id: int | None = None
    customer_id: int | None = None
    lead_id: int | None = None
    opportunity_id: int | None = None
    quote_id: int | None = None
    related_type: str = ""
    related_id: str = ""


class ActivityPatch(Schema):
    """Only the fields given change; an unknown field is refused (422)."""

    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    subject: str | None = text_field(Activity, "subject", None)
    starts_at: datetime.datetime | None = None
    duration_minutes: int | None = None
    reminder_minutes: int | None = None
    notes: str | None = None
    owner_id: int | None = None
    customer_id: int | None = None
    lead_id: int | None = None
    opportunity_id: int | None = None
    quote_id: int | None = None


class OutcomeIn(Schema):
    outcome: str = ""


class CancelIn(Schema):
    reason: str = ""


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    notes: str
    owner_id: int
    created_by_id: int | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    duration_minutes: int
    reminder_minutes: int | None
    status: str
    outcome: str
    completed_at: datetime.datetime | None
    customer_id: int | None
    lead_id: int | None
    opportunity_id: int | None
    quote_id: int | None
    interaction_id: int | None


class ActivityPageOut(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class ProposedOpportunityOut(Schema):
    id: int
    name: str
    customer_id: int
    next_step: str
    next_step_date: datetime.date | None
    expected_close: datetime.date | None


class ProposedLeadOut(Schema):
    id: int
    name: str
    company: str
    phone: str
    email: str
    score: int


class DayOut(Schema):
    owner_id: int
    day: datetime.date
    activities: list[ActivityOut]
    opportunities_due: list[ProposedOpportunityOut]
    leads_to_contact: list[ProposedLeadOut]
    overdue: list[ActivityOut]


class FeedOut(Schema):
    url: str


def _get(request, activity_id: int) -> Activity:
    return agenda.activity_get(user=request.user, activity_id=activity_id)


@router.get("/agenda/activities", response=ActivityPageOut)
def activity_list(
    request,
    owner_id: int | None = None,
    customer_id: int | None = None,
    opportunity_id: int | None = None,
    status: str = "",
    kind: str = "",
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    cursor: str = "",
    limit: int = 50,
):
    """The agenda items the caller sees (his own; a manager's teams'; an
    administrator's all), in time order."""
    page = agenda.activity_list(
        user=request.user,
        owner_id=owner_id,
        customer_id=customer_id,
        opportunity_id=opportunity_id,
        status=status,
        kind=kind,
        start=start,
        end=end,
        cursor=cursor,
        limit=limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/agenda/activities", response={201: ActivityOut})
def activity_create(request, payload: ActivityIn):
    data = payload.dict()
    owner_id = data.pop("owner_id")
    activity = activity_plan(by=request.user, owner=owner_id, **data)
    return Status(201, _get(request, activity.pk))


@router.get("/agenda/activities/{activity_id}", response=ActivityOut)
def activity_detail(request, activity_id: int):
    return _get(request, activity_id)


@router.patch("/agenda/activities/{activity_id}", response=ActivityOut)
def activity_edit(request, activity_id: int, payload: ActivityPatch):
    activity_update(
        by=request.user, activity_id=activity_id, changes=payload.dict(exclude_unset=True)
    )
    return _get(request, activity_id)


@router.post("/agenda/activities/{activity_id}/complete", response=ActivityOut)
def activity_done(request, activity_id: int, payload: OutcomeIn):
    """Log the outcome: the item is done and a call, visit or meeting about a customer
    lands on his timeline."""
    activity_complete(by=request.user, activity_id=activity_id, outcome=payload.outcome)
    return _get(request, activity_id)


@router.post("/agenda/activities/{activity_id}/cancel", response=ActivityOut)
def activity_cancelled(request, activity_id: int, payload: CancelIn):
    activity_cancel(by=request.user, activity_id=activity_id, reason=payload.reason)
    return _get(request, activity_id)


@router.get(
    "/agenda/activities/{activity_id}/ics",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/calendar": {}}}}},
)
def activity_ics(request, activity_id: int):
    """The item as an iCalendar file."""
    body = calendar_of([_get(request, activity_id)])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="activity-{activity_id}.ics"'
    return response


@router.get("/agenda/day", response=DayOut)
def agenda_day(request, day: datetime.date | None = None, owner_id: int | None = None):
    """One day of an agenda (default: the caller's, today) and the work it proposes."""
    from django.utils import timezone

    owner = agenda.agenda_user_get(user=request.user, user_id=owner_id)
    result = agenda.agenda_day(user=request.user, owner=owner, day=day or timezone.localdate())
    return {
        "owner_id": owner.pk,
        "day": result.day,
        "activities": result.activities,
        "opportunities_due": result.proposed.opportunities,
        "leads_to_contact": result.proposed.leads,
        "overdue": result.proposed.overdue,
    }


@router.post("/agenda/feed", response={201: FeedOut})
def feed_issue(request):
    """A new private calendar address for the caller (the previous one stops working).
    Shown once: only its hash is kept."""
    from django.urls import reverse

    token = calendar_feed_issue(by=request.user)
    url = request.build_absolute_uri(reverse("sales:agenda_feed", args=[token]))
    return Status(201, {"url": url})


@router.delete("/agenda/feed", response={204: None})
def feed_revoke(request):
    calendar_feed_revoke(by=request.user)
    return Status(204, None)
