"""Business-hours arithmetic, pure functions of datetimes (no clock, no database):
adding business minutes to an instant and counting those between two instants, on a
``Hours`` schedule (weekly hours in a time zone, minus holidays)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 3 * 366  # no target is further than three years of calendar days


@dataclass(frozen=True)
class Hours:
    """``weekly``: {"mon": [("09:00", "18:00"), ...]}; ``is_holiday(date)``: closed days."""

    time_zone: str
    weekly: dict[str, list[tuple[str, str]]]
    is_holiday: Callable[[date], bool] = field(default=lambda d: False)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def _parsed(self) -> dict[int, list[tuple[time, time]]]:
        return {
            WEEKDAYS.index(day): [
                (time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans
            ]
            for day, spans in self.weekly.items()
        }

    def spans(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open spans of ``day`` as aware datetimes (none on a holiday)."""
        spans = self._parsed.get(day.weekday(), [])
        if not spans or self.is_holiday(day):
            return []
        return [
            (datetime.combine(day, s, self.zone), datetime.combine(day, e, self.zone))
            for s, e in spans
        ]

    def _days_from(self, moment: datetime) -> Iterator[date]:
        day = moment.astimezone(self.zone).date()
        for offset in range(MAX_DAYS):
            yield day + timedelta(days=offset)

    def has_hours(self) -> bool:
        return any(self._parsed.values())


def add_business_minutes(hours: Hours, start: datetime, minutes: float) -> datetime:
    """The instant ``minutes`` business minutes after ``start`` (``start`` itself for 0,
    moved to the next opening when it falls outside the hours)."""
    left = timedelta(minutes=minutes)
    if not hours.has_hours():
        raise ValueError("a calendar without business hours never reaches a target")
    for day in hours._days_from(start):
        for open_, close in hours.spans(day):
            begin = max(open_, start)
            if begin >= close:
                continue
            if begin + left <= close:
                return begin + left
            left -= close - begin
    raise ValueError("the target is more than three years of business time away")


def business_minutes_between(hours: Hours, start: datetime, end: datetime) -> int:
    """Whole business minutes from ``start`` to ``end`` (negative when ``end`` comes first)."""
    if end < start:
        return -business_minutes_between(hours, end, start)
    total = timedelta()
    for day in hours._days_from(start):
        if datetime.combine(day, time.min, hours.zone) >= end:
            break
        for open_, close in hours.spans(day):
            begin, finish = max(open_, start), min(close, end)
            if finish > begin:
                total += finish - begin
    return int(total.total_seconds() // 60)
