"""Lead settings outside the Django admin: administrators list, create, edit and
deactivate scoring rules, assignment rules and web forms on staff pages and through the
API, with the models' own validation naming the field; nobody else may."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.sales.models import AssignmentRule, ScoringRule, WebForm
from panorama.sales.services.lead import lead_create
from panorama.sales.services.lead_config import lead_config_save

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_service_validates_like_the_model_and_only_for_administrators(admin_user, rep, emitted):
    with pytest.raises(PermissionDenied):
        lead_config_save(by=rep, kind="scoring", values={"name": "x", "points": 1})
    with pytest.raises(ValidationFailed) as refused:
        lead_config_save(
            by=admin_user,
            kind="scoring",
            values={"name": "Director", "field": "job_title", "operator": "contains", "points": 5},
        )
    assert refused.value.field == "value"  # "contains" needs a value
    with pytest.raises(ValidationFailed) as unknown:
        lead_config_save(by=admin_user, kind="webform", values={"token": "mine"})
    assert unknown.value.field == "token"
    with emitted() as events:
        rule = lead_config_save(
            by=admin_user,
            kind="scoring",
            values={
                "name": "Director",
                "field": "job_title",
                "operator": "contains",
                "value": "director",
                "points": 10,
            },
        )
    assert [name for name, _payload in events] == ["sales.lead_config_changed"]
    lead = lead_create(by=None, job_title="Directora de compras", email="a@b.example")
    assert lead.score == 10
    lead_config_save(by=admin_user, kind="scoring", obj_id=rule.pk, values={"active": False})
    assert lead_create(by=None, job_title="Director", email="c@d.example").score == 0


def test_the_pages_create_edit_and_deactivate(client, admin_user):
    team = TeamFactory(name="Inbound")
    eva = UserFactory(username="eva", role=Role.SALES_REP, teams=[team])
    client.force_login(admin_user)
    assert client.get(reverse("sales:lead_settings")).status_code == 200
    new = reverse("sales:lead_config_new", args=["assignment"])
    assert client.get(new).status_code == 200
    bad = client.post(new, {"name": "Madrid", "kind": "territory", "team": team.pk})
    assert bad.status_code == 422
    assert "territory needs" in bad.content.decode()
    ok = client.post(
        new,
        {
            "name": "Madrid",
            "kind": "territory",
            "postal_prefixes": "28",
            "team": team.pk,
            "operator": "contains",
            "active": "on",
            "position": 0,
        },
    )
    assert ok.status_code == 302, ok.content.decode()[:2000]
    rule = AssignmentRule.objects.get(name="Madrid")
    assert (rule.postal_prefixes, rule.team, rule.active) == ("28", team, True)
    assert lead_create(by=None, email="x@y.example", data={"postal_code": "28001"}).owner == eva

    edit = reverse("sales:lead_config_edit", args=["assignment", rule.pk])
    assert "Madrid" in client.get(edit).content.decode()
    client.post(reverse("sales:lead_config_toggle", args=["assignment", rule.pk]))
    rule.refresh_from_db()
    assert rule.active is False
    page = client.get(reverse("sales:lead_settings_assignment")).content.decode()
    assert "Madrid" in page and "Inactive" in page

    form_new = reverse("sales:lead_config_new", args=["webform"])
    refused = client.post(form_new, {"name": "Contacto", "fields": ["first_name"]})
    assert refused.status_code == 422  # needs an e-mail or a phone
    created = client.post(
        form_new,
        {"name": "Contacto", "fields": ["first_name", "email"], "required_fields": ["email"]},
    )
    assert created.status_code == 302
    assert WebForm.objects.get(name="Contacto").fields == ["first_name", "email"]


def test_a_manager_may_not_open_them(client):
    manager = UserFactory(username="jefa", role=Role.SALES_MANAGER)
    client.force_login(manager)
    assert client.get(reverse("sales:lead_settings")).status_code == 403
    answer = client.post(
        reverse("sales:lead_config_new", args=["scoring"]), {"name": "x", "points": 1}
    )
    assert answer.status_code == 403
    assert not ScoringRule.objects.exists()


def test_the_api_creates_patches_and_refuses(api_as, admin_user, rep):
    team = TeamFactory(name="Inbound")
    assert api_as(rep).get("/lead-settings/scoring-rules").status_code == 403
    api = api_as(admin_user)
    created = api.post(
        "/lead-settings/assignment-rules",
        json={"name": "Todos", "kind": "round_robin", "team_id": team.pk},
    )
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    patched = api.patch(f"/lead-settings/assignment-rules/{rule_id}", json={"active": False})
    assert patched.json()["active"] is False
    missing_team = api.post(
        "/lead-settings/assignment-rules", json={"name": "x", "team_id": 999999}
    )
    assert missing_team.status_code == 422
    form = api.post("/lead-settings/web-forms", json={"name": "Web", "fields": ["email"]})
    assert form.status_code == 201 and form.json()["token"]
    bad = api.post("/lead-settings/web-forms", json={"name": "Web", "fields": ["nope"]})
    assert bad.status_code == 422 and "fields" in bad.content.decode()
    scoring = api.post(
        "/lead-settings/scoring-rules",
        json={"name": "Replies", "kind": "behaviour", "activity_kind": "email_reply", "points": 2},
    )
    assert scoring.status_code == 201, scoring.content
    assert [r["name"] for r in api.get("/lead-settings/scoring-rules").json()] == ["Replies"]


def test_the_form_titles_follow_the_readers_language(client, admin_user):
    client.force_login(admin_user)
    new = reverse("sales:lead_config_new", args=["scoring"])
    spanish = client.get(new, headers={"Accept-Language": "es"}).content.decode()
    english = client.get(new, headers={"Accept-Language": "en"}).content.decode()
    assert "Nueva regla de puntuación" in spanish and "New scoring rule" in english
