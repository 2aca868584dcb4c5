"""Message templates: merge fields and conditional blocks, checked at save with the
field named; rendered in the customer's language."""

import pytest

from panorama.core.exceptions import PermissionDenied, ValidationFailed
from panorama.marketing.services.templates import template_preview, template_save
from tests.factories import CustomFieldDefinitionFactory, UserFactory

pytestmark = pytest.mark.django_db


def save(by, **texts):
    base = {"name": "T", "subject_es": "Hola", "body_es": "Hola"}
    return template_save(by=by, **(base | texts))


@pytest.mark.parametrize(
    ("texts", "field", "words"),
    [
        ({"body_es": "Hola {{ nombre }}"}, "body_es", "nombre"),
        ({"subject_es": "Hola {{ first_name|safe }}"}, "subject_es", "safe"),
        ({"body_es": "{% load static %}"}, "body_es", "static"),
        ({"body_es": "{% include 'x.html' %}"}, "body_es", "include"),
        ({"body_es": "{% if x in products %}a{% endif %}"}, "body_es", "x"),
        ({"body_es": "{% if 'A' in products %}a"}, "body_es", "parse"),
        ({"body_es": "{{ custom.nivel }}"}, "body_es", "custom.nivel"),
        ({"subject_en": "Hi", "body_en": "Hi {{ fist_name }}"}, "body_en", "fist_name"),
        ({"subject_en": "Hi"}, "body_en", "English"),
    ],
)
def test_a_broken_template_is_refused_naming_the_field(marketer, texts, field, words):
    with pytest.raises(ValidationFailed) as caught:
        save(marketer, **texts)
    assert caught.value.field == field
    assert words in str(caught.value.message)


def test_merge_fields_conditions_and_the_language(world, marketer):
    CustomFieldDefinitionFactory(key="nivel", type="text")
    world["bea"].custom_fields = {"nivel": "oro"}
    world["bea"].save()
    template = save(
        marketer,
        subject_es="{{ first_name }}, una oferta",
        body_es="Nivel {{ custom.nivel|default:'básico' }}. "
        "{% if 'CARD-CR' in products %}Ya tienes tarjeta.{% else %}Pide tu tarjeta.{% endif %}",
        subject_en="{{ first_name|upper }}, an offer",
        body_en="{% if 'Cuentas' in categories %}Your account{% endif %}",
    )
    bea = template_preview(by=marketer, template=template, customer_id=world["bea"].pk)
    assert (bea.subject, bea.body) == ("Bea, una oferta", "Nivel oro. Ya tienes tarjeta.")
    ana = template_preview(by=marketer, template=template, customer_id=world["ana"].pk)
    assert ana.body == "Nivel básico. Pide tu tarjeta."
    luis = template_preview(by=marketer, template=template, customer_id=world["luis"].pk)
    assert (luis.language, luis.subject, luis.body) == ("en", "LUIS, an offer", "Your account")


def test_a_subject_stays_on_one_line(world, marketer):
    template = save(marketer, subject_es="Hola\n{{ first_name }}\r\nBcc: x@example.com")
    rendered = template_preview(by=marketer, template=template, customer_id=world["ana"].pk)
    assert "\n" not in rendered.subject and "\r" not in rendered.subject


def test_only_marketing_writes_messages(world):
    from panorama.accounts.models import Role

    with pytest.raises(PermissionDenied):
        save(UserFactory(username="rep2", role=Role.SALES_REP))
