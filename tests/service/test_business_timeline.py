"""The sweep's unrolled business calendar (``Timeline``) answers what the day-by-day
walk (``add_business_minutes``) answers, to the microsecond: across weekends, Spanish
holidays, split days, clock changes and a round-the-clock calendar, from inside a span,
from its opening and from outside the hours; and outside the unrolled days as well."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from panorama.service.services import sla
from panorama.service.services.business_hours import Hours, Timeline, add_business_minutes

SPLIT = {
    "mon": [("09:00", "14:00"), ("15:00", "18:00")],
    **{d: [("08:30", "17:15")] for d in ("tue", "wed", "thu", "fri")},
    "sat": [("10:00", "13:00")],
}
ROUND_THE_CLOCK = {
    d: [("00:00", "23:59")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}


def _compare(hours: Hours, first: date, last: date, seed: int) -> None:
    timeline = Timeline(hours, first, last)
    pick = random.Random(seed)
    # From a week before the unrolled days to a month after: both paths of ``add``.
    origin = datetime.combine(first, datetime.min.time(), UTC) - timedelta(days=7)
    span = ((last - first).days + 37) * 24 * 60
    for _ in range(3000):
        start = origin + timedelta(minutes=pick.randrange(span), seconds=pick.choice((0, 0, 17)))
        minutes = pick.choice((0, 1, 30, 60, 240, 480, 960, 2400, pick.randrange(20000)))
        assert timeline.add(start, minutes) == add_business_minutes(hours, start, minutes), (
            start,
            minutes,
        )


def test_the_timeline_answers_as_the_walk_with_holidays_and_split_days():
    madrid = Hours("Europe/Madrid", SPLIT, sla.public_holidays("ES", "MD").__contains__)
    _compare(madrid, date(2026, 3, 1), date(2026, 12, 31), seed=1)


def test_the_timeline_answers_as_the_walk_round_the_clock_across_clock_changes():
    canary = Hours("Atlantic/Canary", ROUND_THE_CLOCK)
    # The clocks change on 29 March and 25 October 2026.
    _compare(canary, date(2026, 3, 20), date(2026, 11, 5), seed=2)


def test_an_instant_at_an_opening_or_a_closing_is_counted_as_the_walk_counts_it():
    hours = Hours("Europe/Madrid", SPLIT)
    timeline = Timeline(hours, date(2026, 11, 1), date(2026, 11, 30))
    for local in ("09:00", "14:00", "15:00", "18:00"):
        start = datetime.fromisoformat(f"2026-11-23T{local}:00+01:00").astimezone(UTC)
        for minutes in (0, 1, 299, 300, 301, 480, 481):
            assert timeline.add(start, minutes) == add_business_minutes(hours, start, minutes)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_recount_note_shows_its_times_as_the_rest_of_the_site(language):
    """The notes' fast formatting of a due time is ``date_format``'s, in each language."""
    from django.utils import timezone, translation
    from django.utils.formats import date_format

    from panorama.service.services.sla_recount import moment_shown

    with translation.override(language):
        shown = moment_shown()
        for moment in (
            datetime(2026, 1, 5, 8, 3, tzinfo=UTC),
            datetime(2026, 7, 31, 22, 59, tzinfo=UTC),  # the next day in Madrid
        ):
            expected = date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
            assert shown(moment) == expected
        assert shown(None) == "—"
