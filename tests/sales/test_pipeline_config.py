"""Configuring pipelines, stages, lost reasons and competitors: sales managers and
administrators only, the same rules through the service and the API."""

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.sales.models import Pipeline, Stage
from panorama.sales.services import pipeline as config
from panorama.sales.services.opportunity import opportunity_create

from ..factories import CustomerFactory, UserFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(team):
    return UserFactory(username="jefa", role=Role.SALES_MANAGER, teams=[team])


def test_a_manager_builds_a_pipeline_with_stages_in_order(manager, emitted):
    with emitted() as events:
        pipeline = config.pipeline_create(by=manager, name="Renovaciones", currency="eur")
        config.stage_create(by=manager, pipeline_id=pipeline.pk, name="Contacto", probability=20)
        config.stage_create(
            by=manager,
            pipeline_id=pipeline.pk,
            name="Oferta",
            probability=50,
            required_fields=["amount", "amount"],
        )
        won = config.stage_create(by=manager, pipeline_id=pipeline.pk, name="Firmado", kind="won")
    assert pipeline.currency == "EUR"
    stages = list(pipeline.stages.order_by("position"))
    assert [s.name for s in stages] == ["Contacto", "Oferta", "Firmado"]
    assert stages[1].required_fields == ["amount"]
    assert (won.probability, won.forecast_category) == (100, "closed")
    assert [name for name, _ in events] == ["sales.configured"] * 4

    config.stage_reorder(
        by=manager, pipeline_id=pipeline.pk, stage_ids=[stages[1].pk, stages[0].pk, won.pk]
    )
    assert [s.name for s in pipeline.stages.order_by("position")] == [
        "Oferta",
        "Contacto",
        "Firmado",
    ]


def test_bad_configuration_is_refused_naming_the_field(manager):
    pipeline = pipeline_with_stages()
    cases = [
        (lambda: config.pipeline_create(by=manager, name="X", currency="euro"), "currency"),
        (lambda: config.pipeline_create(by=manager, name="new business", currency="EUR"), "name"),
        (
            lambda: config.stage_create(
                by=manager, pipeline_id=pipeline.pk, name="Z", probability=140
            ),
            "probability",
        ),
        (
            lambda: config.stage_create(
                by=manager, pipeline_id=pipeline.pk, name="Z", required_fields=["colour"]
            ),
            "required_fields",
        ),
        (lambda: config.stage_create(by=manager, pipeline_id=pipeline.pk, name="Qualify"), "name"),
        (
            lambda: config.stage_create(by=manager, pipeline_id=pipeline.pk, name="Z", kind="x"),
            "kind",
        ),
        (
            lambda: config.stage_reorder(by=manager, pipeline_id=pipeline.pk, stage_ids=[1]),
            "stage_ids",
        ),
        (lambda: config.competitor_create(by=manager, name="Acme", website="nope"), "website"),
    ]
    for call, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            call()
        assert refused.value.field == field, field
    assert pipeline.stages.count() == 5 and Pipeline.objects.count() == 1


def test_a_stage_in_use_keeps_its_kind_and_stays(manager, rep, team):
    pipeline = pipeline_with_stages()
    customer = CustomerFactory(owner=rep, team=team)
    opportunity_create(by=rep, customer_id=customer.pk, name="Fibra")
    qualify = pipeline.stages.get(name="Qualify")
    with pytest.raises(Conflict):
        config.stage_update(by=manager, stage_id=qualify.pk, changes={"kind": "won"})
    with pytest.raises(Conflict):
        config.stage_delete(by=manager, stage_id=qualify.pk)
    unused = pipeline.stages.get(name="Propose")
    config.stage_delete(by=manager, stage_id=unused.pk)
    assert not Stage.objects.filter(pk=unused.pk).exists()


def test_only_one_default_pipeline(manager):
    first = config.pipeline_create(by=manager, name="A", currency="EUR", is_default=True)
    second = config.pipeline_create(by=manager, name="B", currency="EUR", is_default=True)
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


def test_a_rep_cannot_configure(rep):
    with pytest.raises(PermissionDenied):
        config.lost_reason_create(by=rep, name="Precio")


def test_configuration_through_the_api(api_as, manager, rep):
    api = api_as(manager)
    made = api.post("/pipelines", json={"name": "Partners", "currency": "EUR"})
    assert made.status_code == 201, made.content
    pid = made.json()["id"]
    stage = api.post(f"/pipelines/{pid}/stages", json={"name": "Lost", "kind": "lost"})
    assert stage.status_code == 201 and stage.json()["probability"] == 0
    bad = api.patch(f"/stages/{stage.json()['id']}", json={"probability": 30})
    assert bad.status_code == 422 and "probability" in bad.json()["errors"]
    reason = api.post("/lost-reasons", json={"name": "Precio"})
    assert reason.status_code == 201
    renamed = api.patch(f"/lost-reasons/{reason.json()['id']}", json={"name": "Precio alto"})
    assert renamed.json()["name"] == "Precio alto"
    assert api.post("/competitors", json={"name": "Acme"}).status_code == 201
    listed = api_as(rep).get("/pipelines").json()
    assert [s["name"] for s in listed[0]["stages"]] == ["Lost"]
    refused = api_as(rep).post("/competitors", json={"name": "Other"})
    assert refused.status_code == 403


def test_a_competitor_is_renamed_on_the_settings_page(client, manager, rep):
    acme = config.competitor_create(by=manager, name="Acme", website="https://acme.example")
    config.competitor_create(by=manager, name="Beta")
    client.force_login(manager)
    page = client.get(reverse("sales:pipeline_settings")).content.decode()
    edit = reverse("sales:competitor_edit", args=[acme.pk])
    assert f'href="{edit}"' in page
    assert "https://acme.example" in client.get(edit).content.decode()
    taken = client.post(edit, {"name": "Beta", "website": ""})
    assert taken.status_code == 422 and "There is already a competitor" in taken.content.decode()
    bad = client.post(edit, {"name": "Acme", "website": "nope"})
    assert bad.status_code == 422
    saved = client.post(edit, {"name": "Acme Telecom", "website": "https://acme.example/es"})
    assert saved.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.website) == ("Acme Telecom", "https://acme.example/es")
    client.force_login(rep)
    assert client.get(edit).status_code == 403
    assert client.get(reverse("sales:competitor_edit", args=[999_999])).status_code in (403, 404)
