"""Conditional blocks by segment, consent and product held: refused at save when they name
what does not exist, shown in the preview and the test send for a chosen customer, and
evaluated per recipient at send time for a whole batch at once (one query per segment and
per consent the template tests, whatever the batch's size)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.core.exceptions import ValidationFailed
from panorama.marketing import messages
from panorama.marketing.models import Segment
from panorama.marketing.services.campaigns import campaign_launch, campaign_save
from panorama.marketing.services.segments import list_create
from panorama.marketing.services.sending import campaign_send, customer_context
from panorama.marketing.services.templates import template_preview, template_save
from tests.factories import ConsentFactory

from .conftest import EXAMPLE_RULES, person

pytestmark = pytest.mark.django_db

BODY = (
    "{% if 'Sin tarjeta' in segments %}Pide tu tarjeta."
    "{% else %}Gracias por ser cliente.{% endif %}"
    "{% if 'profiling:sms' in consents %} [perfil]{% endif %}"
    "{% if 'CARD-CR' not in products %} Sin tarjeta aún.{% endif %}"
)


@pytest.fixture
def no_card(db):
    return Segment.objects.create(name="Sin tarjeta", rules=EXAMPLE_RULES)


def save(by, body):
    return template_save(by=by, name="T", subject_es="Hola {{ first_name }}", body_es=body)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("{% if 'Nadie' in segments %}x{% endif %}", "Nadie"),
        ("{% if 'marketing:fax' in consents %}x{% endif %}", "marketing:fax"),
        ("{% if 'spam' in consents %}x{% endif %}", "spam"),
        ("{% if 'NO-SUCH' in products %}x{% endif %}", "NO-SUCH"),
        ("{% if first_name in segments %}x{% endif %}", "quotes"),
    ],
)
def test_a_condition_naming_nothing_known_is_refused_at_save(world, marketer, no_card, body, named):
    with pytest.raises(ValidationFailed) as caught:
        save(marketer, body)
    assert caught.value.field == "body_es"
    assert named in str(caught.value.message)


def test_the_api_refuses_an_unknown_segment_with_a_422_naming_it(api_as, marketer, world):
    answer = api_as(marketer).post(
        "/api/v1/marketing/templates",
        {
            "name": "T",
            "subject_es": "Hola",
            "body_es": "{% if 'Oro' in segments %}x{% endif %}",
        },
    )
    assert answer.status_code == 422
    assert "Oro" in str(answer.json()) and "body_es" in answer.json()["errors"]


def test_two_segments_with_the_name_are_refused(world, marketer, no_card):
    Segment.objects.create(name="Sin tarjeta", rules={"op": "and", "rules": []})
    with pytest.raises(ValidationFailed, match="rename"):
        save(marketer, BODY)


def test_the_preview_shows_each_customer_his_blocks(world, marketer, no_card):
    ConsentFactory(customer=world["ana"], purpose="profiling", channel="any")
    template = save(marketer, BODY)

    ana = template_preview(by=marketer, template=template, customer_id=world["ana"].pk)
    bea = template_preview(by=marketer, template=template, customer_id=world["bea"].pk)

    # Ana: in the segment, consents to profiling on any channel (so on SMS), no card.
    assert ana.body == "Pide tu tarjeta. [perfil] Sin tarjeta aún."
    # Bea holds a card: not in the segment, no profiling consent.
    assert bea.body == "Gracias por ser cliente."


def test_the_test_send_carries_the_customers_blocks(api_as, smtp, world, marketer, no_card):
    template = save(marketer, BODY)
    answer = api_as(marketer).post(
        f"/api/v1/marketing/templates/{template.pk}/test-send", {"customer_id": world["ana"].pk}
    )
    assert answer.status_code == 200
    body = smtp.to("marta@example.com")[0].get_body(("plain",)).get_content()
    assert "Pide tu tarjeta." in body and "Sin tarjeta aún." in body


def _queries(ids, compiled) -> int:
    with CaptureQueriesContext(connection) as queries:
        customer_context(ids, compiled=[compiled])
    return len(queries)


def test_a_batch_costs_one_query_per_segment_and_consent_whatever_its_size(
    world, marketer, no_card
):
    Segment.objects.create(name="Todos", rules={"op": "and", "rules": []})
    body = BODY + "{% if 'Todos' in segments %}.{% endif %}"
    compiled = messages.Compiled(save(marketer, body))
    few = [world["ana"].pk, world["bea"].pk]
    many = [person(f"Cliente N{n}").pk for n in range(12)] + few

    # 3 for the merge fields, 1 for the custom field catalogue, 2 segments, 1 consent.
    assert _queries(few, compiled) == _queries(many, compiled) == 7
    contexts = customer_context(many, compiled=[compiled])
    assert contexts[world["ana"].pk]["segments"] == ["Sin tarjeta", "Todos"]
    assert contexts[world["bea"].pk]["segments"] == ["Todos"]


def test_a_campaign_sends_each_recipient_his_blocks(smtp, world, marketer, no_card):
    group = list_create(by=marketer, name="L", customer_ids=[world["ana"].pk, world["bea"].pk])
    campaign = campaign_save(
        by=marketer,
        changes={
            "name": "Oro",
            "static_list": group,
            "template": save(marketer, BODY),
            "control_percent": 0,
        },
    )
    campaign_launch(by=marketer, campaign=campaign)
    campaign_send(campaign_id=campaign.pk, rate=0)

    def text(address):
        return smtp.to(address)[0].get_body(("plain",)).get_content()

    assert text("ana@example.com").startswith("Pide tu tarjeta.")
    assert text("bea@example.com").startswith("Gracias por ser cliente.")
