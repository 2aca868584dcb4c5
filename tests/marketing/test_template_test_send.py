"""The test send of a message through the API: the same service as the page, through the
real SMTP server (tests/smtp.py); a bad address is a 422 naming the field, nothing sent."""

import pytest

from panorama.accounts.models import Role
from panorama.marketing.services.templates import template_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(marketer):
    return template_save(
        by=marketer,
        name="T",
        subject_es="Hola {{ first_name }}",
        body_es="Una oferta para ti.",
        subject_en="Hi {{ first_name }}",
        body_en="An offer for you.",
    )


def test_the_api_sends_a_test_of_the_message(api_as, smtp, marketer, world, template):
    api = api_as(marketer)
    url = f"/api/v1/marketing/templates/{template.pk}/test-send"
    # To the user's own address by default, as Luis (English) would get it.
    own = api.post(url, {"customer_id": world["luis"].pk})
    assert own.status_code == 200 and own.json() == {"sent_to": "marta@example.com"}
    mail = smtp.to("marta@example.com")[0]
    assert mail["Subject"] == "[TEST] Hi Luis"
    other = api.post(url, {"customer_id": world["ana"].pk, "to": "jefa@example.com"})
    assert other.status_code == 200 and smtp.to("jefa@example.com")[0]["Subject"].endswith(
        "Hola Ana"
    )


@pytest.mark.parametrize(
    "address", ["no es un correo", "a@b@example.com", "ana@example.com\nBcc: x@example.com"]
)
def test_a_bad_address_is_a_422_and_nothing_is_sent(
    api_as, smtp, marketer, world, template, address
):
    answer = api_as(marketer).post(
        f"/api/v1/marketing/templates/{template.pk}/test-send",
        {"customer_id": world["ana"].pk, "to": address},
    )
    assert answer.status_code == 422 and "to" in answer.json()["errors"]
    assert smtp.emails == []


def test_who_may_send_a_test(api_as, smtp, marketer, world, template):
    rep = UserFactory(username="pepe", role=Role.SALES_REP, email="pepe@example.com")
    answer = api_as(rep).post(
        f"/api/v1/marketing/templates/{template.pk}/test-send", {"customer_id": world["ana"].pk}
    )
    assert answer.status_code == 403 and smtp.emails == []
    missing = api_as(marketer).post(
        "/api/v1/marketing/templates/999999/test-send", {"customer_id": world["ana"].pk}
    )
    assert missing.status_code == 404
