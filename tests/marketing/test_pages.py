"""The marketing pages: the builder's live count, saving a segment, freezing it into a
list, messages with their preview and test send, campaigns and their report."""

import pytest

from panorama.accounts.models import Role
from panorama.marketing.models import Campaign, MessageTemplate, Segment, StaticList
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.templates import template_save
from tests.factories import UserFactory

from .conftest import EXAMPLE_RULES

pytestmark = pytest.mark.django_db

EXAMPLE_FORM = {
    "mode": "builder",
    "match": "and",
    "f0": "holding",
    "o0": "has",
    "v0": "ACC-NOM, ACC-ONL",
    "f1": "holding",
    "o1": "has_not",
    "v1": "CARD-CR",
    "f2": "contacted",
    "o2": "not_within_days",
    "v2": "90",
    "c2": "",
}


@pytest.fixture
def signed_in(client, marketer):
    client.force_login(marketer)
    return client


def test_the_builder_counts_what_is_on_the_screen(world, signed_in):
    page = signed_in.get("/marketing/segments/new/")
    assert page.status_code == 200 and b'id="segment-count"' in page.content
    answer = signed_in.post(
        "/marketing/segments/count/", EXAMPLE_FORM, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200 and b"data-segment-count>4<" in answer.content
    negated = {**EXAMPLE_FORM, "n1": "on"}  # WITH a credit card: Bea
    answer = signed_in.post("/marketing/segments/count/", negated, headers={"HX-Request": "true"})
    assert b"data-segment-count>1<" in answer.content


def test_a_wrong_value_is_a_422_naming_the_field(world, signed_in):
    wrong = {**EXAMPLE_FORM, "v2": "pronto"}
    answer = signed_in.post("/marketing/segments/count/", wrong, headers={"HX-Request": "true"})
    assert answer.status_code == 422
    assert (
        "Contacted" in answer.content.decode()
        and b'data-field="rules.rules.2.value"' in answer.content
    )


def test_rows_are_added_removed_and_follow_their_field(world, signed_in):
    added = signed_in.post("/marketing/segments/builder/", {**EXAMPLE_FORM, "action": "add"})
    assert added.content.decode().count("data-condition") == 4
    removed = signed_in.post("/marketing/segments/builder/", {**EXAMPLE_FORM, "action": "remove:2"})
    assert removed.content.decode().count("data-condition") == 2
    assert b"data-segment-count>5<" in removed.content  # no recency: Eva, Félix, Ana, Luis, Carlos
    # The field changed to the language: its operators follow (and its old one is reset).
    switched = signed_in.post("/marketing/segments/builder/", {**EXAMPLE_FORM, "f0": "language"})
    assert 'value="contains"' in switched.content.decode()


def test_saving_and_freezing_a_segment(world, signed_in):
    saved = signed_in.post("/marketing/segments/new/", {**EXAMPLE_FORM, "name": "Sin tarjeta"})
    segment = Segment.objects.get()
    assert saved.status_code == 302 and segment.rules["rules"][2]["value"] == 90
    page = signed_in.get(f"/marketing/segments/{segment.pk}/")
    assert b'value="ACC-NOM, ACC-ONL"' in page.content and b"data-segment-count>4<" in page.content
    frozen = signed_in.post(f"/marketing/segments/{segment.pk}/snapshot/")
    static_list = StaticList.objects.get()
    assert frozen.status_code == 302 and static_list.members.count() == 4
    assert "Ana García" in signed_in.get(f"/marketing/lists/{static_list.pk}/").content.decode()
    assert "Sin tarjeta" in signed_in.get("/marketing/").content.decode()
    # An unnamed segment is not saved, and says why.
    nameless = signed_in.post("/marketing/segments/new/", {**EXAMPLE_FORM, "name": ""})
    assert nameless.status_code == 422 and Segment.objects.count() == 1


def test_a_segment_nesting_groups_is_drawn_as_groups(world, signed_in, marketer):
    nested = {
        "op": "or",
        "rules": [EXAMPLE_RULES, {"field": "language", "op": "eq", "value": "en"}],
    }
    segment = segment_save(by=marketer, name="Anidado", rules=nested)
    page = signed_in.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert 'name="rules_json"' not in page and "data-segment-count>4<" in page
    assert page.count("data-group") == 1 and page.count("data-condition") == 4


def test_a_segment_nesting_deeper_than_the_builder_is_edited_as_json(world, signed_in, marketer):
    deep = {"op": "or", "rules": [EXAMPLE_RULES]}
    for _level in range(2):
        deep = {"op": "and", "rules": [deep]}
    segment = segment_save(by=marketer, name="Hondo", rules=deep)
    page = signed_in.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert 'name="rules_json"' in page and "data-segment-count>" in page


def test_a_broken_merge_field_is_shown_beside_the_body(world, signed_in):
    answer = signed_in.post(
        "/marketing/templates/new/",
        {"name": "Roto", "subject_es": "Hola", "body_es": "Hola {{ nombre }}"},
    )
    assert answer.status_code == 422 and "nombre" in answer.content.decode()
    assert not MessageTemplate.objects.exists()


def test_the_preview_and_the_test_send(world, signed_in, marketer, smtp):
    template = template_save(
        by=marketer,
        name="T",
        subject_es="Hola {{ first_name }}",
        body_es="{% if 'CARD-CR' in products %}Con{% else %}Sin{% endif %} tarjeta",
        subject_en="Hi {{ first_name }}",
        body_en="Hello",
    )
    url = f"/marketing/templates/{template.pk}/preview/"
    bea = signed_in.post(url, {"customer_id": world["bea"].pk}).content.decode()
    assert "Hola Bea" in bea and "Con tarjeta" in bea
    luis = signed_in.post(url, {"customer_id": world["luis"].pk}).content.decode()
    assert "Hi Luis" in luis
    sent = signed_in.post(url, {"customer_id": world["ana"].pk, "action": "test"})
    assert "marta@example.com" in sent.content.decode()
    assert (
        smtp.emails[0]["Subject"].startswith("[TEST]")
        and smtp.emails[0]["To"] == "marta@example.com"
    )


def test_a_campaign_from_the_pages(
    world, signed_in, marketer, smtp, django_capture_on_commit_callbacks
):
    segment = segment_save(by=marketer, name="Sin tarjeta", rules=EXAMPLE_RULES)
    template = template_save(by=marketer, name="T", subject_es="Hola", body_es="Hola {{ name }}")
    created = signed_in.post(
        "/marketing/campaigns/new/",
        {
            "name": "Tarjeta",
            "channel": "email",
            "segment": segment.pk,
            "template": template.pk,
            "control_percent": 0,
            "budget": "500",
            "cost": "120",
        },
    )
    campaign = Campaign.objects.get()
    assert created.status_code == 302
    draft = signed_in.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    assert "2 of them consent" in draft
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(f"/marketing/campaigns/{campaign.pk}/launch/")
    report = signed_in.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    assert 'data-result="sent">2<' in report and "Ana García" in report
    answer = signed_in.post(
        f"/marketing/campaigns/{campaign.pk}/responses/",
        {"customer_id": world["ana"].pk, "note": "Llamó"},
    )
    assert answer.status_code == 302
    report = signed_in.get(f"/marketing/campaigns/{campaign.pk}/").content.decode()
    assert 'data-result="responded">1<' in report


def test_who_may_do_what(world, client):
    rep = UserFactory(username="pepe", role=Role.SALES_REP)
    client.force_login(rep)
    assert client.get("/marketing/").status_code == 200
    assert client.post("/marketing/segments/new/", {**EXAMPLE_FORM, "name": "x"}).status_code == 403
    assert client.get("/marketing/campaigns/new/").status_code == 403


def test_the_ficha_shows_the_segments_panel(world, signed_in, marketer):
    segment_save(by=marketer, name="Sin tarjeta", rules=EXAMPLE_RULES)
    page = signed_in.get(f"/customers/{world['ana'].pk}/?tab=details").content.decode()
    assert 'id="panel-segments"' in page and "Sin tarjeta" in page
