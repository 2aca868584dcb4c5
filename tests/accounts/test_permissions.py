"""Every refused action answers the same words on the web, in the API and in the service.

The service holds the check (``accounts.permissions.ensure_can``); the API carries its
message in ``detail`` with a 403, the web shows it (the 403 page, or the form it came
from), and nothing was written. A newly registered action must get its case here.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from panorama.accounts import permissions
from panorama.accounts.models import ApiToken, Role, Team, User
from panorama.accounts.services import api_token_issue, user_create
from panorama.analytics.models import ModelRun, Purchase
from panorama.analytics.services.purchases import purchases_import
from panorama.analytics.services.runs import rfm_run
from panorama.analytics.warehouse import status as warehouse_status
from panorama.analytics.warehouse.services import warehouse_refresh_request
from panorama.automation.models import Alert, Rule
from panorama.automation.services.alerts import alert_raise
from panorama.automation.services.rules import rule_save
from panorama.catalog.models import Product
from panorama.catalog.services.products import product_create
from panorama.channels.chat.services import chat_take
from panorama.channels.mail.selectors import mailbox_for_ledger
from panorama.channels.mail.services import mail_sender_link, mailbox_save
from panorama.channels.models import Branch, Conversation, Interaction, Mailbox, SentMail
from panorama.channels.outbound.services import mail_send
from panorama.channels.services import interaction_record
from panorama.channels.visits.services import branch_save
from panorama.core.exceptions import PermissionDenied
from panorama.core.lists.services import saved_view_create
from panorama.core.models import SavedView
from panorama.core.selectors import audit_events
from panorama.customers.duplicates.models import CustomerMerge, DuplicateCandidate
from panorama.customers.duplicates.services.merge import customer_merge, customer_merge_undo
from panorama.customers.duplicates.services.scan import duplicate_dismiss, duplicates_scan_request
from panorama.customers.imports.models import ImportJob
from panorama.customers.imports.services.jobs import import_job_create
from panorama.customers.models import Customer, CustomFieldDefinition
from panorama.customers.services.custom_fields import custom_field_create
from panorama.customers.services.customer import CustomerData, customer_create
from panorama.loyalty import models as loyalty_models
from panorama.loyalty.services.members import member_enrol, points_adjust
from panorama.loyalty.services.programmes import programme_save
from panorama.marketing.models import MessageTemplate, Segment
from panorama.marketing.services.calls import call_next
from panorama.marketing.services.campaigns import campaign_response_record
from panorama.marketing.services.segments import segment_save
from panorama.marketing.services.templates import template_save
from panorama.sales.models import Activity, ForecastAdjustment, Lead, LostReason, Opportunity, Quote
from panorama.sales.services.activity import activity_plan
from panorama.sales.services.forecast import forecast_adjust
from panorama.sales.services.lead import lead_assign, lead_create
from panorama.sales.services.lead_scoring import leads_rescore
from panorama.sales.services.opportunity import opportunity_create
from panorama.sales.services.pipeline import lost_reason_create
from panorama.sales.services.quote import (
    LineData,
    quote_approve,
    quote_create,
    quote_request_approval,
)
from panorama.service.models import Article as KnowledgeArticle
from panorama.service.models import (
    BusinessCalendar,
    Call,
    Defect,
    Part,
    StockLevel,
    StockLocation,
    WorkOrder,
)
from panorama.service.models import Case as ServiceCase
from panorama.service.services.call import call_dial
from panorama.service.services.case import case_open
from panorama.service.services.defect import defect_set_status
from panorama.service.services.knowledge import article_create
from panorama.service.services.parts import stock_transfer
from panorama.service.services.sla import calendar_save
from panorama.service.services.workorder import (
    work_order_create,
    work_order_dispatch,
    work_order_set_status,
)
from tests.customers.import_files import ROWS_ES, csv_bytes
from tests.factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
MAILBOX = {
    "name": "Soporte",
    "address": "soporte@example.com",
    "host": "imap.example.com",
    "port": 993,
    "username": "soporte",
}

# Actions no default role is refused (export: every role exports what it sees, audited),
# or refused only together with another case (assign: covered by assign_team's scenario
# in tests/accounts/test_record_access.py; build_reports: every role has a dashboard's
# marts to report on, and reads only its own customers' rows, tested in
# tests/analytics/test_reports.py).
RULE = {"name": "R", "event": "web.event_tracked"}
NEVER_REFUSED_BY_DEFAULT = {
    "customers.export",
    "core.export",
    "customers.assign",
    "analytics.build_reports",
}


def _chat(w: dict):
    """A waiting web chat, made once per world."""
    if "chat" not in w:
        from panorama.automation.models import TrackedSite

        site = TrackedSite.objects.create(name="Web", origins="https://www.bank.example")
        w["chat"] = Conversation.objects.create(site=site, name="Visitante", consent_text="Sí")
    return w["chat"]


@dataclass
class Case:
    """One refused attempt, made three ways by ``user``; ``state`` must not change."""

    role: str
    service: Callable[[User, dict], Any]
    api: Callable[[Any, dict], Any] | None  # None: the action has no API (a staff screen's)
    web: Callable[[Any, dict], Any] | None
    state: Callable[[dict], Any]


def _world(db) -> dict:
    team = TeamFactory(name="Norte")
    a = CustomerFactory(first_name="Ana", last_name="Ruiz", team=team)
    b = CustomerFactory(first_name="Ana", last_name="Ruiz", team=team)
    low, high = sorted((a, b), key=lambda c: c.pk)
    pair = DuplicateCandidate.objects.create(
        customer_a=low, customer_b=high, score=0.9, reasons=[{"code": "same_name_birth"}]
    )
    return {"team": team, "a": a, "b": b, "pair": pair}


def _merged(w: dict) -> dict:
    merge = customer_merge(survivor=w["a"], merged=w["b"], by=None)
    return {**w, "merge": merge}


CALL = {"channel": "phone", "direction": "inbound", "subject": "Llamó"}

PRODUCT = {"sku": "TPV-1", "name": "TPV", "list_price": "10"}

SEGMENT = {"name": "Españoles", "rules": {"field": "language", "op": "eq", "value": "es"}}
MESSAGE = {"name": "Hola", "subject_es": "Hola", "body_es": "Hola {{ first_name }}"}


def _campaign(w: dict):
    """A launched campaign whose audience is customer a."""
    from panorama.marketing.models import Campaign, Recipient

    if "campaign" not in w:
        w["campaign"] = Campaign.objects.create(name="Tarjeta", status="sent")
        Recipient.objects.create(
            campaign=w["campaign"], customer=w["a"], group="target", status="sent"
        )
    return w["campaign"]


def _call_list(w: dict):
    """A call list being worked, with customer a to call."""
    from panorama.marketing.models import Campaign, Recipient

    if "call_list" not in w:
        w["call_list"] = Campaign.objects.create(
            name="Llamadas", channel="call_list", status="sending"
        )
        Recipient.objects.create(campaign=w["call_list"], customer=w["a"], group="target")
    return w["call_list"]


def _calls_taken(w: dict) -> int:
    from panorama.marketing.models import Recipient

    return Recipient.objects.filter(agent__isnull=False).count()


def _responded(w: dict) -> int:
    from panorama.marketing.models import Recipient

    return Recipient.objects.filter(responded_at__isnull=False).count()


def _club(w: dict):
    """A loyalty programme, made once per world."""
    if "club" not in w:
        w["club"] = programme_save(by=None, name="Club")
    return w["club"]


def _club_member(w: dict):
    """Customer a, enrolled in the club."""
    if "club_member" not in w:
        w["club_member"] = member_enrol(by=None, programme_id=_club(w).pk, customer_id=w["a"].pk)
    return w["club_member"]


def _loyalty_count(model_name: str) -> int:
    return getattr(loyalty_models, model_name).objects.count()


ORDERS_CSV = b"customer_id,date,amount\nx1,2024-01-01,5\n"

CASES: dict[str, Case] = {
    "loyalty.manage": Case(
        role=Role.SALES_REP,
        service=lambda u, w: programme_save(by=u, name="Club"),
        api=lambda api, w: api.post("/loyalty/programmes", json={"name": "Club"}),
        web=lambda c, w: c.post(
            reverse("loyalty:programme_create"),
            {
                "name": "Club",
                "points_name": "puntos",
                "currency": "EUR",
                "points_per_unit": "1",
                "expiry_months": "24",
                "qualification_months": "12",
            },
        ),
        state=lambda w: _loyalty_count("Programme"),
    ),
    "loyalty.operate": Case(
        role=Role.ANALYST,
        service=lambda u, w: member_enrol(by=u, programme_id=_club(w).pk, customer_id=w["a"].pk),
        api=lambda api, w: api.post(
            "/loyalty/members", json={"programme_id": _club(w).pk, "customer_id": w["a"].pk}
        ),
        web=lambda c, w: c.post(
            reverse("loyalty:member_enrol", args=[w["a"].pk]), {"programme_id": _club(w).pk}
        ),
        state=lambda w: _loyalty_count("Membership"),
    ),
    "loyalty.adjust": Case(
        role=Role.SALES_REP,
        service=lambda u, w: points_adjust(
            by=u, membership_id=_club_member(w).pk, points=5, reason="Regalo"
        ),
        api=lambda api, w: api.post(
            f"/loyalty/members/{_club_member(w).pk}/adjustments",
            json={"points": 5, "reason": "Regalo"},
        ),
        web=lambda c, w: c.post(
            reverse("loyalty:member_adjust", args=[_club_member(w).pk]),
            {"points": "5", "reason": "Regalo"},
        ),
        state=lambda w: _loyalty_count("Movement"),
    ),
    "marketing.build_segments": Case(
        role=Role.SALES_REP,
        service=lambda u, w: segment_save(by=u, **SEGMENT),
        api=lambda api, w: api.post("/marketing/segments", json=SEGMENT),
        web=lambda c, w: c.post(
            reverse("marketing:segment_new"),
            {"name": "Españoles", "mode": "builder", "f0": "language", "o0": "eq", "v0": "es"},
        ),
        state=lambda w: Segment.objects.count(),
    ),
    "marketing.send_campaigns": Case(
        role=Role.SALES_MANAGER,
        service=lambda u, w: template_save(by=u, **MESSAGE),
        api=lambda api, w: api.post("/marketing/templates", json=MESSAGE),
        web=lambda c, w: c.post(reverse("marketing:template_new"), MESSAGE),
        state=lambda w: MessageTemplate.objects.count(),
    ),
    "marketing.make_calls": Case(
        role=Role.ANALYST,
        service=lambda u, w: call_next(by=u, campaign=_call_list(w)),
        api=lambda api, w: api.post(f"/marketing/campaigns/{_call_list(w).pk}/calls/next"),
        web=lambda c, w: c.post(reverse("marketing:call_take", args=[_call_list(w).pk])),
        state=_calls_taken,
    ),
    "marketing.record_response": Case(
        role=Role.ANALYST,
        service=lambda u, w: campaign_response_record(
            by=u, campaign=_campaign(w), customer_id=w["a"].pk
        ),
        api=lambda api, w: api.post(
            f"/marketing/campaigns/{_campaign(w).pk}/responses", json={"customer_id": w["a"].pk}
        ),
        web=lambda c, w: c.post(
            reverse("marketing:campaign_response", args=[_campaign(w).pk]),
            {"customer_id": w["a"].pk},
        ),
        state=_responded,
    ),
    "catalog.manage": Case(
        role=Role.SALES_REP,
        service=lambda u, w: product_create(by=u, **PRODUCT),
        api=lambda api, w: api.post("/catalog/products", json=PRODUCT),
        web=lambda c, w: c.post(reverse("catalog:product_create"), {**PRODUCT, "kind": "product"}),
        state=lambda w: Product.objects.count(),
    ),
    "customers.edit": Case(
        role=Role.ANALYST,
        service=lambda u, w: customer_create(data=CustomerData(first_name="Eva"), by=u),
        api=lambda api, w: api.post("/customers", json={"first_name": "Eva"}),
        web=lambda c, w: c.post(
            reverse("customers:create"), {"kind": "person", "first_name": "Eva"}
        ),
        state=lambda w: Customer.objects.count(),
    ),
    "customers.assign_team": Case(
        role=Role.SALES_REP,
        service=lambda u, w: customer_create(
            data=CustomerData(first_name="Eva", team=w["elsewhere"], owner=u), by=u
        ),
        api=lambda api, w: api.post(
            "/customers", json={"first_name": "Eva", "team_id": w["elsewhere"].pk}
        ),
        web=None,  # the web form files a new customer under the user's own team
        state=lambda w: Customer.objects.count(),
    ),
    "analytics.import_orders": Case(
        role=Role.ANALYST,
        service=lambda u, w: purchases_import(
            source=SimpleUploadedFile("o.csv", ORDERS_CSV),
            by=u,
        ),
        api=lambda api, w: api.post(
            "/analytics/imports/orders",
            data={"file": SimpleUploadedFile("o.csv", ORDERS_CSV)},
        ),
        web=lambda c, w: c.post(
            reverse("analytics:orders_import"),
            {"file": SimpleUploadedFile("o.csv", ORDERS_CSV)},
        ),
        state=lambda w: Purchase.objects.count(),
    ),
    "analytics.run_models": Case(
        role=Role.SALES_REP,
        service=lambda u, w: rfm_run(by=u),
        api=lambda api, w: api.post("/analytics/models/rfm", json={}),
        web=None,  # the models run from the CLI, the API and the scheduled task
        state=lambda w: ModelRun.objects.count(),
    ),
    "customers.import": Case(
        role=Role.ANALYST,
        service=lambda u, w: import_job_create(
            upload=SimpleUploadedFile("c.csv", csv_bytes(ROWS_ES)), by=u, start=False
        ),
        api=lambda api, w: api.post(
            "/imports", data={"file": SimpleUploadedFile("c.csv", csv_bytes(ROWS_ES))}
        ),
        web=lambda c, w: c.post(
            reverse("customers:imports"),
            {"file": SimpleUploadedFile("c.csv", csv_bytes(ROWS_ES))},
        ),
        state=lambda w: ImportJob.objects.count(),
    ),
    "channels.record": Case(
        role=Role.ANALYST,
        service=lambda u, w: interaction_record(customer_id=w["a"].pk, by=u, agent=u, **CALL),
        api=lambda api, w: api.post(f"/customers/{w['a'].pk}/interactions", json=CALL),
        web=lambda c, w: c.post(
            reverse("channels:interaction_create", args=[w["a"].pk]),
            CALL,
            headers={"HX-Request": "true"},
        ),
        state=lambda w: Interaction.objects.count(),
    ),
    "customers.scan": Case(
        role=Role.SALES_REP,
        service=lambda u, w: duplicates_scan_request(by=u),
        api=lambda api, w: api.post("/duplicates/scan"),
        web=lambda c, w: c.post(reverse("customers:duplicates_scan")),
        state=lambda w: DuplicateCandidate.objects.count(),
    ),
    "customers.merge": Case(
        role=Role.SALES_REP,
        service=lambda u, w: customer_merge(survivor=w["a"], merged=w["b"], by=u),
        api=lambda api, w: api.post(
            "/merges", json={"survivor_id": w["a"].pk, "merged_id": w["b"].pk}
        ),
        web=lambda c, w: c.post(
            reverse("customers:duplicate_merge", args=[w["pair"].pk]),
            {"survivor": w["a"].pk},
            headers={"HX-Request": "true"},
        ),
        state=lambda w: CustomerMerge.objects.count(),
    ),
    "customers.dismiss": Case(
        role=Role.SALES_REP,
        service=lambda u, w: duplicate_dismiss(candidate=w["pair"], by=u),
        api=lambda api, w: api.post(f"/duplicates/{w['pair'].pk}/dismiss"),
        web=lambda c, w: c.post(
            reverse("customers:duplicate_dismiss", args=[w["pair"].pk]),
            headers={"HX-Request": "true"},
        ),
        state=lambda w: DuplicateCandidate.objects.filter(status="dismissed").count(),
    ),
    "customers.merge_undo": Case(
        role=Role.SALES_REP,
        service=lambda u, w: customer_merge_undo(merge=w["merge"], by=u),
        api=lambda api, w: api.post(f"/merges/{w['merge'].pk}/undo"),
        web=lambda c, w: c.post(reverse("customers:merge_undo", args=[w["merge"].pk])),
        state=lambda w: CustomerMerge.objects.filter(undone_at__isnull=True).count(),
    ),
    "accounts.manage_users": Case(
        role=Role.SALES_MANAGER,
        service=lambda u, w: user_create(by=u, username="newcomer"),
        api=lambda api, w: api.post("/users", json={"username": "newcomer"}),
        web=lambda c, w: c.post(
            reverse("staff:user_new"), {"username": "newcomer", "role": "sales_rep"}
        ),
        state=lambda w: User.objects.filter(username="newcomer").count(),
    ),
    "accounts.manage_tokens": Case(
        role=Role.SALES_MANAGER,
        # His own token anyone issues; another user's only an administrator. (The API
        # case would count its own client's token.)
        service=lambda u, w: api_token_issue(by=u, user=UserFactory(), name="ERP"),
        api=None,
        web=lambda c, w: c.post(reverse("staff:token_new"), {"name": "ERP"}),
        state=lambda w: ApiToken.objects.count(),
    ),
    "customers.configure_fields": Case(
        role=Role.SALES_MANAGER,
        service=lambda u, w: custom_field_create(by=u, key="tier", label="Tier"),
        api=lambda api, w: api.post("/custom-fields", json={"key": "tier", "label": "Tier"}),
        web=lambda c, w: c.post(
            reverse("staff:custom_field_new"),
            {"key": "tier", "label": "Tier", "type": "text", "position": 0},
        ),
        state=lambda w: CustomFieldDefinition.objects.count(),
    ),
    "core.read_audit": Case(
        role=Role.ANALYST,
        service=lambda u, w: audit_events(by=u),
        api=lambda api, w: api.get("/audit"),
        web=lambda c, w: c.get(reverse("staff:audit_log")),
        state=lambda w: 0,  # a read: nothing to change
    ),
    "core.share_view": Case(
        role=Role.SALES_MANAGER,
        service=lambda u, w: saved_view_create(
            by=u, list_name="customers", name="Team", query="", shared=True
        ),
        api=lambda api, w: api.post(
            "/views", json={"list": "customers", "name": "Team", "shared": True}
        ),
        web=lambda c, w: c.post(
            reverse("core:view_create"), {"list": "customers", "name": "Team", "shared": "on"}
        ),
        state=lambda w: SavedView.objects.count(),
    ),
    "sales.edit": Case(
        role=Role.ANALYST,
        service=lambda u, w: opportunity_create(by=u, customer_id=w["a"].pk, name="Renting"),
        api=lambda api, w: api.post(
            "/opportunities", json={"customer_id": w["a"].pk, "name": "Renting"}
        ),
        web=lambda c, w: c.post(
            reverse("sales:opportunity_new", args=[w["a"].pk]), {"name": "Renting"}
        ),
        state=lambda w: Opportunity.objects.count(),
    ),
    "sales.assign": Case(
        role=Role.SALES_REP,
        service=lambda u, w: lead_assign(
            by=u, lead_id=_own_lead(u, w).pk, owner_id=u.pk, team_id=w["elsewhere"].pk
        ),
        api=lambda api, w: api.patch(
            f"/leads/{_own_lead(api.user, w).pk}", json={"team_id": w["elsewhere"].pk}
        ),
        web=lambda c, w: c.post(
            reverse("sales:lead_assign", args=[_own_lead(c.session_user, w).pk]),
            {"owner": "", "team": w["elsewhere"].pk},
        ),
        state=lambda w: Lead.objects.filter(team=w["elsewhere"]).count(),
    ),
    "sales.configure": Case(
        role=Role.SALES_MANAGER,
        service=lambda u, w: leads_rescore(by=u),
        api=lambda api, w: api.post("/lead-scoring/rescore"),
        web=None,
        state=lambda w: list(Lead.objects.values_list("score", flat=True)),
    ),
    "service.edit": Case(
        role=Role.ANALYST,
        service=lambda u, w: case_open(by=u, customer_id=w["a"].pk, subject="Sin línea"),
        api=lambda api, w: api.post("/cases", json={"customer_id": w["a"].pk, "subject": "x"}),
        web=lambda c, w: c.post(
            reverse("service:case_create") + f"?customer={w['a'].pk}",
            {
                "customer": w["a"].pk,
                "subject": "x",
                "type": "question",
                "priority": "normal",
                "channel": "phone",
            },
        ),
        state=lambda w: ServiceCase.objects.count(),
    ),
    "channels.configure_mailboxes": Case(
        role=Role.SALES_MANAGER,
        service=lambda u, w: mailbox_save(by=u, mailbox=Mailbox(**MAILBOX), password="pw"),
        api=lambda api, w: api.post("/channels/mailboxes", json={**MAILBOX, "password": "pw"}),
        web=lambda c, w: c.post(reverse("channels:mailbox_create"), {**MAILBOX, "password": "pw"}),
        state=lambda w: Mailbox.objects.count(),
    ),
    "analytics.warehouse_refresh": Case(
        role=Role.SALES_MANAGER,
        service=lambda u, w: warehouse_refresh_request(by=u),
        api=lambda api, w: api.post("/analytics/warehouse/refresh"),
        web=lambda c, w: c.post(reverse("analytics:warehouse:refresh")),
        state=lambda w: warehouse_status.read().get("state"),
    ),
    # A rep lists his own mailboxes (perhaps none); another's ledger is refused.
    "channels.read_ledger": Case(
        role=Role.SALES_REP,
        service=lambda u, w: mailbox_for_ledger(user=u, mailbox_id=999999),
        api=lambda api, w: api.get("/channels/mailboxes/999999/ledger"),
        web=lambda c, w: c.get(reverse("channels:mailbox_ledger", args=[999999])),
        state=lambda w: Mailbox.objects.count(),
    ),
    "automation.edit_rules": Case(
        role=Role.SALES_MANAGER,
        service=lambda u, w: rule_save(by=u, data=RULE),
        api=lambda api, w: api.post("/automation/rules", json=RULE),
        web=lambda c, w: c.post(
            reverse("automation:rule_new"),
            {"name": "R", "trigger": "event", "event": "web.event_tracked", "match": "all"},
        ),
        state=lambda w: Rule.objects.count(),
    ),
    "automation.raise_alerts": Case(
        role=Role.ANALYST,
        service=lambda u, w: alert_raise(by=u, customer_id=w["a"].pk, title="Call", by_hand=True),
        api=lambda api, w: api.post(
            "/automation/alerts", json={"customer_id": w["a"].pk, "title": "Call"}
        ),
        web=lambda c, w: c.post(
            reverse("automation:alert_new", args=[w["a"].pk]), {"title": "Call", "priority": 2}
        ),
        state=lambda w: Alert.objects.count(),
    ),
    "channels.link_sender": Case(
        role=Role.MARKETING,
        service=lambda u, w: mail_sender_link(
            by=u, from_address="new@example.com", customer_id=w["a"].pk
        ),
        api=lambda api, w: api.post(
            "/channels/mail/unknown-senders/link",
            json={"address": "new@example.com", "customer_id": w["a"].pk},
        ),
        web=lambda c, w: c.post(
            reverse("channels:unknown_sender_link"),
            {"address": "new@example.com", "customer": w["a"].pk},
        ),
        state=lambda w: Interaction.objects.count(),
    ),
    "channels.configure_channels": Case(
        role=Role.SERVICE_AGENT,
        service=lambda u, w: branch_save(by=u, branch=Branch(code="MAD01", name="Sol")),
        api=lambda api, w: api.post("/channels/branches", json={"code": "MAD01", "name": "Sol"}),
        web=None,  # configured in the admin, which a sales manager cannot open
        state=lambda w: Branch.objects.count(),
    ),
    "channels.chat": Case(
        role=Role.ANALYST,
        service=lambda u, w: chat_take(by=u, conversation_id=_chat(w).pk),
        api=lambda api, w: api.post(f"/channels/chats/{_chat(w).pk}/take"),
        web=lambda c, w: c.post(reverse("channels:chat_take", args=[_chat(w).pk])),
        state=lambda w: Conversation.objects.filter(agent__isnull=False).count(),
    ),
    "channels.send": Case(
        role=Role.ANALYST,
        service=lambda u, w: mail_send(by=u, customer_id=w["a"].pk, identity_id=1),
        api=lambda api, w: api.post(
            f"/customers/{w['a'].pk}/emails", json={"identity_id": 1, "subject": "x", "body": "y"}
        ),
        web=lambda c, w: c.post(
            reverse("channels:text_send", args=[w["a"].pk]), {"account": 1, "body": "Hola"}
        ),
        state=lambda w: SentMail.objects.count(),
    ),
    "service.configure": Case(
        role=Role.SERVICE_AGENT,
        service=lambda u, w: calendar_save(by=u, name="Madrid"),
        api=lambda api, w: api.post("/sla/calendars", json={"name": "Madrid"}),
        web=lambda c, w: c.post(
            reverse("service:calendar_add"),
            {"name": "Madrid", "time_zone": "Europe/Madrid", "country": "ES", "hours": "mon: 9-18"},
        ),
        state=lambda w: BusinessCalendar.objects.count(),
    ),
    "service.call": Case(  # click-to-call needs an extension (this agent has none)
        role=Role.SERVICE_AGENT,
        service=lambda u, w: call_dial(by=u, number="+34600112233"),
        api=lambda api, w: api.post("/calls/dial", json={"number": "+34600112233"}),
        web=lambda c, w: c.post(reverse("service:call_dial"), {"number": "+34600112233"}),
        state=lambda w: Call.objects.count(),
    ),
    "service.quality": Case(
        role=Role.SALES_REP,
        service=lambda u, w: defect_set_status(by=u, defect_id=_defect(w).pk, status="confirmed"),
        api=lambda api, w: api.post(
            f"/defects/{_defect(w).pk}/status", json={"status": "confirmed"}
        ),
        web=lambda c, w: c.post(
            reverse("service:defect_status", args=[_defect(w).pk]), {"status": "confirmed"}
        ),
        state=lambda w: Defect.objects.get(pk=_defect(w).pk).status,
    ),
    "sales.approve": Case(
        role=Role.SALES_REP,
        service=lambda u, w: quote_approve(by=u, quote_id=_pending_quote(w).pk),
        api=lambda api, w: api.post(f"/quotes/{_pending_quote(w).pk}/approve", json={}),
        web=lambda c, w: c.post(
            reverse("sales:quote_decide", args=[_pending_quote(w).pk]), {"decision": "approve"}
        ),
        state=lambda w: Quote.objects.get(pk=_pending_quote(w).pk).status,
    ),
    "service.kb_edit": Case(
        role=Role.SALES_REP,
        service=lambda u, w: article_create(by=u, title="Garantía", body="Dos años"),
        api=lambda api, w: api.post("/kb/articles", json={"title": "Garantía", "body": "x"}),
        web=lambda c, w: c.post(
            reverse("service:kb_create"),
            {"title": "Garantía", "body": "x", "language": "es", "visibility": "internal"},
        ),
        state=lambda w: KnowledgeArticle.objects.count(),
    ),
    "service.dispatch": Case(  # a service agent who manages no team
        role=Role.SERVICE_AGENT,
        service=lambda u, w: work_order_dispatch(
            by=u, work_order_id=_work_order(w).pk, technician_id=None
        ),
        api=lambda api, w: api.post(
            f"/service/work-orders/{_work_order(w).pk}/dispatch", json={"technician_id": None}
        ),
        web=lambda c, w: c.get(reverse("service:dispatch")),
        state=lambda w: (
            _work_order(w),
            list(WorkOrder.objects.values_list("technician", "status")),
        )[1],
    ),
    "service.field_work": Case(  # a service agent who is not a technician
        role=Role.SERVICE_AGENT,
        service=lambda u, w: work_order_set_status(
            by=u, work_order_id=_work_order(w).pk, status="cancelled"
        ),
        api=lambda api, w: api.post(
            f"/service/work-orders/{_work_order(w).pk}/status", json={"status": "cancelled"}
        ),
        web=lambda c, w: c.post(
            reverse("service:work_order_status", args=[_work_order(w).pk]),
            {"status": "cancelled"},
        ),
        state=lambda w: (_work_order(w), list(WorkOrder.objects.values_list("status", flat=True)))[
            1
        ],
    ),
    "service.parts": Case(
        role=Role.SERVICE_AGENT,
        service=lambda u, w: stock_transfer(by=u, **_transfer(w)),
        api=lambda api, w: api.post("/service/stock/transfers", json=_transfer(w)),
        web=lambda c, w: c.post(
            reverse("service:stock_transfer"),
            {
                "part": _transfer(w)["part_id"],
                "from_location": _transfer(w)["from_location_id"],
                "to_location": _transfer(w)["to_location_id"],
                "quantity": 1,
            },
        ),
        state=lambda w: (_transfer(w), list(StockLevel.objects.values_list("quantity", flat=True)))[
            1
        ],
    ),
    "sales.configure_pipelines": Case(
        role=Role.SALES_REP,
        service=lambda u, w: lost_reason_create(by=u, name="Precio"),
        api=lambda api, w: api.post("/lost-reasons", json={"name": "Precio"}),
        web=lambda c, w: c.post(reverse("sales:lost_reason_new"), {"reason-name": "Precio"}),
        state=lambda w: LostReason.objects.count(),
    ),
    "sales.plan": Case(
        role=Role.SALES_REP,
        service=lambda u, w: activity_plan(
            by=u, owner=_colleague(w), kind="call", subject="Llamar", starts_at=NOON
        ),
        api=lambda api, w: api.post(
            "/agenda/activities",
            json={
                "kind": "call",
                "subject": "Llamar",
                "starts_at": NOON.isoformat(),
                "owner_id": _colleague(w).pk,
            },
        ),
        web=lambda c, w: c.post(
            reverse("sales:activity_new"),
            {
                "kind": "call",
                "subject": "Llamar",
                "day": "2026-11-30",
                "time": "12:00",
                "duration_minutes": "30",
                "owner": _colleague(w).pk,
            },
        ),
        state=lambda w: Activity.objects.count(),
    ),
    "sales.forecast_adjust": Case(
        role=Role.SALES_REP,
        service=lambda u, w: forecast_adjust(
            by=u, period="2026-11", category="commit", amount=1, team_id=w["team"].pk
        ),
        api=lambda api, w: api.post(
            "/forecast/adjustments",
            json={"period": "2026-11", "category": "commit", "amount": 1, "rep_id": api.user.pk},
        ),
        web=lambda c, w: c.post(
            reverse("sales:forecast_adjust") + "?period=2026-11",
            {"target": f"rep:{c.session_user.pk}", "category": "commit", "amount": "1"},
        ),
        state=lambda w: ForecastAdjustment.objects.count(),
    ),
}

NOON = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)


def _colleague(w):
    """A rep of the same team: a rep plans on his own agenda only."""
    return UserFactory(username="colega", role=Role.SALES_REP, teams=[w["team"]])


def _pending_quote(w: dict) -> Quote:
    """A quote of the world's customer with a 50 % discount, waiting for approval."""
    if "quote" not in w:
        product = product_create(by=None, **PRODUCT)
        line = LineData(product_id=product.pk, manual_discount_percent=50)
        quote = quote_create(by=None, customer_id=w["a"].pk, lines=[line])
        w["quote"] = quote_request_approval(by=None, quote_id=quote.pk)
    return w["quote"]


def _work_order(w: dict) -> WorkOrder:
    if "work_order" not in w:
        w["work_order"] = work_order_create(by=None, customer_id=w["a"].pk, subject="Revisión")
    return w["work_order"]


def _transfer(w: dict) -> dict:
    if "transfer" not in w:
        part = Part.objects.create(sku="VAL-1", name="Válvula")
        depot = StockLocation.objects.create(name="Almacén", kind="warehouse")
        van = StockLocation.objects.create(name="Furgoneta", kind="van")
        StockLevel.objects.create(location=depot, part=part, quantity=5)
        w["transfer"] = {
            "part_id": part.pk,
            "from_location_id": depot.pk,
            "to_location_id": van.pk,
            "quantity": 1,
        }
    return w["transfer"]


def _defect(w: dict) -> Defect:
    """A new defect of a product, for the quality action to move."""
    if "defect" not in w:
        product = product_create(by=None, **{**PRODUCT, "sku": "DEF-1"})
        w["defect"] = Defect.objects.create(product=product, title="Se reinicia")
    return w["defect"]


def _own_lead(user, w):
    return lead_create(by=None, company="Acme", owner=user, team=w["team"])


def test_every_registered_action_has_its_case():
    assert set(permissions.registered()) == set(CASES) | NEVER_REFUSED_BY_DEFAULT


@pytest.mark.parametrize("action", sorted(CASES))
def test_a_refused_action_says_the_same_on_web_api_and_service(
    action, db, client, api_as, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = CASES[action]
    w = _world(db)
    if action == "customers.merge_undo":
        w = _merged(w)
    w["elsewhere"] = Team.objects.create(name="Sur")
    # In the team, so every customer of the world is his to see: the refusal is the rule's.
    user = UserFactory(username=f"refused_{case.role}", role=case.role, teams=[w["team"]])
    message = str(permissions.registered()[action].message)
    before = case.state(w)

    with pytest.raises(PermissionDenied) as refused:
        case.service(user, w)
    assert str(refused.value.message) == message

    if case.api is not None:
        answer = case.api(api_as(user), w)
        assert answer.status_code == 403, answer.content
        assert answer.json() == {"detail": message, "code": "forbidden", "errors": {}}

    if case.web is not None:
        client.force_login(user)
        client.session_user = user
        page = case.web(client, w)
        # A 403 page, or the form the action came from with the message on it (422).
        assert page.status_code in (403, 422), page.status_code
        assert escape(message) in page.content.decode()

    assert case.state(w) == before


def test_a_misspelt_merge_role_stops_the_site_from_starting(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.PANORAMA_MERGE_ROLES = ["sales_manager", "data_stewart"]

    with pytest.raises(SystemCheckError, match="unknown roles: data_stewart"):
        call_command("check")
    settings.PANORAMA_MERGE_ROLES = ["sales_manager", "admin"]
    call_command("check")
