"""Business-hours arithmetic, pure functions of datetimes (no clock, no database):
adding business minutes to an instant and counting those between two instants, on a
``Hours`` schedule (weekly hours in a time zone, minus holidays)."""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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

    def add(self, start: datetime, minutes: float) -> datetime:
        """``add_business_minutes`` on this schedule (as ``Timeline.add``)."""
        return add_business_minutes(self, start, minutes)


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


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)


def _micro(moment: datetime) -> int:
    return (moment - EPOCH) // MICRO


class Timeline:
    """``add_business_minutes`` for many instants at once (the SLA sweep's recount):
    the calendar's open spans from ``first`` to ``last`` unrolled once, with the business
    time before each, so an addition is two binary searches instead of a walk over the
    days (a walk built a few aware datetimes per day for every case). The answer is the
    walk's to the microsecond, its wall-clock arithmetic within a span included; an
    instant outside the unrolled days (or not in UTC, as the database gives them) is
    left to the walk."""

    def __init__(self, hours: Hours, first: date, last: date) -> None:
        self.hours, self.first, self.last = hours, first, last
        self.first_us = _micro(datetime.combine(first, time.min, hours.zone))
        self.opens: list[datetime] = []
        self.open_us: list[int] = []
        self.close_us: list[int] = []
        self.before: list[int] = [0]  # wall-clock business microseconds before each span
        day = first
        while day <= last:
            for open_, close in hours.spans(day):
                start, end = _micro(open_), _micro(close)
                if end <= start:  # a span a clock change swallowed: the walk skips it too
                    continue
                if self.close_us and start < self.close_us[-1]:  # not in order: walk
                    self.opens = []
                    return
                self.opens.append(open_)
                self.open_us.append(start)
                self.close_us.append(end)
                self.before.append(self.before[-1] + (close - open_) // MICRO)
            day += timedelta(days=1)

    def add(self, start: datetime, minutes: float) -> datetime:
        at = _micro(start)
        if not self.opens or start.tzinfo is not UTC or at < self.first_us:
            return add_business_minutes(self.hours, start, minutes)
        left = minutes * 60_000_000 if type(minutes) is int else timedelta(minutes=minutes) // MICRO
        i = bisect_right(self.close_us, at)
        if i == len(self.opens):
            return add_business_minutes(self.hours, start, minutes)
        if self.open_us[i] >= at:  # the span's own opening: wall-clock, as the walk
            if left <= self.before[i + 1] - self.before[i]:
                return self.opens[i] + timedelta(microseconds=left)
            left -= self.before[i + 1] - self.before[i]
        else:  # within the span: real time from ``start``, as the walk
            if at + left <= self.close_us[i]:
                return start + timedelta(microseconds=left)
            left -= self.close_us[i] - at
        # The first later span whose end covers what is left.
        end = bisect_left(self.before, self.before[i + 1] + left, lo=i + 2)
        if end >= len(self.before):
            return add_business_minutes(self.hours, start, minutes)
        j = end - 1
        return self.opens[j] + timedelta(microseconds=left - (self.before[j] - self.before[i + 1]))
