"""Agenda items as iCalendar (RFC 5545) with the ``icalendar`` package: one item as an
``.ics`` file, or a user's feed a calendar application subscribes to."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from .models import Activity

PRODID = "-//Panorama//Agenda//EN"
_STATUS = {
    Activity.Status.PLANNED: "CONFIRMED",
    Activity.Status.DONE: "CONFIRMED",
    Activity.Status.CANCELLED: "CANCELLED",
}


def _host() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h not in ("*",) and not h.startswith(".")]
    return hosts[0] if hosts else "panorama.local"


def _event(activity: Activity) -> Event:
    event = Event()
    event.add("uid", f"activity-{activity.pk}@{_host()}")
    event.add("dtstamp", activity.updated_at or timezone.now())
    event.add("dtstart", activity.starts_at.astimezone(datetime.UTC))
    event.add("dtend", activity.ends_at.astimezone(datetime.UTC))
    event.add("summary", f"{activity.get_kind_display()}: {activity.subject}")
    description = [activity.notes] if activity.notes else []
    if activity.customer_id is not None and activity.customer is not None:
        description.insert(0, activity.customer.display_name)
    if activity.outcome:
        description.append(activity.outcome)
    if description:
        event.add("description", "\n\n".join(description))
    event.add("status", _STATUS[Activity.Status(activity.status)])
    event.add("categories", [activity.kind.upper()])
    if activity.reminder_minutes is not None and activity.status == Activity.Status.PLANNED:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", activity.subject)
        alarm.add("trigger", datetime.timedelta(minutes=-activity.reminder_minutes))
        event.add_component(alarm)
    return event


def calendar_of(activities: Iterable[Activity], *, name: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    for activity in activities:
        calendar.add_component(_event(activity))
    return calendar.to_ical()
