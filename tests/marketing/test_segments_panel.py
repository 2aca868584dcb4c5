"""The ficha's segments panel checks every saved segment for the customer, in a number
of queries that does not grow with the segments, and shows every one he is in."""

import pytest

from panorama.marketing.selectors import customer_segments
from panorama.marketing.services.segments import segment_save

pytestmark = pytest.mark.django_db


def test_every_segment_is_checked_in_a_few_queries(
    world, marketer, client, django_assert_num_queries
):
    # 60 segments, more than the panel used to look at: Ana (Spanish) is in the 40
    # speaking Spanish, not in the 20 speaking English, whatever their names' order.
    for n in range(1, 61):
        language = "en" if n % 3 == 0 else "es"
        segment_save(
            by=marketer,
            name=f"Segmento {n:02d}",
            rules={"field": "language", "op": "eq", "value": language},
        )
    ana = world["ana"]
    # The catalogue, the segments, their 60 flags for Ana in one row, the live alerts
    # and the offers of the 40 she is in (one query each), her lists.
    with django_assert_num_queries(6):
        panel = customer_segments(customer=ana, user=marketer)
    names = [s.name for s in panel["segments"]]
    assert len(names) == 40 and "Segmento 58" in names and "Segmento 60" not in names

    client.force_login(marketer)
    page = client.get(f"/customers/{ana.pk}/?tab=details").content.decode()
    section = page.split('id="panel-segments"')[1].split("</section>")[0]
    assert section.count('class="pn-chip ') == 40 and "Segmento 59" in section


def test_many_segments_are_checked_in_chunks(world, marketer, settings):
    from panorama.marketing import selectors

    for n in range(1, 8):
        segment_save(
            by=marketer, name=f"S{n}", rules={"field": "language", "op": "eq", "value": "es"}
        )
    segments = list(selectors.segments_all())
    inside = selectors.segments_containing(customer_id=world["ana"].pk, segments=segments, chunk=3)
    assert inside == {s.pk for s in segments}
    assert selectors.segments_containing(customer_id=world["luis"].pk, segments=segments) == set()
