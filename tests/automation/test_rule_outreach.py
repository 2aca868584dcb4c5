"""The rule actions that reach marketing, as the outbox runs them: "enrol in a journey"
enrols the customer once (a redelivery, a second event: no second enrolment) through
marketing's own enrolment; "e-mail a template" goes through the real SMTP server only
with a consent to marketing e-mail at that moment, else the run says why it was not sent.
Both are checked at save (an unknown journey or template is named) and offered on the
rule page. The rule's e-mail carries a one-click unsubscribe link (RFC 8058 headers and
the footer) that withdraws the consent, after which the rule sends nothing."""

import re

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.automation.models import RuleRun
from panorama.automation.services.rules import rule_save
from panorama.channels.models import Interaction
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Consent
from panorama.customers.services.relations import consent_record
from panorama.marketing.models import Enrolment
from panorama.marketing.services import journeys as svc
from panorama.marketing.services.templates import template_save

from ..factories import ConsentFactory, IdentityFactory, UserFactory
from .conftest import MORTGAGE_RULE
from .test_rule_actions import redeliver
from .test_rules import simulate

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(db):
    return UserFactory(username="marta", role=Role.MARKETING)


@pytest.fixture
def template(marketer):
    return template_save(
        by=marketer,
        name="Hipotecas",
        subject_es="Su hipoteca, {{ first_name }}",
        body_es="Hablemos de su hipoteca.",
        subject_en="Your mortgage",
        body_en="Let us talk.",
    )


@pytest.fixture
def journey(marketer, template):
    journey = svc.journey_save(
        by=marketer, name="Hipoteca", trigger="event", trigger_event="customer.created"
    )
    svc.step_add(by=marketer, journey=journey, kind="send", config={"template": template.pk})
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    return journey


def rule_with(admin_user, action):
    return rule_save(by=admin_user, data={**MORTGAGE_RULE, "actions": [action]})


def test_the_rule_enrols_the_customer_in_the_journey_once(
    site, customer, admin_user, journey, dispatch
):
    rule = rule_with(admin_user, {"type": "enrol_journey", "journey": journey.pk})
    simulate(site, customer)
    dispatch()
    [enrolment] = Enrolment.objects.filter(customer=customer)
    assert enrolment.journey == journey and enrolment.status == "active"
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.error == "" and run.actions_done == [f"Enrolled in journey {journey.pk}"]
    redeliver(dispatch)
    simulate(site, customer)  # a second simulation: matched again, not enrolled again
    dispatch()
    assert Enrolment.objects.filter(customer=customer).count() == 1
    last = RuleRun.objects.filter(rule=rule).order_by("-id").first()
    assert "already in it" in last.actions_done[0]


def test_an_unknown_or_inactive_journey_is_refused_at_save(admin_user, journey, marketer):
    with pytest.raises(ValidationFailed) as refused:
        rule_with(admin_user, {"type": "enrol_journey", "journey": journey.pk + 99})
    assert "enrol_journey" in str(refused.value.message)
    assert str(journey.pk + 99) in str(refused.value.message)
    svc.journey_set_status(by=marketer, journey=journey, status="paused")
    with pytest.raises(ValidationFailed, match="not an active journey"):
        rule_with(admin_user, {"type": "enrol_journey", "journey": journey.pk})
    with pytest.raises(ValidationFailed, match="send_email"):
        rule_with(admin_user, {"type": "send_email", "template": 9999})


def test_the_email_goes_with_consent_and_is_on_the_timeline(
    smtp, site, customer, admin_user, template, dispatch
):
    IdentityFactory(customer=customer, kind="email", value="lucia@example.com", is_primary=True)
    ConsentFactory(customer=customer, granted=True)
    rule = rule_with(admin_user, {"type": "send_email", "template": template.pk})
    simulate(site, customer)
    dispatch()
    [mail] = smtp.to("lucia@example.com")
    assert mail["Subject"] == "Su hipoteca, Lucía"
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.actions_done == ["“Hipotecas” sent to lucia@example.com"]
    shown = Interaction.objects.get(customer=customer, channel="email", direction="outbound")
    assert shown.subject == "Su hipoteca, Lucía" and "Mortgage simulation" in shown.body
    redeliver(dispatch)
    assert len(smtp.to("lucia@example.com")) == 1


def test_without_consent_at_send_time_nothing_goes_and_the_run_says_why(
    smtp, site, customer, admin_user, template, dispatch
):
    IdentityFactory(customer=customer, kind="email", value="lucia@example.com", is_primary=True)
    ConsentFactory(customer=customer, granted=True)
    rule = rule_with(admin_user, {"type": "send_email", "template": template.pk})
    consent_record(customer=customer, purpose="marketing", channel="email", granted=False, by=None)
    simulate(site, customer)
    dispatch()
    assert smtp.messages == []
    [run] = RuleRun.objects.filter(rule=rule)
    assert run.error == ""
    assert run.actions_done == ["“Hipotecas” not sent: no consent to marketing e-mail"]
    assert not Interaction.objects.filter(customer=customer, channel="email").exists()


def test_the_rule_email_has_a_one_click_unsubscribe_link_that_withdraws_the_consent(
    client, smtp, site, customer, admin_user, template, dispatch
):
    IdentityFactory(customer=customer, kind="email", value="lucia@example.com", is_primary=True)
    ConsentFactory(customer=customer, granted=True)
    rule = rule_with(admin_user, {"type": "send_email", "template": template.pk})
    simulate(site, customer)
    dispatch()
    [mail] = smtp.to("lucia@example.com")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = re.fullmatch(
        r"<(https?://[^/]+)(/marketing/cu/\S+/)>", mail["List-Unsubscribe"].strip()
    )
    site_url, link = header.groups()
    body = mail.get_body(("plain",)).get_content()
    assert f"Para dejar de recibir estos correos: {site_url}{link}" in body
    assert link in mail.get_body(("html",)).get_content()
    page = client.get(link)  # a link scanner's GET: a button, the consent kept
    assert page.status_code == 200 and b'method="post"' in page.content
    assert Consent.objects.filter(customer=customer, granted=True).exists()
    done = client.post(link, {"List-Unsubscribe": "One-Click"})  # the mail client's POST
    assert done.status_code == 200 and b"data-unsubscribed" in done.content
    latest = Consent.objects.filter(customer=customer, purpose="marketing", channel="email")
    assert latest.order_by("-id").first().granted is False
    shown = Interaction.objects.get(customer=customer, outcome="unsubscribed")
    # In the customer's language (Spanish here): "Se dio de baja del correo de marketing…".
    assert shown.direction == "inbound" and "marketing" in shown.subject
    assert client.post(link).status_code == 200  # a replay: the same page, nothing twice
    assert Interaction.objects.filter(customer=customer, outcome="unsubscribed").count() == 1
    tampered = client.post(link[:-3] + "xx/")
    assert tampered.status_code == 400 and b"not valid" in tampered.content
    simulate(site, customer)  # the rule fires again: no consent, no e-mail
    dispatch()
    assert len(smtp.to("lucia@example.com")) == 1
    last = RuleRun.objects.filter(rule=rule).order_by("-id").first()
    assert last.actions_done == ["“Hipotecas” not sent: no consent to marketing e-mail"]


def test_the_rule_page_offers_active_journeys_and_templates(
    client, admin_user, journey, template, marketer
):
    svc.journey_save(
        by=marketer, name="Borrador", trigger="event", trigger_event="customer.created"
    )
    client.force_login(admin_user)
    page = client.get(reverse("automation:rule_new")).content.decode()
    assert "Enrol in a marketing journey" in page and ">Hipoteca</option>" in page
    assert ">Borrador</option>" not in page  # a draft enrols nobody
    assert ">Hipotecas</option>" in page
