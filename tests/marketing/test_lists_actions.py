"""Marketing's lists export what they show and edit names in place: segments, journeys,
messages, campaigns, call lists and static lists. Each export holds exactly the rows the
list draws with its filters (another team's segments absent); a name (a journey's
status) is saved through the service the record's form calls, a refused value shows the
service's message in the cell and nothing is saved; who may not change the record gets
403."""

import pytest

from panorama.accounts.models import Role
from panorama.marketing import rules as segment_rules
from panorama.marketing.models import (
    Campaign,
    Journey,
    MessageTemplate,
    Recipient,
    Segment,
    StaticList,
)
from panorama.marketing.services.segments import list_create
from panorama.marketing.services.templates import template_save
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.lists import cell_post, export_csv, export_queries, export_xlsx

from .conftest import EXAMPLE_RULES

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana_lyst", role=Role.ANALYST)


# --- segments ------------------------------------------------------------------------


@pytest.fixture
def segments(marketer, rep, team):
    south = TeamFactory(name="Sur")
    return {
        "all": Segment.objects.create(name="Todos", rules=EXAMPLE_RULES, owner=marketer),
        "madrid": Segment.objects.create(name="Madrid", rules=EXAMPLE_RULES, owner=rep, team=team),
        "south": Segment.objects.create(name="Solo Sur", rules=EXAMPLE_RULES, team=south),
    }


def test_a_rep_exports_his_segments_and_never_another_team_s(client, rep, team, segments):
    client.force_login(rep)
    rows = export_csv(client, "segments", "cols=name,team")
    assert rows[0] == ["Name", "Shown to"]
    assert sorted(rows[1:]) == [["Madrid", team.name], ["Todos", "The whole staff"]]
    assert export_xlsx(client, "segments", "owner=me&cols=name,owner") == [
        ["Name", "Owner"],
        ["Madrid", rep.get_full_name() or rep.username],
    ]


def test_the_segments_export_costs_the_same_queries_for_one_row_or_many(client, marketer):
    Segment.objects.create(name="Uno", rules=EXAMPLE_RULES, owner=marketer)
    client.force_login(marketer)
    query = "cols=name,description,team,owner,priority,updated"
    one = export_queries(client, "segments", query)
    for n in range(10):
        Segment.objects.create(name=f"S{n}", rules=EXAMPLE_RULES, owner=UserFactory(), team=None)
    assert export_queries(client, "segments", query) == one


def test_a_segment_is_renamed_in_place_through_segment_save(client, marketer, segments, emitted):
    todos = segments["all"]
    client.force_login(marketer)
    with emitted() as events:
        saved = cell_post(client, "segments", todos.pk, "name", "Toda la base")
    assert saved.status_code == 200 and "Toda la base" in saved.content.decode()
    todos.refresh_from_db()
    # Saved as it was but for its name (its rules as segment_save stores them).
    assert (todos.name, todos.rules) == ("Toda la base", segment_rules.validate(EXAMPLE_RULES))
    assert [n for n, _p in events] == ["segment.saved"]
    refused = cell_post(client, "segments", todos.pk, "name", " ")
    assert refused.status_code == 422
    assert "A segment needs a name." in refused.content.decode()
    assert Segment.objects.get(pk=todos.pk).name == "Toda la base"


def test_who_may_not_build_segments_gets_403_and_no_rename(client, analyst, segments):
    client.force_login(analyst)
    assert cell_post(client, "segments", segments["all"].pk, "name", "Otro").status_code == 403
    assert Segment.objects.get(pk=segments["all"].pk).name == "Todos"


# --- journeys ------------------------------------------------------------------------


@pytest.fixture
def journeys(marketer):
    from panorama.marketing.services import journeys as svc

    live = svc.journey_save(
        by=marketer, name="Alta", trigger="event", trigger_event="holding.added"
    )
    svc.step_add(by=marketer, journey=live, kind="alert", config={"title": "Llamar"})
    svc.journey_set_status(by=marketer, journey=live, status="active")
    draft = svc.journey_save(by=marketer, name="Borrador", trigger="birthday")
    return {"live": live, "draft": draft}


def test_the_journeys_export_holds_the_filtered_rows(client, rep, journeys):
    client.force_login(rep)
    assert export_csv(client, "journeys", "status=active&cols=name,status,trigger") == [
        ["Name", "Status", "Starts when"],
        ["Alta", "Active", "An event: holding.added"],
    ]


def test_a_journey_is_renamed_and_paused_in_place_and_refused_with_why(client, marketer, journeys):
    live, draft = journeys["live"], journeys["draft"]
    client.force_login(marketer)
    assert cell_post(client, "journeys", live.pk, "name", "Alta nueva").status_code == 200
    paused = cell_post(client, "journeys", live.pk, "status", "paused")
    assert paused.status_code == 200 and "Paused" in paused.content.decode()
    live.refresh_from_db()
    assert (live.name, live.status, live.trigger_event) == ("Alta nueva", "paused", "holding.added")
    refused = cell_post(client, "journeys", draft.pk, "status", "active")
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'role="alert"' in html and "Add a step before activating the journey." in html
    assert Journey.objects.get(pk=draft.pk).status == "draft"
    client.force_login(UserFactory(username="pepe", role=Role.SALES_REP))
    assert cell_post(client, "journeys", live.pk, "status", "active").status_code == 403
    assert Journey.objects.get(pk=live.pk).status == "paused"


# --- messages (templates) ------------------------------------------------------------


def test_messages_export_and_rename_through_template_save(client, marketer, rep):
    welcome = template_save(
        by=marketer,
        name="Bienvenida",
        subject_es="Hola",
        body_es="Hola",
        subject_en="Hi",
        body_en="Hi",
    )
    template_save(by=marketer, name="Solo español", subject_es="Hola", body_es="Hola")
    client.force_login(rep)
    assert export_csv(client, "message-templates", "english=yes&cols=name,subject,english") == [
        ["Name", "Subject", "English"],
        ["Bienvenida", "Hola", "Yes"],
    ]
    assert cell_post(client, "message-templates", welcome.pk, "name", "Otra").status_code == 403
    client.force_login(marketer)
    assert cell_post(client, "message-templates", welcome.pk, "name", "Alta").status_code == 200
    refused = cell_post(client, "message-templates", welcome.pk, "name", "")
    assert refused.status_code == 422 and "Name is required." in refused.content.decode()
    welcome = MessageTemplate.objects.get(pk=welcome.pk)
    assert (welcome.name, welcome.subject_en, welcome.body_es) == ("Alta", "Hi", "Hola")


# --- campaigns, call lists, static lists ---------------------------------------------


def test_campaigns_export_the_filtered_rows_and_only_a_draft_is_renamed(client, marketer):
    draft = Campaign.objects.create(name="Primavera", owner=marketer, channel="email")
    sent = Campaign.objects.create(name="Verano", channel="sms", status="sent")
    client.force_login(marketer)
    assert export_csv(client, "campaigns", "channel=sms&cols=name,status,channel") == [
        ["Name", "Status", "Channel"],
        ["Verano", "Sent", "SMS"],
    ]
    assert cell_post(client, "campaigns", draft.pk, "name", "Primavera 2027").status_code == 200
    refused = cell_post(client, "campaigns", sent.pk, "name", "Otro")
    assert refused.status_code == 422
    assert "Only a draft campaign can be changed." in refused.content.decode()
    empty = cell_post(client, "campaigns", draft.pk, "name", "")
    assert empty.status_code == 422 and "A campaign needs a name." in empty.content.decode()
    assert [c.name for c in Campaign.objects.order_by("pk")] == ["Primavera 2027", "Verano"]
    client.force_login(UserFactory(username="pepe", role=Role.SALES_REP))
    assert cell_post(client, "campaigns", draft.pk, "name", "X").status_code == 403
    assert Campaign.objects.get(pk=draft.pk).name == "Primavera 2027"


def test_the_campaigns_export_costs_the_same_queries_for_one_row_or_many(client, marketer):
    Campaign.objects.create(name="Uno", owner=marketer, channel="email")
    client.force_login(marketer)
    query = "cols=name,status,channel,programme,target,launched,owner,created"
    one = export_queries(client, "campaigns", query)
    for n in range(10):
        segment = Segment.objects.create(name=f"S{n}", rules=EXAMPLE_RULES)
        Campaign.objects.create(name=f"C{n}", owner=UserFactory(), segment=segment)
    assert export_queries(client, "campaigns", query) == one


def test_call_lists_export_their_progress_for_who_makes_calls_only(client, marketer):
    card = Campaign.objects.create(name="Tarjeta", channel="call_list", status="sending")
    Campaign.objects.create(name="Borrador", channel="call_list")  # not open
    for status in ("pending", "called"):
        Recipient.objects.create(
            campaign=card, customer=CustomerFactory(), group="target", status=status
        )
    client.force_login(marketer)
    assert export_csv(client, "call-lists", "cols=name,to_call,called,done") == [
        ["Campaign", "To call", "Called", "Done"],
        ["Tarjeta", "1", "1", "50 %"],
    ]


def test_the_call_lists_export_costs_the_same_queries_for_one_row_or_many(client, marketer):
    def call_list(name):
        campaign = Campaign.objects.create(name=name, channel="call_list", status="sending")
        Recipient.objects.create(campaign=campaign, customer=CustomerFactory(), group="target")

    call_list("Uno")
    client.force_login(marketer)
    query = "cols=name,programme,to_call,called,done,launched,owner"
    one = export_queries(client, "call-lists", query)
    for n in range(8):
        call_list(f"Lista {n}")
    assert export_queries(client, "call-lists", query) == one


def test_static_lists_export_the_filtered_rows(client, marketer, rep):
    list_create(by=marketer, name="A mano", customer_ids=[CustomerFactory().pk])
    mine = list_create(by=None, name="De Pepe")
    StaticList.objects.filter(pk=mine.pk).update(owner=rep)
    client.force_login(rep)
    assert export_csv(client, "static-lists", "owner=me&cols=name,size") == [
        ["Name", "Members"],
        ["De Pepe", "0"],
    ]
    assert export_csv(client, "static-lists", "origin=hand&cols=name,size")[1:] == [
        ["A mano", "1"],
        ["De Pepe", "0"],
    ]


def _journey(n: int) -> None:
    from panorama.marketing.services.journeys import journey_save

    journey = journey_save(by=None, name=f"Viaje {n}", trigger="birthday")
    Journey.objects.filter(pk=journey.pk).update(owner=UserFactory())


def _template(n: int) -> None:
    template_save(by=None, name=f"Mensaje {n}", subject_es="Hola", body_es="Hola")


def _static_list(n: int) -> None:
    made = list_create(by=None, name=f"Lista {n}", customer_ids=[CustomerFactory().pk])
    segment = Segment.objects.create(name=f"S{n}", rules=EXAMPLE_RULES)
    StaticList.objects.filter(pk=made.pk).update(owner=UserFactory(), segment=segment)


@pytest.mark.parametrize(
    ("list_name", "make", "query"),
    [
        ("journeys", _journey, "cols=name,status,trigger,in_progress,owner,created"),
        ("message-templates", _template, "cols=name,subject,english,updated"),
        ("static-lists", _static_list, "cols=name,segment,size,owner,created"),
    ],
)
def test_these_exports_cost_the_same_queries_for_one_row_or_many(
    client, marketer, list_name, make, query
):
    make(0)
    client.force_login(marketer)
    one = export_queries(client, list_name, query)
    for n in range(1, 9):
        make(n)
    assert export_queries(client, list_name, query) == one
