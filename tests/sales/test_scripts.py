"""Sales scripts (argumentarios): written by sales managers and administrators, picked
by product, segment, stage and language, shown on the opportunity, the agenda item
of a call and the ficha (for sellers), in bounded queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.sales.models import Script
from panorama.sales.scripts import scripts_for
from panorama.sales.services.activity import activity_plan
from panorama.sales.services.opportunity import opportunity_create, opportunity_update
from panorama.sales.services.script import script_create, script_update
from tests.catalog.factories import ProductFactory

from ..factories import CustomerFactory, UserFactory, pipeline_with_stages

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rep, team):
    pipeline = pipeline_with_stages()
    fibra, movil = ProductFactory(name="Fibra 600"), ProductFactory(name="Móvil")
    pyme = CustomerFactory(
        first_name="Talleres", owner=rep, team=team, custom_fields={"segment": "pymes"}
    )
    person = CustomerFactory(first_name="Ana", owner=rep, team=team)
    qualify = pipeline.stages.get(name="Qualify")
    negotiate = pipeline.stages.get(name="Negotiate")
    scripts = {
        "general": script_create(by=None, title="Presentación", body="Quiénes somos"),
        "fibra": script_create(
            by=None,
            title="Fibra",
            body="Velocidad simétrica",
            product_id=fibra.pk,
            objections=[{"objection": "Es caro", "answer": "Sin permanencia"}],
        ),
        "pymes": script_create(by=None, title="Pymes", body="Factura única", segment="PYMES"),
        "negotiate": script_create(
            by=None, title="Cierre", body="Resumir beneficios", stage_id=negotiate.pk
        ),
        "english": script_create(by=None, title="Intro", body="Who we are", language="en"),
        "off": script_create(by=None, title="Antiguo", body="x", active=False),
    }
    return {
        "pipeline": pipeline,
        "fibra": fibra,
        "movil": movil,
        "pyme": pyme,
        "person": person,
        "qualify": qualify,
        "scripts": scripts,
        "rep": rep,
    }


def titles(scripts):
    return {s.title for s in scripts}


def test_only_sales_managers_and_admins_write_scripts(rep):
    with pytest.raises(PermissionDenied):
        script_create(by=rep, title="x", body="y")
    manager = UserFactory(username="jefa", role=Role.SALES_MANAGER)
    script = script_create(by=manager, title="Fibra", body="Velocidad")
    script_update(by=manager, script_id=script.pk, changes={"segment": " Pymes "})
    assert Script.objects.get().segment == "pymes"


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"title": " "}, "title"),
        ({"body": ""}, "body"),
        ({"objections": [{"objection": "Caro"}]}, "objections"),
        ({"objections": "texto"}, "objections"),
        ({"product_id": 10**9}, "product_id"),
        ({"stage_id": -1}, "stage_id"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_scripts_name_the_field(bad, field):
    with pytest.raises(ValidationFailed) as error:
        script_create(by=None, **{"title": "T", "body": "B", **bad})
    assert error.value.field == field
    assert not Script.objects.exists()


def test_the_opportunity_gets_its_products_stage_and_segment(world):
    rep = world["rep"]
    opp = opportunity_create(by=rep, customer_id=world["pyme"].pk, name="Fibra oficina")
    opportunity_update(
        by=rep, opportunity_id=opp.pk, changes={"products": [{"product_id": world["fibra"].pk}]}
    )
    assert titles(scripts_for(opportunity=opp)) == {"Presentación", "Fibra", "Pymes", "Intro"}
    # The most specific first.
    assert scripts_for(opportunity=opp)[0].title in {"Fibra", "Pymes"}
    person_opp = opportunity_create(by=rep, customer_id=world["person"].pk, name="Otra")
    assert titles(scripts_for(opportunity=person_opp)) == {"Presentación", "Intro"}
    # A customer speaking Spanish gets no English-only script.
    world["person"].language = "es"
    world["person"].save()
    person_opp.customer.refresh_from_db()
    assert titles(scripts_for(opportunity=person_opp)) == {"Presentación"}


def test_the_agenda_item_of_a_call_shows_its_scripts(client, world):
    rep = world["rep"]
    call = activity_plan(
        by=rep,
        kind="call",
        subject="Llamar",
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        customer_id=world["pyme"].pk,
    )
    client.force_login(rep)
    html = client.get(reverse("sales:activity_detail", args=[call.pk])).content.decode()
    assert "Factura única" in html and "Antiguo" not in html


def test_the_opportunity_page_shows_its_scripts(client, world):
    rep = world["rep"]
    opp = opportunity_create(by=rep, customer_id=world["pyme"].pk, name="Fibra oficina")
    opportunity_update(
        by=rep, opportunity_id=opp.pk, changes={"products": [{"product_id": world["fibra"].pk}]}
    )
    client.force_login(rep)
    html = client.get(reverse("sales:opportunity_detail", args=[opp.pk])).content.decode()
    assert "Velocidad simétrica" in html and "Sin permanencia" in html
    assert "Resumir beneficios" not in html  # a script of another stage


def test_the_ficha_panel_costs_one_query_whatever_the_history(world, django_assert_num_queries):
    from panorama.customers.panels import panels_for

    rep = world["rep"]
    panel = next(p for p in panels_for(rep) if p.key == "scripts")
    for n in range(15):
        opp = opportunity_create(by=rep, customer_id=world["pyme"].pk, name=f"O{n}")
        opportunity_update(
            by=rep,
            opportunity_id=opp.pk,
            changes={"products": [{"product_id": world["fibra"].pk}]},
        )
    with django_assert_num_queries(1):
        data = panel.selector(customer=world["pyme"], user=rep)
    assert titles(data) == {"Presentación", "Fibra", "Pymes", "Intro"}
    # Administrators edit scripts; the ficha shows them to sellers only.
    admin = UserFactory(username="root", role=Role.ADMIN)
    assert "scripts" not in {p.key for p in panels_for(admin)}


def test_the_panel_on_the_ficha_and_in_the_360_api(client, api_as, world):
    client.force_login(world["rep"])
    html = client.get(reverse("customers:detail", args=[world["pyme"].pk])).content.decode()
    assert 'id="panel-scripts"' in html and "Factura única" in html
    answer = api_as(world["rep"]).get(f"/customers/{world['pyme'].pk}/360").json()
    panel = next(p for p in answer["panels"] if p["key"] == "scripts")
    assert {s["title"] for s in panel["data"]} == {"Presentación", "Pymes", "Intro"}


def test_the_staff_screens(client, world):
    manager = UserFactory(username="jefa", role=Role.SALES_MANAGER)
    client.force_login(manager)
    assert "Presentación" in client.get(reverse("sales:script_list")).content.decode()
    data = {
        "title": "Renove",
        "body": "Cambia tu móvil",
        "objections": "No lo necesito | Te ahorras 10 € al mes\nEs caro | Financiación a 24 meses",
        "product": world["movil"].pk,
        "segment": "",
        "stage": "",
        "language": "es",
        "active": "on",
    }
    assert client.post(reverse("sales:script_new"), data).status_code == 302
    script = Script.objects.get(title="Renove")
    assert script.objections[1] == {"objection": "Es caro", "answer": "Financiación a 24 meses"}
    refused = client.post(reverse("sales:script_new"), {**data, "objections": "sin barra"})
    assert refused.status_code == 422
    edit = reverse("sales:script_edit", args=[script.pk])
    assert "Te ahorras 10 € al mes" in client.get(edit).content.decode()
    assert client.post(edit, {**data, "title": "Renove 2"}).status_code == 302
    client.force_login(world["rep"])
    assert client.post(reverse("sales:script_new"), data).status_code == 403


def test_the_api(api_as, world):
    manager = api_as(UserFactory(username="jefa", role=Role.SALES_MANAGER))
    created = manager.post(
        "/scripts",
        json={
            "title": "API",
            "body": "Puntos",
            "objections": [{"objection": "Caro", "answer": "Barato"}],
            "segment": "pymes",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert manager.patch(f"/scripts/{pk}", json={"active": False}).json()["active"] is False
    rep = api_as(world["rep"])
    assert rep.post("/scripts", json={"title": "x", "body": "y"}).status_code == 403
    fitting = rep.get(f"/scripts-for?customer_id={world['pyme'].pk}").json()
    assert {s["title"] for s in fitting} == {"Presentación", "Pymes", "Intro"}
    assert rep.get("/scripts-for?customer_id=999999").status_code == 404


def test_the_api_list_pages_by_title(api_as, world):
    rep = api_as(world["rep"])
    first = rep.get("/scripts?limit=3").json()
    rest = rep.get(f"/scripts?limit=3&cursor={first['next_cursor']}").json()
    titles_seen = [s["title"] for s in first["items"] + rest["items"]]
    assert titles_seen == sorted(titles_seen) and len(titles_seen) == 6
    assert rest["next_cursor"] is None
    assert all(s["active"] for s in rep.get("/scripts?active=true").json()["items"])
