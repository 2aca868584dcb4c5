"""The portal in the browser's place (Django's test client): the sign-in says the same
whatever the address, the e-mailed link signs in once, the session is the portal's only
(no staff page, no API), and a customer sees and opens his own cases, never another's."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.portal.access import SESSION_KEY
from panorama.portal.models import LoginLink
from panorama.service.models import Case
from panorama.service.services.case import case_open
from tests.factories import CustomerFactory, IdentityFactory

from .helpers import link_in, sign_in_path

pytestmark = pytest.mark.django_db

LOGIN = "/portal/login/"


@pytest.fixture
def ana():
    customer = CustomerFactory(first_name="Ana", last_name="García", display_name="Ana García")
    IdentityFactory(customer=customer, value="ana@example.com")
    return customer


def _signed_in(client, customer):
    link = LoginLink.objects.create(
        customer=customer,
        email="x@example.com",
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    response = client.post(sign_in_path(link.pk))
    assert response.status_code == 302 and response["Location"] == "/portal/"
    return client


def test_the_answer_is_the_same_for_a_customers_address_and_a_strangers(
    client, ana, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(LOGIN, {"email": "ana@example.com"})
        unknown = client.post(LOGIN, {"email": "nadie@example.com"})

    assert known.status_code == unknown.status_code == 200
    strip = lambda r: r.content.decode().split('id="portal-link-sent"')[1]  # noqa: E731
    assert strip(known) == strip(unknown)
    assert "If this address belongs to one of our customers" in strip(known)
    assert len(smtp.emails) == 1 and smtp.emails[0]["To"] == "ana@example.com"


def test_a_mistyped_address_is_refused_beside_the_field(client):
    response = client.post(LOGIN, {"email": "ana(at)example"})

    assert response.status_code == 422
    assert "is not a valid e-mail address" in response.content.decode()
    assert LoginLink.objects.count() == 0


def test_too_many_requests_from_one_address_are_refused_with_a_message(client, ana, settings):
    settings.PANORAMA_WEBFORM_LIMIT = 1
    client.post(LOGIN, {"email": "nadie@example.com"})

    response = client.post(LOGIN, {"email": "ana@example.com"})

    assert response.status_code == 429
    assert "Too many submissions from your address" in response.content.decode()
    assert response["Retry-After"]
    assert LoginLink.objects.count() == 0


def test_the_mailed_link_signs_in_once_then_says_it_was_used(
    client, ana, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LOGIN, {"email": "ana@example.com"})
    path = link_in(smtp.to("ana@example.com")[0])

    shown = client.get(path)  # a mail scanner's visit uses nothing up
    assert shown.status_code == 200
    assert client.post(path)["Location"] == "/portal/"
    assert "Hello, Ana García" in client.get("/portal/").content.decode()

    client.post("/portal/logout/")
    again = client.post(path)
    assert again.status_code == 400
    assert "This sign-in link was already used" in again.content.decode()
    assert client.get("/portal/")["Location"] == LOGIN
    assert client.get(path).status_code == 400  # the button page says so too


def test_an_expired_link_is_refused_with_a_clear_message(client, ana):
    link = LoginLink.objects.create(
        customer=ana, email="ana@example.com", expires_at=timezone.now()
    )

    response = client.post(sign_in_path(link.pk))

    assert response.status_code == 400
    assert "This sign-in link has expired" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_portal_session_opens_no_staff_page_and_no_api(client, ana):
    _signed_in(client, ana)

    staff = client.get(reverse("customers:detail", args=[ana.pk]))
    assert staff.status_code == 302 and staff["Location"].startswith("/accounts/login/")
    api = client.get(f"/api/v1/customers/{ana.pk}")
    assert api.status_code == 401
    assert client.get("/portal/").status_code == 200


def test_a_stranger_is_sent_to_the_portals_sign_in_not_the_staffs(client):
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_the_session_ends_after_its_minutes(client, ana, settings):
    _signed_in(client, ana)
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "since": int(time.time()) - 121 * 60}
    session.save()

    response = client.get("/portal/")

    assert response["Location"] == f"{LOGIN}?expired=1"
    assert "Your session has ended" in client.get(response["Location"]).content.decode()


def test_he_sees_his_own_cases_and_never_anothers(client, ana, django_assert_max_num_queries):
    mine = case_open(by=None, customer_id=ana.pk, subject="Sin línea")
    done = case_open(by=None, customer_id=ana.pk, subject="Factura duplicada")
    Case.objects.filter(pk=done.pk).update(status=Case.Status.CLOSED)
    theirs = case_open(by=None, customer_id=CustomerFactory().pk, subject="Otro cliente")
    _signed_in(client, ana)

    with django_assert_max_num_queries(8):
        page = client.get("/portal/").content.decode()

    opened, closed = page.split('id="portal-closed-title"')
    assert "Sin línea" in opened and "Factura duplicada" in closed
    assert "Otro cliente" not in page
    assert client.get(f"/portal/cases/{mine.pk}/").status_code == 200
    other = client.get(f"/portal/cases/{theirs.pk}/")
    assert other.status_code == 404
    assert "Otro cliente" not in other.content.decode()


def test_he_opens_a_case_from_the_portal(client, ana, emitted):
    _signed_in(client, ana)

    with emitted() as events:
        response = client.post(
            "/portal/cases/new/",
            {"type": "incident", "subject": "Router sin luz", "description": "Desde ayer"},
        )

    case = Case.objects.get(subject="Router sin luz")
    assert response["Location"] == f"/portal/cases/{case.pk}/"
    assert (case.customer, case.channel, case.type) == (ana, "portal", "incident")
    assert "case.opened" in {name for name, _payload in events}
    assert "Desde ayer" in client.get(response["Location"]).content.decode()


def test_a_case_without_a_subject_is_refused_in_place(client, ana):
    _signed_in(client, ana)

    response = client.post("/portal/cases/new/", {"type": "question", "subject": " "})

    assert response.status_code == 422
    assert "A case needs a subject." in response.content.decode()
    assert not Case.objects.exists()


def test_a_subject_too_long_is_refused_with_the_services_message_not_taken_for_none(client, ana):
    _signed_in(client, ana)

    response = client.post("/portal/cases/new/", {"type": "question", "subject": "x" * 201})

    assert response.status_code == 422
    assert "A case needs a subject." not in response.content.decode()
    assert "200" in response.content.decode()
    assert not Case.objects.exists()


def test_every_page_speaks_spanish(client, ana):
    client.cookies["django_language"] = "es"
    assert "Envíame un enlace" in client.get(LOGIN).content.decode()
    _signed_in(client, ana)
    assert "Tus casos abiertos" in client.get("/portal/").content.decode()
