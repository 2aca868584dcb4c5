"""``panorama demo`` and ``panorama token``."""

import io
import re

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.db import transaction

from panorama.accounts.models import User
from panorama.channels.models import Interaction
from panorama.core.models import AuditEvent
from panorama.customers.models import BillingIncident, Customer, GroupMembership, Identity
from panorama.sales.models import Lead
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded once for the module, and its output. Each test runs in a savepoint
    inside the module's transaction, so what one does (a second ``demo``, a renamed
    admin) is undone before the next; it is all rolled back at the end of the module.
    60 leads, not the default 300 (made one by one through the lead services, they were
    half of the seeding's time): the first test checks that 300 is the default."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp:
        mp.setenv("PANORAMA_ADMIN_PASSWORD", "a-demo-pass-9471")
        mp.delenv("PORT", raising=False)
        with transaction.atomic():
            yield run("demo", customers=60, leads=60)
            transaction.set_rollback(True)


def _without_admin() -> None:
    """As before the first ``demo``: no user called admin (the seeded one is renamed, as
    deleting it would take the demo data it owns)."""
    User.objects.filter(username="admin").update(username="admin-before")


def test_demo_seeds_once_and_creates_an_admin_who_can_log_in(seeded, monkeypatch, client):
    monkeypatch.setenv("PANORAMA_ADMIN_PASSWORD", "a-demo-pass-9471")
    monkeypatch.delenv("PORT", raising=False)

    assert "http://127.0.0.1:8000/" in seeded
    assert "a-demo-pass-9471" in seeded
    assert client.login(username="admin", password="a-demo-pass-9471")
    seeded_count = Customer.objects.count()
    # And the showcase family, and the customers the demo's converted leads became.
    converted = Lead.objects.filter(status=Lead.Status.CONVERTED)
    # (Besides the leads asked for, the campaigns' responders became leads.)
    assert converted.exists() and Lead.objects.exclude(data__has_key="campaign_id").count() == 60
    assert seeded_count == 60 + 3 + converted.count()
    # `panorama demo` without options seeds 300 leads.
    parser = load_command_class("panorama.seeding", "demo").create_parser("panorama", "demo")
    assert parser.parse_args([]).leads == 300

    again = run("demo", customers=60)

    assert Customer.objects.count() == seeded_count
    assert "a-demo-pass-9471" not in again
    assert "panorama changepassword admin" in again


def test_demo_sets_the_admin_password_through_the_policy_and_audits_it(seeded, monkeypatch):
    _without_admin()
    monkeypatch.setenv("PANORAMA_ADMIN_PASSWORD", "12345678901234")  # numeric only

    with pytest.raises(CommandError, match="PANORAMA_ADMIN_PASSWORD: .*numeric"):
        run("demo", customers=5)
    assert not User.objects.get(username="admin").has_usable_password()

    monkeypatch.setenv("PANORAMA_ADMIN_PASSWORD", "a-demo-pass-9471")
    audited = set(AuditEvent.objects.values_list("pk", flat=True))
    run("demo", customers=5)
    event = AuditEvent.objects.exclude(pk__in=audited).get(kind=AuditEvent.Kind.PASSWORD_CHANGED)
    assert event.detail["target"] == "admin"


def test_demo_prints_the_address_it_will_be_served_on(seeded, monkeypatch):
    monkeypatch.setenv("PORT", "8123")  # as `make demo` passes it on, or a host sets it
    assert "http://127.0.0.1:8123/" in run("demo", customers=5)
    assert "http://0.0.0.0:9000/" in run("demo", host="0.0.0.0", port=9000)  # noqa: S104


def test_demo_prints_a_generated_password_when_none_is_given(seeded, monkeypatch, client):
    _without_admin()
    monkeypatch.delenv("PANORAMA_ADMIN_PASSWORD", raising=False)

    output = run("demo", customers=20)

    password = re.search(r"password: (\S+)", output).group(1)
    assert client.login(username="admin", password=password)


def test_demo_showcase_customer_has_a_rich_ficha(seeded):
    ana = Identity.objects.get(kind="national_id", value="12345678Z").customer
    assert ana.display_name == "Ana García López"
    assert ana.identities.filter(kind="phone", value="+34600112233").exists()
    assert ana.identities.filter(kind="email", value="ana.garcia@example.com").exists()
    # Her 200 contacts (and whatever the agenda's logged days add when the demo's reps
    # picked her), and the timeline entries of her opportunities (opened, won, lost...).
    contacts = Interaction.objects.filter(customer=ana).exclude(related_id__isnull=False)
    assert contacts.count() >= 200
    assert ana.opportunities.count() == 5
    assert BillingIncident.objects.filter(
        customer=ana, kind="unpaid_invoice", status="open"
    ).exists()
    family = GroupMembership.objects.get(customer=ana, group__kind="family").group
    assert family.memberships.count() == 3
    assert ana.holdings.count() == 4 and ana.consents.exists()


def test_token_create_prints_a_token_that_opens_the_api(client):
    UserFactory(username="maria", role="sales_rep")

    key = run("token", "create", "maria", name="laptop").strip()

    response = client.get("/api/v1/customers", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert "laptop" in run("token", "list", "maria")


def test_a_revoked_token_no_longer_opens_the_api(client):
    UserFactory(username="maria")
    key = run("token", "create", "maria").strip()

    output = run("token", "revoke", key[:12])

    assert "Revoked" in output
    response = client.get("/api/v1/customers", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_token_for_an_unknown_user_is_a_clear_error():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run("token", "create", "nobody")
    assert not User.objects.filter(username="nobody").exists()


def test_the_demo_has_a_campaign_on_every_channel_with_figures(seeded):
    from panorama.loyalty.models import EarningRule
    from panorama.marketing.models import Campaign
    from panorama.marketing.selectors import campaign_results

    campaigns = {c.channel: c for c in Campaign.objects.select_related("script")}
    assert set(campaigns) >= {"email", "sms", "call_list", "direct_mail"}
    sms, calls, mail = campaigns["sms"], campaigns["call_list"], campaigns["direct_mail"]
    assert campaign_results(campaign=sms).sent > 0
    assert calls.script is not None and campaign_results(campaign=calls).called > 0
    assert campaign_results(campaign=mail).exported > 0
    for campaign in (sms, calls, mail):
        results = campaign_results(campaign=campaign)
        assert results.converted > 0 and results.roi is not None, campaign.name
    # The loyalty club's bonus for the marketing segment of card holders.
    bonus = EarningRule.objects.get(segment__isnull=False)
    assert bonus.segment.name == "Clientes con tarjeta"
