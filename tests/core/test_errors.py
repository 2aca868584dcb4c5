"""Domain errors reach the user as HTTP answers from one place (core.middleware), for
every HTML view; every answer says it varies on HX-Request."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.middleware import DomainErrorMiddleware
from panorama.customers.models import DuplicateCandidate
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_a_customer_out_of_sight_is_a_404_page_that_says_so(client, rep):
    hidden = CustomerFactory()
    client.force_login(rep)

    response = client.get(reverse("customers:detail", args=[hidden.pk]))

    assert response.status_code == 404
    html = response.content.decode()
    assert f"Customer {hidden.pk} does not exist or is not visible to you." in html
    assert 'aria-label="Main"' in html  # the whole page, with the navbar


def test_a_forbidden_action_is_a_403_page_with_the_reason(client):
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))

    response = client.post(reverse("customers:duplicates_scan"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Scanning for duplicates is not part of your role" in html
    assert "Not allowed" in html and 'aria-label="Main"' in html


def test_htmx_gets_the_reason_as_an_alert_not_a_page(client, admin_user):
    a, b = sorted([CustomerFactory(), CustomerFactory()], key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(customer_a=a, customer_b=b, score=0.9)
    client.force_login(admin_user)
    gone = candidate.pk
    candidate.delete()  # someone else dealt with the pair meanwhile

    response = client.post(reverse("customers:duplicate_dismiss", args=[gone]), headers=HTMX)

    assert response.status_code == 404
    html = response.content.decode()
    assert "<html" not in html and 'role="alert"' in html
    assert f"Possible duplicate {gone} does not exist or is not visible to you." in html


@pytest.mark.parametrize(
    "error, status", [(ValidationFailed("No good."), 422), (Conflict("Already done."), 409)]
)
def test_any_other_domain_error_answers_its_status_with_its_message(admin_user, error, status):
    request = RequestFactory().get("/customers/")
    request.user = admin_user
    request.htmx = False

    response = DomainErrorMiddleware(lambda r: None).process_exception(request, error)

    assert response.status_code == status
    assert str(error.message) in response.content.decode()


def test_an_error_that_is_not_a_domain_error_is_left_to_django(admin_user):
    request = RequestFactory().get("/customers/")
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, KeyError()) is None


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_list_says_it_varies_on_hx_request(client, admin_user, headers):
    client.force_login(admin_user)
    response = client.get(reverse("customers:list") + "?q=ana", headers=headers)
    assert response.status_code == 200
    assert "HX-Request" in [v.strip() for v in response["Vary"].split(",")]
