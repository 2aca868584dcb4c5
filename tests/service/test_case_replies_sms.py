"""A case that came by SMS is answered by SMS, through the channels' SMS adapter and a
local provider (the reference HTTP API of docs/messaging.md, started here); a refusal
is kept on the reply."""

import pytest

from panorama.accounts.models import Role
from panorama.channels.models import MessagingAccount, TextMessage
from panorama.channels.sms.services import messaging_account_save
from panorama.service.models import CaseMessage
from panorama.service.services.case import case_message_add, case_open
from tests.channels.test_messaging import KEY, provider  # noqa: F401 (a fixture)

from ..factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(provider):  # noqa: F811 (the fixture imported above)
    url, received = provider
    account = messaging_account_save(
        by=None,
        account=MessagingAccount(name="SMS", number="+34600100200", api_url=url),
        api_key=KEY,
    )
    luis = CustomerFactory(display_name="Luis Pardo")
    IdentityFactory(customer=luis, kind="phone", value="+34611222333", is_primary=True)
    IdentityFactory(customer=luis, kind="email", value="luis@example.com")
    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT)
    return account, luis, agent, received


def test_an_sms_case_is_answered_by_sms_not_by_email(desk):
    account, luis, agent, received = desk
    case = case_open(by=agent, customer_id=luis.pk, subject="Sin cobertura", channel="sms")
    reply = case_message_add(by=agent, case_id=case.pk, body="Reiniciamos su línea.")
    reply.refresh_from_db()
    assert reply.delivery == "sent" and reply.sent_mail is None
    assert [(m["to"], m["body"]) for m in received] == [("+34611222333", "Reiniciamos su línea.")]
    sms = TextMessage.objects.get(direction="outbound")
    assert reply.interaction == sms.interaction and reply.interaction.channel == "sms"
    note = case_message_add(by=agent, case_id=case.pk, body="Interno", kind="note")
    note.refresh_from_db()
    assert note.delivery == "" and len(received) == 1


def test_a_refused_sms_is_kept_on_the_reply(desk):
    _account, luis, agent, received = desk
    luis.identities.filter(kind="phone").update(value="+34611222000")  # the provider refuses
    case = case_open(by=agent, customer_id=luis.pk, subject="Sin cobertura", channel="sms")
    reply = case_message_add(by=agent, case_id=case.pk, body="Hola")
    reply = CaseMessage.objects.get(pk=reply.pk)
    assert reply.delivery == "failed" and "number not reachable" in reply.delivery_error
    assert TextMessage.objects.get().status == "failed" and not received
