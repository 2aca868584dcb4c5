"""Marketing's segments, messages and journeys on the shared list: each user sees what
the same selectors let him see, a filter is a chip that lives in the URL, and the bulk
action goes through marketing's own service, a refused row reported with its reason."""

import pytest

from panorama.accounts.models import Role
from panorama.marketing.models import Campaign, Segment
from tests.factories import TeamFactory, UserFactory

from .conftest import EXAMPLE_RULES

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _bulk(client, list_name, **data):
    return client.post(f"/ui/lists/{list_name}/bulk/", data, headers=HX)


def _names(response) -> list[str]:
    return [row.obj.name for row in response.context["list"].rows]


# --- segments ------------------------------------------------------------------------


@pytest.fixture
def segments(marketer, rep, team):
    south = TeamFactory(name="Sur")
    return {
        "all": Segment.objects.create(name="Todos", rules=EXAMPLE_RULES, owner=marketer),
        "madrid": Segment.objects.create(name="Madrid", rules=EXAMPLE_RULES, owner=rep, team=team),
        "south": Segment.objects.create(name="Solo Sur", rules=EXAMPLE_RULES, team=south),
    }


def test_a_rep_sees_the_staff_s_segments_and_his_team_s_only(client, rep, marketer, segments):
    client.force_login(rep)
    page = client.get("/marketing/")
    assert page.status_code == 200
    assert _names(page) == ["Madrid", "Todos"]
    assert b'id="segments-list"' in page.content and b"Solo Sur" not in page.content
    # The rest of the page is still there: the static lists and the import.
    assert b'id="lists-title"' in page.content
    client.force_login(marketer)
    assert _names(client.get("/marketing/")) == ["Madrid", "Solo Sur", "Todos"]


def test_a_segment_filter_is_a_chip_in_the_url(client, rep, team, segments):
    client.force_login(rep)
    mine = client.get("/marketing/?owner=me", headers={**HX, "HX-Target": "segments-list"})
    assert _names(mine) == ["Madrid"]
    assert mine["HX-Push-Url"] == "/marketing/?owner=me"
    text = mine.content.decode()
    assert "Owner: Mine" in text
    staff = client.get("/marketing/?team=staff&sort=-name")
    assert _names(staff) == ["Todos"] and "Shown to: The whole staff" in staff.content.decode()
    # A team he cannot see is not offered, and asking for it shows nothing of it.
    choices = dict(
        next(f for f in staff.context["list"].filter_menu if f["key"] == "team")["choices"]
    )
    assert str(team.pk) in choices and str(segments["south"].team_id) not in choices
    assert _names(client.get(f"/marketing/?team={segments['south'].team_id}")) == []


def test_deleting_segments_goes_through_the_service_and_reports_refusals(
    client, marketer, segments
):
    Campaign.objects.create(name="Otoño", segment=segments["madrid"])
    client.force_login(marketer)
    ids = [str(segments["madrid"].pk), str(segments["all"].pk)]
    unconfirmed = _bulk(client, "segments", action="delete", ids=ids)
    assert "Choose “Delete them for good” to delete the selected segments." in (
        unconfirmed.content.decode()
    )
    assert Segment.objects.count() == 3  # nothing deleted without the confirmation

    done = _bulk(client, "segments", action="delete", **{"value-delete": "yes"}, ids=ids)
    text = done.content.decode()
    assert "1 row changed." in text and "1 row refused:" in text
    assert "Madrid: The segment is the target of a campaign: it cannot be deleted." in text
    assert set(Segment.objects.values_list("name", flat=True)) == {"Madrid", "Solo Sur"}


def test_who_may_not_build_segments_gets_no_delete(client, segments):
    analyst = UserFactory(username="ana_lyst", role=Role.ANALYST)
    client.force_login(analyst)
    assert client.get("/marketing/").context["list"].bulk is None
    refused = _bulk(
        client, "segments", action="delete", **{"value-delete": "yes"}, all="1", query=""
    )
    assert "Choose an action." in refused.content.decode()
    assert Segment.objects.count() == 3
