"""The demo's web chat (seeding/chat_demo.py): an agent who opens Chats finds a visitor
waiting, the showcase customer's answered chat on her timeline and an offline message
turned into a callback; running the demo again adds nothing."""

import pytest

from panorama.accounts.models import Role
from panorama.automation.models import TrackedSite
from panorama.channels.models import ChatPresence, Conversation, Interaction
from panorama.seeding.chat_demo import chat_demo_ensure
from panorama.seeding.showcase import EMAIL
from panorama.service.models import CallbackRequest

from ..factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Conversation.Status


def test_the_demo_has_a_queue_a_closed_chat_on_the_timeline_and_a_callback():
    TrackedSite.objects.create(name="Web del banco", origins="http://127.0.0.1:8000")
    agent = UserFactory(username="agent", role=Role.SERVICE_AGENT)
    ana = CustomerFactory(first_name="Ana", last_name="García")
    IdentityFactory(customer=ana, kind="email", value=EMAIL)

    assert chat_demo_ensure() == 3
    by_status = {c.status: c for c in Conversation.objects.all()}
    assert set(by_status) == {S.CLOSED, S.WAITING, S.OFFLINE}
    closed = by_status[S.CLOSED]
    assert closed.customer == ana and closed.agent == agent
    on_timeline = Interaction.objects.get(customer=ana, channel=Interaction.Channel.CHAT)
    assert "2,95 %" in on_timeline.body and "Mejor que me llame mi gestor" in on_timeline.body
    assert by_status[S.WAITING].customer is None and by_status[S.WAITING].agent is None
    assert CallbackRequest.objects.filter(phone="+34611223344").exists()
    assert not ChatPresence.objects.exists()  # nobody is on line until he opens Chats

    assert chat_demo_ensure() == 0
    assert Conversation.objects.count() == 3


def test_without_a_site_or_the_agent_the_demo_writes_no_chat():
    assert chat_demo_ensure() == 0
    assert not Conversation.objects.exists()
