"""Marketing's segments, messages and journeys on the shared list: each user sees what
the same selectors let him see, a filter is a chip that lives in the URL, and the bulk
action goes through marketing's own service, a refused row reported with its reason."""

import pytest

from panorama.accounts.models import Role
from panorama.marketing.models import Campaign, Segment
from tests.factories import TeamFactory, UserFactory
from tests.lists import EXPORTS_ONLY, HX, bulk_keys, list_bulk, row_names

from .conftest import EXAMPLE_RULES

pytestmark = pytest.mark.django_db

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
    assert row_names(page) == ["Madrid", "Todos"]
    assert b'id="segments-list"' in page.content and b"Solo Sur" not in page.content
    # The static lists and their import have their own page (/marketing/lists/).
    assert b'id="lists-title"' not in page.content
    client.force_login(marketer)
    assert row_names(client.get("/marketing/")) == ["Madrid", "Solo Sur", "Todos"]


def test_a_segment_filter_is_a_chip_in_the_url(client, rep, team, segments):
    client.force_login(rep)
    mine = client.get("/marketing/?owner=me", headers={**HX, "HX-Target": "segments-list"})
    assert row_names(mine) == ["Madrid"]
    assert mine["HX-Push-Url"] == "/marketing/?owner=me"
    text = mine.content.decode()
    assert "Owner: Mine" in text
    staff = client.get("/marketing/?team=staff&sort=-name")
    assert row_names(staff) == ["Todos"] and "Shown to: The whole staff" in staff.content.decode()
    # A team he cannot see is not offered, and asking for it shows nothing of it.
    choices = dict(
        next(f for f in staff.context["list"].filter_menu if f["key"] == "team")["choices"]
    )
    assert str(team.pk) in choices and str(segments["south"].team_id) not in choices
    assert row_names(client.get(f"/marketing/?team={segments['south'].team_id}")) == []


def test_deleting_segments_goes_through_the_service_and_reports_refusals(
    client, marketer, segments
):
    Campaign.objects.create(name="Otoño", segment=segments["madrid"])
    client.force_login(marketer)
    ids = [str(segments["madrid"].pk), str(segments["all"].pk)]
    unconfirmed = list_bulk(client, "segments", action="delete", ids=ids)
    assert "Choose “Delete them for good” to delete the selected segments." in (
        unconfirmed.content.decode()
    )
    assert Segment.objects.count() == 3  # nothing deleted without the confirmation

    done = list_bulk(client, "segments", action="delete", **{"value-delete": "yes"}, ids=ids)
    text = done.content.decode()
    assert "1 row deleted." in text and "1 row refused:" in text
    assert "Madrid: The segment is the target of a campaign: it cannot be deleted." in text
    assert set(Segment.objects.values_list("name", flat=True)) == {"Madrid", "Solo Sur"}


def test_who_may_not_build_segments_gets_no_delete(client, segments):
    analyst = UserFactory(username="ana_lyst", role=Role.ANALYST)
    client.force_login(analyst)
    assert bulk_keys(client.get("/marketing/")) == EXPORTS_ONLY
    refused = list_bulk(
        client, "segments", action="delete", **{"value-delete": "yes"}, all="1", query=""
    )
    assert "Choose an action." in refused.content.decode()
    assert Segment.objects.count() == 3


# --- journeys ------------------------------------------------------------------------


@pytest.fixture
def journeys(marketer, rep):
    from panorama.marketing.services import journeys as svc

    live = svc.journey_save(
        by=marketer, name="Alta", trigger="event", trigger_event="holding.added"
    )
    svc.step_add(by=marketer, journey=live, kind="alert", config={"title": "Llamar"})
    svc.journey_set_status(by=marketer, journey=live, status="active")
    draft = svc.journey_save(by=marketer, name="Borrador", trigger="birthday")
    return {"live": live, "draft": draft}


def test_journeys_filter_by_status_as_a_chip_in_the_url(client, marketer, journeys):
    client.force_login(marketer)
    page = client.get("/marketing/journeys/")
    assert row_names(page) == ["Alta", "Borrador"]
    assert b"An event: holding.added" in page.content
    assert b'id="forms-title"' in page.content  # the sign-up forms stay below
    active = client.get(
        "/marketing/journeys/?status=active", headers={**HX, "HX-Target": "journeys-list"}
    )
    assert row_names(active) == ["Alta"] and "Status: Active" in active.content.decode()
    assert active["HX-Push-Url"] == "/marketing/journeys/?status=active"
    assert row_names(client.get("/marketing/journeys/?trigger=birthday&sort=newest")) == [
        "Borrador"
    ]


def test_a_saved_view_of_journeys_is_a_tab_that_draws_its_filters(client, marketer, journeys):
    from panorama.core.lists.services import saved_view_create, saved_view_set_default

    view = saved_view_create(
        by=marketer, list_name="journeys", name="En marcha", query="status=active&sort=newest"
    )
    client.force_login(marketer)
    drawn = client.get(f"/marketing/journeys/?view={view.pk}")
    assert row_names(drawn) == ["Alta"] and drawn.context["list"].tabs.current == view
    assert "En marcha" in drawn.content.decode()
    saved_view_set_default(by=marketer, list_name="journeys", view=view)
    assert row_names(client.get("/marketing/journeys/")) == ["Alta"]  # his default view
    assert row_names(client.get("/marketing/journeys/?view=all")) == ["Alta", "Borrador"]


def test_pausing_journeys_goes_through_the_service_and_reports_refusals(
    client, marketer, journeys, emitted
):
    client.force_login(marketer)
    ids = [str(journeys["live"].pk), str(journeys["draft"].pk)]
    with emitted() as events:
        paused = list_bulk(client, "journeys", action="pause", ids=ids)
    text = paused.content.decode()
    assert "1 row changed." in text and "Borrador: Only an active journey can be paused." in text
    assert [p["status"] for name, p in events if name == "journey.status_changed"] == ["paused"]
    journeys["live"].refresh_from_db()
    assert journeys["live"].status == "paused"
    activated = list_bulk(client, "journeys", action="activate", all="1", query="")
    text = activated.content.decode()
    assert "Borrador: Add a step before activating the journey." in text
    assert "1 row changed." in text
    journeys["live"].refresh_from_db()
    journeys["draft"].refresh_from_db()
    assert (journeys["live"].status, journeys["draft"].status) == ("active", "draft")


def test_who_may_not_send_sees_journeys_but_cannot_pause_them(client, rep, journeys):
    assert client.get("/marketing/journeys/").status_code == 302  # signed out: the login
    client.force_login(rep)
    page = client.get("/marketing/journeys/")
    assert row_names(page) == ["Alta", "Borrador"] and bulk_keys(page) == EXPORTS_ONLY
    refused = list_bulk(client, "journeys", action="pause", ids=[str(journeys["live"].pk)])
    assert "Choose an action." in refused.content.decode()
    journeys["live"].refresh_from_db()
    assert journeys["live"].status == "active"


# --- messages (templates) ------------------------------------------------------------


@pytest.fixture
def templates(marketer):
    from panorama.marketing.services.templates import template_save

    def make(name, **english):
        return template_save(
            by=marketer, name=name, subject_es=f"Asunto {name}", body_es="Hola", **english
        )

    return {
        "bilingual": make("Bienvenida", subject_en="Welcome", body_en="Hi"),
        "campaign": make("Otoño"),
        "journey": make("Seguimiento"),
        "rule": make("Cumpleaños"),
        "free": make("Sin uso"),
    }


def test_messages_filter_as_a_chip_in_the_url_and_everyone_reads_them(
    client, rep, marketer, templates
):
    assert client.get("/marketing/templates/").status_code == 302  # signed out: the login
    Campaign.objects.create(name="Otoño", template=templates["campaign"])
    client.force_login(rep)
    page = client.get("/marketing/templates/")
    assert row_names(page) == ["Bienvenida", "Cumpleaños", "Otoño", "Seguimiento", "Sin uso"]
    assert bulk_keys(page) == EXPORTS_ONLY  # a rep writes no messages
    client.force_login(marketer)
    spanish = client.get(
        "/marketing/templates/?english=no", headers={**HX, "HX-Target": "message-templates-list"}
    )
    assert "Bienvenida" not in row_names(spanish) and len(row_names(spanish)) == 4
    assert spanish["HX-Push-Url"] == "/marketing/templates/?english=no"
    assert "English: Spanish only" in spanish.content.decode()
    used = client.get("/marketing/templates/?use=campaign&q=oto")
    assert row_names(used) == ["Otoño"] and "Use: Sent by a campaign" in used.content.decode()


def test_deleting_messages_refuses_those_something_sends_naming_it(
    client, marketer, templates, emitted
):
    from panorama.automation.models import Rule
    from panorama.marketing.models import MessageTemplate
    from panorama.marketing.services import journeys as svc

    Campaign.objects.create(name="Campaña de otoño", template=templates["campaign"])
    journey = svc.journey_save(by=marketer, name="Alta", trigger="birthday")
    svc.step_add(
        by=marketer, journey=journey, kind="send", config={"template": templates["journey"].pk}
    )
    Rule.objects.create(
        name="Felicitar",
        event="customer.created",
        actions=[{"type": "send_email", "template": templates["rule"].pk}],
    )
    client.force_login(marketer)
    with emitted() as events:
        done = list_bulk(
            client,
            "message-templates",
            action="delete",
            **{"value-delete": "yes"},
            all="1",
            query="",
        )
    text = done.content.decode()
    assert "2 rows deleted." in text and "3 rows refused:" in text
    assert "Otoño: The campaign “Campaña de otoño” sends it: it cannot be deleted." in text
    assert "Seguimiento: The journey “Alta” sends it: it cannot be deleted." in text
    assert "Cumpleaños: The business rule “Felicitar” sends it: it cannot be deleted." in text
    assert set(MessageTemplate.objects.values_list("name", flat=True)) == {
        "Otoño",
        "Seguimiento",
        "Cumpleaños",
    }
    deleted = [p["template_id"] for name, p in events if name == "message_template.deleted"]
    assert sorted(deleted) == sorted([templates["bilingual"].pk, templates["free"].pk])


# --- all three -------------------------------------------------------------------------


def test_the_lists_cost_the_same_queries_whatever_their_length(client, marketer, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from panorama.marketing.services import journeys as svc
    from panorama.marketing.services.templates import template_save

    def add(i):
        Segment.objects.create(name=f"S{i}", rules=EXAMPLE_RULES, owner=marketer, team=team)
        template_save(by=marketer, name=f"T{i}", subject_es="Hola", body_es="Hola")
        svc.journey_save(by=marketer, name=f"J{i}", trigger="birthday")

    def queries() -> dict[str, int]:
        seen = {}
        for url in ("/marketing/?owner=me", "/marketing/templates/"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            seen[url] = len(captured)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/marketing/journeys/?cols=name,owner,in_progress").status_code == 200
        seen["journeys"] = len(captured)
        return seen

    client.force_login(marketer)
    add(0)
    few = queries()
    for i in range(1, 12):
        add(i)
    assert queries() == few
