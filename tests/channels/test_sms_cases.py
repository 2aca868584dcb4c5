"""SMS to case: the customer's text, through the provider's signed webhook, lands on the
open case an agent last answered by SMS on that thread (the local reference provider of
test_messaging.py answers the agent's replies)."""

import django.test
import pytest

from panorama.accounts.models import Role
from panorama.channels.models import Interaction, MessagingAccount, TextMessage
from panorama.channels.sms.services import messaging_account_save
from panorama.service.models import Case, CaseMessage
from panorama.service.services.case import case_message_add, case_open, case_set_status
from tests.channels.test_messaging import KEY, post_webhook, provider  # noqa: F401 (fixture)
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(provider):  # noqa: F811 (the fixture imported above)
    url, _received = provider
    account = messaging_account_save(
        by=None,
        account=MessagingAccount(name="SMS", number="+34600100200", api_url=url),
        api_key=KEY,
    )
    luis = CustomerFactory(display_name="Luis Pardo")
    IdentityFactory(customer=luis, kind="phone", value="+34611222333", is_primary=True)
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    return account, luis, agent


def answered(agent, luis, subject: str, body: str = "¿Sigue sin línea?") -> Case:
    """A case opened from an SMS and answered by SMS (sent after the reply's commit)."""
    case = case_open(by=agent, customer_id=luis.pk, subject=subject, channel="sms")
    with django.test.TestCase.captureOnCommitCallbacks(execute=True):
        reply = case_message_add(by=agent, case_id=case.pk, body=body)
    reply.refresh_from_db()
    assert reply.delivery == "sent"
    return case


def text(client, account, ident: str, body: str, number: str = "611 22 23 33"):
    r = post_webhook(
        client, account, {"type": "message", "id": ident, "from": number, "body": body}
    )
    assert r.status_code == 201, r.content
    return TextMessage.objects.get(provider_id=ident)


def customer_messages(case: Case) -> list[str]:
    return list(case.messages.filter(kind="customer").values_list("body", flat=True))


def test_his_answer_lands_on_the_waiting_case_and_opens_it_again(client, desk):
    account, luis, agent = desk
    case = answered(agent, luis, "Sin cobertura")
    case_set_status(by=agent, case_id=case.pk, status="waiting")

    sms = text(client, account, "in-1", "Sí, desde ayer")

    case.refresh_from_db()
    assert case.status == "open"
    message = CaseMessage.objects.get(case=case, kind="customer")
    assert message.body == "Sí, desde ayer" and message.interaction == sms.interaction
    # One entry on his timeline for the text, the one the case links to.
    assert sms.interaction.channel == "sms" and sms.interaction.direction == "inbound"
    assert not Interaction.objects.filter(customer=luis, metadata__kind="case_message").exclude(
        direction="outbound"
    )
    # A retry by the provider adds nothing to the case.
    post_webhook(
        client,
        account,
        {"type": "message", "id": "in-1", "from": "611 22 23 33", "body": "Sí, desde ayer"},
    )
    assert customer_messages(case) == ["Sí, desde ayer"]


def test_the_case_answered_last_by_sms_takes_it_and_a_closed_one_never(client, desk):
    account, luis, agent = desk
    first = answered(agent, luis, "Factura")
    second = answered(agent, luis, "Router")

    text(client, account, "in-1", "El router parpadea")
    assert customer_messages(second) == ["El router parpadea"]
    assert customer_messages(first) == []

    case_set_status(by=agent, case_id=second.pk, status="closed")
    text(client, account, "in-2", "¿Y la factura?")
    assert customer_messages(first) == ["¿Y la factura?"]
    assert customer_messages(second) == ["El router parpadea"]


def test_a_resolved_case_is_reopened_by_his_answer(client, desk):
    account, luis, agent = desk
    case = answered(agent, luis, "Sin cobertura")
    case_set_status(by=agent, case_id=case.pk, status="resolved")

    text(client, account, "in-1", "Sigue igual")

    case.refresh_from_db()
    assert case.status == "reopened" and customer_messages(case) == ["Sigue igual"]


def test_without_a_case_answered_on_that_thread_the_text_stays_on_the_timeline(client, desk):
    account, luis, agent = desk
    never_answered = case_open(by=agent, customer_id=luis.pk, subject="Alta", channel="sms")
    by_phone = case_open(by=agent, customer_id=luis.pk, subject="Baja", channel="phone")
    case_message_add(by=agent, case_id=by_phone.pk, body="Le llamamos")
    # A second number of his: the thread is the account and the number he wrote from.
    IdentityFactory(customer=luis, kind="phone", value="+34622333444")
    answered(agent, luis, "Router")

    sms = text(client, account, "in-1", "Hola", number="+34622333444")

    assert sms.customer == luis and sms.interaction.channel == "sms"
    assert not CaseMessage.objects.filter(kind="customer").exists()
    assert {never_answered.status, by_phone.status} == {"new"}


def test_his_answer_from_a_number_linked_later_lands_on_the_case(client, api_as, desk):
    """The family phone: two customers have the number, so his text waits with the
    unknown numbers; linked to him, it lands on the case answered on that thread, as
    it would have on arrival (oldest first), and the number list empties."""
    account, luis, agent = desk
    case = answered(agent, luis, "Sin cobertura")
    case_set_status(by=agent, case_id=case.pk, status="waiting")
    IdentityFactory(customer=CustomerFactory(), kind="phone", value="+34611222333")
    first = text(client, account, "in-1", "Sí, desde ayer")
    text(client, account, "in-2", "Y hoy tampoco")
    assert first.status == "unknown" and customer_messages(case) == []

    # Who may not see Luis cannot give him the texts: 404, nothing lands.
    outsider = UserFactory(username="jefe", role=Role.SALES_MANAGER)
    link = {"number": "+34611222333", "customer_id": luis.pk, "remember": False}
    assert api_as(outsider).post("/channels/unknown-numbers/link", json=link).status_code == 404
    assert customer_messages(case) == []

    assert api_as(agent).post("/channels/unknown-numbers/link", json=link).json() == {"linked": 2}
    case.refresh_from_db()
    assert customer_messages(case) == ["Sí, desde ayer", "Y hoy tampoco"]
    assert case.status == "open"  # his answer ends the wait, as on arrival
    first.refresh_from_db()
    assert case.messages.get(body="Sí, desde ayer").interaction == first.interaction


def test_a_text_linked_later_without_a_case_on_its_thread_stays_on_the_timeline(
    client, api_as, desk
):
    account, luis, agent = desk
    case = case_open(by=agent, customer_id=luis.pk, subject="Sin respuesta aún", channel="sms")
    text(client, account, "in-1", "Hola", number="+34699000111")
    link = {"number": "+34699000111", "customer_id": luis.pk}
    assert api_as(agent).post("/channels/unknown-numbers/link", json=link).json() == {"linked": 1}
    assert customer_messages(case) == []
    assert Interaction.objects.filter(customer=luis, channel="sms", body="Hola").exists()
