"""Logging a call, note or e-mail from the ficha."""

import pytest

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from tests.factories import CustomerFactory, InteractionFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", role=Role.SERVICE_AGENT)


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def _url(customer):
    return f"/channels/customers/{customer.pk}/interactions/"


def test_a_logged_call_comes_back_on_top_of_the_timeline(signed_in, agent):
    customer = CustomerFactory()
    InteractionFactory(customer=customer, subject="Older contact")
    response = signed_in.post(
        _url(customer),
        {
            "channel": "phone",
            "direction": "outbound",
            "subject": "Renewal call",
            "body": "Wants a better rate",
            "outcome": "call back Monday",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.index("Renewal call") < html.index("Older contact")
    assert "call back Monday" in html
    logged = Interaction.objects.get(subject="Renewal call")
    assert (logged.customer, logged.agent, logged.channel, logged.direction) == (
        customer,
        agent,
        "phone",
        "outbound",
    )
    # The form comes back blank for the next contact.
    assert 'value="Renewal call"' not in html


def test_an_empty_subject_is_shown_inline_and_nothing_is_written(signed_in):
    customer = CustomerFactory()
    response = signed_in.post(
        _url(customer),
        {"channel": "note", "direction": "internal", "subject": "  ", "outcome": "kept"},
        headers=HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "A contact needs a subject." in html
    assert 'value="kept"' in html  # what was typed is kept
    assert not Interaction.objects.exists()


def test_an_unknown_channel_is_refused(signed_in):
    customer = CustomerFactory()
    response = signed_in.post(
        _url(customer),
        {"channel": "pigeon", "direction": "inbound", "subject": "x"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert not Interaction.objects.exists()


def test_a_sales_rep_cannot_log_on_a_customer_outside_his_scope(client, rep):
    client.force_login(rep)
    response = client.post(
        _url(CustomerFactory()),
        {"channel": "phone", "direction": "inbound", "subject": "x"},
        headers=HTMX,
    )
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_an_analyst_reads_but_cannot_log(client):
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    response = client.post(
        _url(CustomerFactory()),
        {"channel": "phone", "direction": "inbound", "subject": "x"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "can read contacts but not record them" in response.content.decode()
    assert not Interaction.objects.exists()


def test_without_javascript_the_form_posts_and_goes_back_to_the_ficha(signed_in):
    customer = CustomerFactory()
    response = signed_in.post(
        _url(customer), {"channel": "phone", "direction": "inbound", "subject": "Plain post"}
    )
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert Interaction.objects.filter(subject="Plain post").exists()
    response = signed_in.post(_url(customer), {"channel": "phone", "direction": "inbound"})
    assert "A contact needs a subject." in signed_in.get(response["Location"]).content.decode()


def test_logging_needs_a_post(signed_in):
    assert signed_in.get(_url(CustomerFactory())).status_code == 405
