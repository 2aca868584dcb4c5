"""The lead settings on the shared list (core/lists), one tab each: scoring rules,
assignment rules, web forms. Only administrators (``sales.configure``) open them or act
on them; the filters are chips kept in the URL; *Activate or deactivate* goes through
``lead_config_save`` (the model's validation: a rule it refuses is reported, not saved)."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.sales.models import AssignmentRule, ScoringRule, WebForm

from ..factories import TeamFactory, UserFactory
from ..lists import list_bulk

pytestmark = pytest.mark.django_db


def _scoring(name, points=10, active=True):
    return ScoringRule.objects.create(
        name=name, field="job_title", operator="contains", value="dir", points=points, active=active
    )


def test_each_tab_lists_its_settings_and_a_chip_narrows_them_in_the_url(client, admin_user):
    _scoring("Director")
    _scoring("Becario", points=-5, active=False)
    inbound, outbound = TeamFactory(name="Inbound"), TeamFactory(name="Outbound")
    AssignmentRule.objects.create(name="Madrid", kind="round_robin", team=inbound)
    AssignmentRule.objects.create(name="Levante", kind="round_robin", team=outbound)
    web_form = WebForm.objects.create(name="Contacto", team=inbound)
    client.force_login(admin_user)
    page = client.get(reverse("sales:lead_settings")).content.decode()
    assert 'id="lead_scoring_rules-list"' in page
    assert "Director" in page and "Becario" in page and "Madrid" not in page
    assert 'aria-current="page"' in page and "Assignment rules" in page  # the tabs
    part = client.get(
        "/sales/settings/leads/?active=off",
        headers={"HX-Request": "true", "HX-Target": "lead_scoring_rules-list"},
    )
    assert part.headers["HX-Push-Url"] == "/sales/settings/leads/?active=off"
    assert "Becario" in part.content.decode() and "Director" not in part.content.decode()
    rules = client.get(f"/sales/settings/leads/assignment/?team={inbound.pk}").content.decode()
    assert "Madrid" in rules and "Levante" not in rules
    forms = client.get(reverse("sales:lead_settings_webforms")).content.decode()
    assert "Contacto" in forms and reverse("sales:webform_snippet", args=[web_form.pk]) in forms


def test_deactivate_in_bulk_through_the_service_with_refusals_reported(client, admin_user, emitted):
    director, manager_rule = _scoring("Director"), _scoring("Gerente")
    broken = _scoring("Sin puntos", points=0)  # saved around the service: 0 points
    client.force_login(admin_user)
    with emitted() as events:
        response = list_bulk(
            client,
            "lead_scoring_rules",
            action="active",
            **{"value-active": "off"},
            ids=[director.pk, manager_rule.pk, broken.pk],
        )
    report = response.context["list"].report
    assert report.done == 2
    assert report.refused == [("Sin puntos", "A rule gives or takes at least one point.")]
    assert set(ScoringRule.objects.filter(active=True).values_list("name", flat=True)) == {
        "Sin puntos"
    }
    changed = [p for n, p in events if n == "sales.lead_config_changed"]
    assert sorted(p["object_id"] for p in changed) == sorted([director.pk, manager_rule.pk])
    assert all(p["active"] is False for p in changed)
    # The old per-row toggle still answers, and comes back to its tab.
    back = client.post(reverse("sales:lead_config_toggle", args=["scoring", director.pk]))
    assert back.status_code == 302 and back.url == reverse("sales:lead_settings")


def test_nobody_else_opens_or_acts_on_them(client):
    manager = UserFactory(username="jefa", role=Role.SALES_MANAGER)
    rule = _scoring("Director")
    client.force_login(manager)
    for name in ("lead_settings", "lead_settings_assignment", "lead_settings_webforms"):
        assert client.get(reverse(f"sales:{name}")).status_code == 403
    response = list_bulk(
        client, "lead_scoring_rules", action="active", **{"value-active": "off"}, ids=[rule.pk]
    )
    assert response.context["list"].bulk_error == "Choose an action."
    rule.refresh_from_db()
    assert rule.active is True
