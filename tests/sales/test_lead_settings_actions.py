"""The lead settings' export and edits in place: each tab exports exactly the rows it
shows with its filters, a name, the points, the capacity and the state are saved through
``lead_config_save`` (the model's validation: a rule of 0 points is refused with its
message, nothing saved), and nobody but who configures leads exports or edits them."""

import pytest

from panorama.accounts.models import Role
from panorama.core.models import BulkJob
from panorama.sales.models import AssignmentRule, ScoringRule, WebForm

from ..factories import TeamFactory, UserFactory
from ..lists import cell_post, export_csv, export_queries, list_bulk

pytestmark = pytest.mark.django_db


def _scoring(name, points=10, active=True):
    return ScoringRule.objects.create(
        name=name, field="job_title", operator="contains", value="dir", points=points, active=active
    )


def test_each_tab_exports_its_filtered_rows(client, admin_user):
    _scoring("Director")
    _scoring("Becario", points=-5, active=False)
    inbound, outbound = TeamFactory(name="Inbound"), TeamFactory(name="Outbound")
    AssignmentRule.objects.create(name="Madrid", kind="round_robin", team=inbound, capacity=5)
    AssignmentRule.objects.create(name="Export", kind="round_robin", team=outbound)
    WebForm.objects.create(name="Contacto", team=inbound)
    WebForm.objects.create(name="Baja", team=outbound, active=False)
    client.force_login(admin_user)
    assert export_csv(client, "lead_scoring_rules", "active=off&cols=name,points,active") == [
        ["Name", "Points", "State"],
        ["Becario", "-5", "Inactive"],
    ]
    rows = export_csv(client, "lead_assignment_rules", f"team={inbound.pk}&cols=name,capacity")
    assert rows == [["Name", "Capacity"], ["Madrid", "5"]]
    assert export_csv(client, "lead_web_forms", "active=on&cols=name,team") == [
        ["Name", "Team"],
        ["Contacto", "Inbound"],
    ]


def test_the_export_costs_the_same_queries_for_one_row_or_many(client, admin_user):
    team = TeamFactory(name="Inbound")
    AssignmentRule.objects.create(name="Uno", kind="round_robin", team=team)
    client.force_login(admin_user)
    query = "cols=name,kind,team,capacity,position,active"
    one = export_queries(client, "lead_assignment_rules", query)
    for n in range(10):
        AssignmentRule.objects.create(name=f"Regla {n}", kind="round_robin", team=TeamFactory())
    assert export_queries(client, "lead_assignment_rules", query) == one


def test_name_points_capacity_and_state_are_edited_in_place(client, admin_user, emitted):
    rule = _scoring("Director")
    assignment = AssignmentRule.objects.create(
        name="Madrid", kind="round_robin", team=TeamFactory()
    )
    form = WebForm.objects.create(name="Contacto", team=TeamFactory())
    client.force_login(admin_user)
    with emitted() as events:
        assert cell_post(client, "lead_scoring_rules", rule.pk, "points", "25").status_code == 200
        assert cell_post(client, "lead_scoring_rules", rule.pk, "name", "Dir.").status_code == 200
        saved = cell_post(client, "lead_assignment_rules", assignment.pk, "capacity", "7")
        assert saved.status_code == 200
        assert cell_post(client, "lead_web_forms", form.pk, "active", "off").status_code == 200
    rule.refresh_from_db()
    assignment.refresh_from_db()
    form.refresh_from_db()
    assert (rule.points, rule.name, assignment.capacity, form.active) == (25, "Dir.", 7, False)
    assert [n for n, _p in events].count("sales.lead_config_changed") == 4


def test_a_refused_value_shows_the_service_s_message_and_saves_nothing(client, admin_user):
    rule = _scoring("Director")
    client.force_login(admin_user)
    refused = cell_post(client, "lead_scoring_rules", rule.pk, "points", "0")
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'role="alert"' in html and "A rule gives or takes at least one point." in html
    assert ScoringRule.objects.get(pk=rule.pk).points == 10


def test_nobody_else_exports_or_edits_them(client):
    manager = UserFactory(username="jefa", role=Role.SALES_MANAGER)
    rule = _scoring("Director")
    client.force_login(manager)
    assert cell_post(client, "lead_scoring_rules", rule.pk, "points", "50").status_code == 403
    export = list_bulk(client, "lead_scoring_rules", action="export_csv", all="1")
    assert export.context["list"].bulk_error == "Choose an action."
    assert not BulkJob.objects.exists()  # no file made
    assert ScoringRule.objects.get(pk=rule.pk).points == 10
