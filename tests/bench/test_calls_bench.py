"""The screen-pop bench figure, measured against the live server (the bench itself runs
it through granian): a number comes back and every pop was read from the stream."""

import pytest

from panorama.bench import calls as bench_calls
from panorama.service.models import Call

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_screen_pop_figure(live_server):
    p50 = bench_calls.screen_pop(live_server.url, requests=3)
    assert p50 > 0
    assert Call.objects.filter(status="ended").count() == 3
