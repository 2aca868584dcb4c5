"""Self-service beside the cases: "call me back" through the service app's callback
service (source portal, his phone unless he gives another) and the help centre's public
articles in his language."""

import datetime

import pytest
from django.utils import timezone

from panorama.service.models import CallbackRequest
from panorama.service.services.knowledge import article_create, article_publish
from tests.factories import CustomerFactory, IdentityFactory

from .test_views import _signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana():
    customer = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=customer, kind="phone", value="+34600111222", is_primary=True)
    return customer


def test_he_asks_to_be_called_back_on_his_phone(client, ana, emitted):
    _signed_in(client, ana)

    with emitted() as events:
        response = client.post("/portal/callback/", {"reason": "Dudas con la factura"})

    assert response["Location"] == "/portal/"
    callback = CallbackRequest.objects.get()
    assert (callback.customer, callback.phone, callback.source) == (ana, "+34600111222", "portal")
    assert callback.reason == "Dudas con la factura"
    assert "callback.requested" in {name for name, _payload in events}
    assert "we will call you back" in client.get("/portal/").content.decode()


def test_a_window_in_the_past_or_a_bad_phone_is_refused_in_place(client, ana):
    _signed_in(client, ana)
    yesterday = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    late = client.post("/portal/callback/", {"when": yesterday})
    bad = client.post("/portal/callback/", {"phone": "llámame"})

    assert late.status_code == bad.status_code == 422
    assert "The window is already over." in late.content.decode()
    assert "llámame" in bad.content.decode()
    assert not CallbackRequest.objects.exists()


def test_a_phone_too_long_or_a_time_that_is_no_date_is_refused_not_replaced(client, ana):
    """A value the form could not take never reaches the service as "not given": the
    phone on file is not used instead of a long number he typed."""
    _signed_in(client, ana)

    long_phone = client.post("/portal/callback/", {"phone": "6" * 41})
    no_date = client.post("/portal/callback/", {"when": "mañana por la tarde"})

    assert long_phone.status_code == no_date.status_code == 422
    assert "Enter a valid date/time." in no_date.content.decode()
    assert not CallbackRequest.objects.exists()


def test_the_faq_lists_the_public_articles_in_his_language(client, ana):
    for title, visibility, language in (
        ("How to download your invoice", "public", "en"),
        ("Internal refund steps", "internal", "en"),
        ("Cómo descargar tu factura", "public", "es"),
    ):
        article = article_create(
            by=None, title=title, body="…", visibility=visibility, language=language
        )
        article_publish(by=None, article_id=article.pk)
    _signed_in(client, ana)

    page = client.get("/portal/help/").content.decode()

    assert "How to download your invoice" in page
    assert "Internal refund steps" not in page
    assert "Cómo descargar tu factura" not in page
    client.cookies["django_language"] = "es"
    assert "Cómo descargar tu factura" in client.get("/portal/help/").content.decode()
