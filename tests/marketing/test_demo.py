"""The demo's marketing: the issue's example segment, a campaign sent through the real
services with a control group, so the report has figures, and a campaign on every other
channel (SMS, call list with its argumentario, direct mail exported) with its own."""

import csv
import io

import pytest

from panorama.accounts.models import User
from panorama.channels.models import Interaction, MessagingAccount, TextMessage
from panorama.marketing import selectors
from panorama.marketing.models import Campaign, Journey, Recipient, Segment
from panorama.marketing.services.directmail import direct_mail_export
from panorama.sales.models import Lead
from panorama.seeding.marketing_demo import EXAMPLE_NAME, marketing_demo_ensure
from panorama.seeding.staff import staff_ensure
from tests.factories import AddressFactory, IdentityFactory

from .conftest import person

pytestmark = pytest.mark.django_db


def test_the_demo_campaign_has_results_and_a_control_group(world):
    for n in range(120):
        person(f"Cliente D{n}", email_address=f"d{n}@example.com")
    staff_ensure()  # the marketer who exports the letters, the agent who calls
    for n in range(45):  # card holders: outside the e-mail's segment, in the pilots
        holder = person(f"Titular T{n}", card=True, email_address=f"t{n}@example.com")
        IdentityFactory(customer=holder, kind="phone", value=f"+3461100{n:04d}", is_primary=True)
        AddressFactory(customer=holder, is_primary=True)
    campaign = marketing_demo_ensure(pilot=15)
    assert campaign is not None and campaign.status == "sent"
    assert Segment.objects.filter(name=EXAMPLE_NAME).exists()
    results = selectors.campaign_results(campaign=campaign)
    assert results.control.members > 0 and results.sent > 0 and results.opened > 0
    assert results.roi is not None and results.uplift is not None
    assert Lead.objects.filter(data__campaign_id=campaign.pk).count() == results.responded
    # A running welcome journey with customers in it, and its list's sign-up form.
    journey = Journey.objects.get(status="active")
    assert journey.steps.count() == 5 and journey.trigger_list.signup_forms.exists()
    branch = journey.steps.get(kind="branch")
    assert {s.path: s.kind for s in branch.children.all()} == {"yes": "task", "no": "send"}
    # The nested segment and the template's conditions on segment and consent.
    nested = Segment.objects.get(name__contains="con grupo")
    assert selectors.segment_count(user=None, rules=nested.rules) == selectors.segment_count(
        user=None, rules=Segment.objects.get(name=EXAMPLE_NAME).rules
    )
    assert '"Familias con hipoteca" in segments' in campaign.template.body_es
    waiting = journey.enrolments.filter(status="active")
    assert waiting.count() == 6 and all(e.step.kind == "send" for e in waiting)
    assert marketing_demo_ensure() is None  # once
    # It ran four months ago: its customers are in the example segment again.
    example = Segment.objects.get(name=EXAMPLE_NAME)
    everyone = results.target.members + results.control.members
    assert selectors.segment_count(user=None, rules=example.rules) == everyone

    # Every other channel has its campaign, with figures.
    by_channel = {c.channel: c for c in Campaign.objects.exclude(pk=campaign.pk)}
    assert set(by_channel) == {"sms", "call_list", "direct_mail"}

    sms = by_channel["sms"]
    texted = selectors.campaign_results(campaign=sms)
    assert sms.status == "sent" and texted.sent > 0 and texted.converted > 0
    assert TextMessage.objects.filter(status="queued").count() == texted.sent
    assert not MessagingAccount.objects.get(pk=sms.sms_account_id).active  # paused again

    calls = by_channel["call_list"]
    assert calls.script.title == "Seguro de hogar para clientes de cuenta"
    assert len(calls.script.objections) == 3
    called = selectors.campaign_results(campaign=calls)
    assert calls.status == "sending" and called.called > 0 and called.pending > 0  # still open
    outcomes = set(calls.recipients.exclude(call_outcome="").values_list("call_outcome", flat=True))
    assert len(outcomes) >= 3
    assert Interaction.objects.filter(channel="phone", related_id__isnull=False).count() >= (
        called.called
    )
    interested = calls.recipients.filter(call_outcome="interested")
    assert interested.filter(lead_id__isnull=False).count() == interested.count()

    mail = by_channel["direct_mail"]
    posted = selectors.campaign_results(campaign=mail)
    assert mail.status == "sent" and posted.exported > 0 and posted.roi is not None
    marketer = User.objects.get(username="marketing")
    _name, content = direct_mail_export(by=marketer, campaign=mail)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) - 1 == posted.exported  # the same letters, nothing ledgered twice
    assert Recipient.objects.filter(campaign=mail, status="exported").count() == posted.exported
    # The pilots kept out of the e-mail's audience: the example segment is intact.
    assert selectors.segment_count(user=None, rules=example.rules) == everyone
