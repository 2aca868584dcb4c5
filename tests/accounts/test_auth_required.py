"""Nobody gets in without signing in: every page redirects to the login page and every
API operation answers 401 in the API's error convention. Signed in or not, no page
answers 500 to any method, and a method a page does not take answers 405.

The routes are read from the URL resolver and the API itself, so a page or an operation
added later is checked without touching this file.
"""

import inspect
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern
from django.utils import timezone

from panorama.catalog.models import FinancingPlan
from panorama.core.models import SavedView
from panorama.customers.models import Customer, CustomerMerge, DuplicateCandidate, ImportJob
from panorama.sales.models import Competitor, LeadImport, WebForm
from panorama.sales.services.activity import activity_plan
from panorama.sales.services.lead import lead_create
from panorama.sales.services.opportunity import opportunity_create
from panorama.sales.services.order import order_create
from panorama.sales.services.quote import LineData, quote_create
from panorama.sales.services.script import script_create
from panorama.service.services.case import case_open
from panorama.service.services.knowledge import article_create, article_publish
from tests.catalog.factories import ProductFactory
from tests.factories import (
    AdminFactory,
    BillingIncidentFactory,
    CustomerFactory,
    GroupFactory,
    IdentityFactory,
    LostReasonFactory,
    MembershipFactory,
    pipeline_with_stages,
)
from tests.made_once import made_once

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
# Served to anonymous visitors on purpose: nothing else may be.
PUBLIC_WEB = {
    "accounts:login",  # the way in
    "healthz",  # the load balancer's probe: answers "ok", nothing more
    "set_language",  # the language switch on the login page
    "admin:login",  # Django's public admin sign-in: it sends a stranger to the way in
    "webform_submit",  # the public web forms' endpoint: the form's token, honeypot, rate limit
    "service:csat_answer",  # the satisfaction survey's one-click link: a signed, expiring token
    "callback_form_submit",  # the public "call me back" form: its token, honeypot, rate limit
    "sales:agenda_feed",  # a rep's calendar subscription: its hashed, revocable token
    "sales:quote_accept",  # the customer accepts a quote: a signed link expiring with the quote
    "help:index",  # the public help centre: published public articles only
    "help:article",
    "help:feedback",  # "was this helpful?": counted once per visitor's session
    "automation:track",  # web tracking: the site's public key, its origins, a rate limit
    "automation:track_pixel",  # the same for pages without JavaScript (origin: the Referer)
    "marketing:unsubscribe",  # a campaign e-mail's unsubscribe link: a signed token
    "marketing:open",  # the open pixel: a signed token
    "marketing:click",  # a tracked link: a signed token carrying the only target allowed
    # The chat widget's endpoints: the site's public key and origins, a rate limit, and
    # the visitor's conversation token (channels/chat/widget.py).
    "channels:widget_status",
    "channels:widget_start",
    "channels:widget_send",
    "channels:widget_close",
    "channels:widget_messages",
    "channels:widget_stream",
    "marketing:signup",  # a list's public sign-up page: its token, honeypot, rate limit
    "marketing:optin_confirm",  # the double opt-in link: a signed, expiring token
    "marketing:journey_unsubscribe",  # a journey e-mail's unsubscribe link: a signed token
    "marketing:journey_open",  # a journey e-mail's open pixel: a signed token
    "marketing:journey_click",  # a journey e-mail's tracked link: a signed token and target
    "marketing:customer_unsubscribe",  # a rule e-mail's unsubscribe link: a signed token
    "accounts:password_set",  # an invited user's set-password link: a signed, expiring token
    # The customer portal: its own sign-in (an e-mailed, signed, expiring, one-use link;
    # the web forms' rate limit) and its own session check on every other page
    # (portal.access.portal_required): a stranger goes to the portal's sign-in.
    "portal:login",
    "portal:enter",
    "portal:logout",
    "portal:home",
    "portal:case_create",
    "portal:case",
    "portal:callback",
    "portal:faq",
    "portal:quotes",  # his sent quotes (portal/views/sales.py), each his own or a 404
    "portal:quote",
    "portal:quote_pdf",
    "portal:quote_accept",
    "portal:quote_decline",
    "portal:orders",
    "portal:order",
    "portal:prices",
    "portal:account",  # his details, consents, contracts (portal/views/account.py)
    "portal:consents",
    "portal:email_confirm",  # a new address confirmed by the signed link mailed to it
    "portal:contracts",
    "portal:tracking_consent",  # the cookie banner's answer, signed in or not
}
ADMIN_SIGN_IN = "/admin/login/"
# Path parameters of the admin's regex routes, by group name.
REGEX_SAMPLES = {"app_label": "auth", "url": "no/such/page/"}


@dataclass(frozen=True)
class Route:
    route: str  # as the resolver holds it, e.g. "customers/<int:customer_id>/"
    name: str  # "namespace:name" or the route itself when unnamed
    pattern: URLPattern


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            route = prefix + str(entry.pattern)
            qualified = ":".join(n for n in (namespace, entry.name or "") if n)
            yield Route(route, qualified if entry.name else route, entry)


ALL_ROUTES = list(_walk(get_resolver().url_patterns))
WEB_ROUTES = [r for r in ALL_ROUTES if not r.route.startswith((API_PREFIX, "static/"))]
API_ROUTES = [r for r in ALL_ROUTES if r.route.startswith(API_PREFIX)]


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """The walk's administrator and ``_params``, made once for the module's two thousand
    tests (tests/made_once.py: each test's changes are undone)."""
    with made_once(django_db_blocker):
        admin = AdminFactory(username="admin")
        yield admin, _params(admin)


@pytest.fixture
def admin_user(db, walk):
    return walk[0]


@pytest.fixture
def params(db, walk):
    return walk[1]


def _params(admin_user) -> dict:
    """Real objects for every kind of path parameter, so a page that forgot the login
    check would answer 200 (not a 404 that hides the mistake)."""
    ana = CustomerFactory(first_name="Ana")
    luis = CustomerFactory(first_name="Luis")
    low, high = sorted([ana, luis], key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(customer_a=low, customer_b=high, score=0.9)
    merge = CustomerMerge.objects.create(survivor=ana, merged=luis, merged_by=admin_user)
    job = ImportJob.objects.create(
        original_name="c.csv",
        created_by=admin_user,
        file=ContentFile(b"first_name,last_name\nAna,Ruiz\n", name="c.csv"),
    )
    group = GroupFactory()
    MembershipFactory(group=group, customer=ana)
    pipeline = pipeline_with_stages()
    web_form = WebForm.objects.create(name="Contact")
    opportunity = opportunity_create(by=None, customer_id=ana.pk, name="Renting")
    from panorama.service.models import Call, CallbackRequest, Defect, Pbx

    pbx = Pbx.objects.create(name="Asterisk")
    call = Call.objects.create(
        pbx=pbx, call_id="1", direction="in", status="ringing", started_at=timezone.now()
    )
    callback = CallbackRequest.objects.create(
        phone="+34600112233",
        window_start=timezone.now(),
        window_end=timezone.now(),
        source="agent",
    )
    product = ProductFactory()
    quote = quote_create(by=None, customer_id=ana.pk, lines=[LineData(product_id=product.pk)])
    order = order_create(by=None, customer_id=ana.pk, lines=[LineData(product_id=product.pk)])
    article = article_create(by=None, title="Devoluciones", body="30 días", visibility="public")
    article_publish(by=None, article_id=article.pk)
    return {
        "article_id": article.pk,
        "number": 1,
        "slug": article.slug,
        "uid": "MQ",  # an invited user's set-password link (its token: the chat's, refused)
        "pbx_id": pbx.pk,
        "call_id": call.pk,
        "callback_id": callback.pk,
        "case_id": case_open(by=None, customer_id=ana.pk, subject="Sin línea").pk,
        "pipeline_id": pipeline.pk,
        "opportunity_id": opportunity.pk,
        "stage_id": pipeline.stages.get(name="Lost").pk,
        "reason_id": LostReasonFactory(name="Precio").pk,
        "competitor_id": Competitor.objects.create(name="Acme").pk,
        "lead_id": lead_create(by=None, company="Talleres Pérez").pk,
        "form_id": web_form.pk,
        "setting": "webform",  # the lead settings pages: a kind and one of its records
        "obj_id": web_form.pk,
        "import_id": LeadImport.objects.create(
            original_name="l.csv", file_format="csv", created_by=admin_user
        ).pk,
        "token": web_form.token,
        "customer_id": ana.pk,
        "candidate_id": candidate.pk,
        "merge_id": merge.pk,
        "job_id": job.pk,
        "kind": "clv",  # a model's latest card (analytics)
        "identity_id": IdentityFactory(customer=ana).pk,
        "group_id": group.pk,
        "incident_id": BillingIncidentFactory(customer=ana).pk,
        "object_id": admin_user.pk,
        "action": "edit",  # the ficha's edit actions
        "id": admin_user.pk,  # the admin's password-change page
        "content_type_id": ContentType.objects.get_for_model(Customer).pk,
        "product_id": product.pk,
        "defect_id": Defect.objects.create(product=product, title="Reinicia").pk,
        "quote_id": quote.pk,
        "line_id": quote.lines.get().pk,
        "order_id": order.pk,
        "plan_id": FinancingPlan.objects.create(
            code="12m", name="12 meses", instalments=12, annual_rate=5
        ).pk,
        "view_id": SavedView.objects.create(owner=admin_user, list_name="customers", name="V").pk,
        "list_name": "customers",  # the shared list's bulk action and inline edit
        "department": "commercial",  # the analytics dashboards: a widget and its export
        "key": "revenue",
        "fmt": "csv",
        "pk": ana.pk,
        "column_key": "status",
        **_mail_params(ana),
        **_adapter_params(ana),
        "activity_id": activity_plan(
            by=admin_user,
            kind="call",
            subject="Llamar",
            starts_at=timezone.now(),
            customer_id=ana.pk,
        ).pk,
        "script_id": script_create(by=None, title="Fibra", body="Velocidad").pk,
        # Field service: an asset, a contract and a work order of the same customer.
        **_field_service(ana, product),
        **_automation_params(ana, admin_user),
        **_marketing_params(ana),
        **_loyalty_params(ana),
        **_report_params(admin_user),
        **_staff_params(admin_user),
        **_pricing_params(product),
        **_option_params(product),
    }


def _option_params(product) -> dict:
    """An optional group with two options, one requiring the other (the options pages)."""
    from panorama.catalog.services.options import (
        option_create,
        option_group_create,
        option_rule_create,
    )

    group = option_group_create(by=None, product=product, code="auth", name="Auth")
    fast = option_create(by=None, product=product, code="fast", name="Fast", group=group)
    fixed = option_create(by=None, product=product, code="ip", name="IP")
    rule = option_rule_create(by=None, option=fixed, kind="requires", target=fast)
    return {"option_group_id": group.pk, "option_id": fast.pk, "option_rule_id": rule.pk}


def _pricing_params(product) -> dict:
    """A price list with one price, and a promotion (the catalogue's sales terms)."""
    from panorama.catalog.services.price_lists import ItemData, price_list_create
    from panorama.catalog.services.promotions import promotion_create

    price_list = price_list_create(
        by=None, code="auth", name="Auth", items=[ItemData(product.pk, price="9")]
    )
    promotion = promotion_create(by=None, code="auth", name="Auth", kind="percent", value=5)
    from panorama.catalog.services.products import category_create, tax_create, unit_create

    return {
        "price_list_id": price_list.pk,
        "item_id": price_list.items.get().pk,
        "promotion_id": promotion.pk,
        # The catalogue settings: a category, a unit and a tax.
        "category_id": category_create(by=None, name="Auth").pk,
        "unit_id": unit_create(by=None, code="auth", name="Auth").pk,
        "tax_id": tax_create(by=None, code="auth", name="Auth", rate="21").pk,
    }


def _staff_params(admin_user) -> dict:
    """A user, a team, a token and a custom field (the /settings/ screens)."""
    from panorama.accounts.models import ApiToken
    from tests.factories import CustomFieldDefinitionFactory, TeamFactory

    return {
        "user_id": admin_user.pk,
        "team_id": TeamFactory(name="Staff").pk,
        "token_id": ApiToken.objects.create(
            user=admin_user, name="t", prefix="pan_t", key_hash="t" * 64
        ).pk,
        "field_id": CustomFieldDefinitionFactory().pk,
    }


def _report_params(owner) -> dict:
    """A saved report, e-mailed to its owner every week (the report and schedule routes)."""
    from panorama.analytics.models import Report
    from panorama.analytics.reports.schedules import report_schedule_save

    report = Report.objects.create(
        owner=owner,
        name="Revenue",
        source="mart_commercial_results",
        measures=[{"column": "revenue", "agg": "sum"}],
        chart="table",
    )
    schedule = report_schedule_save(
        by=owner, report=report, data={"frequency": "weekly", "recipients": [owner.pk]}
    )
    return {"report_id": report.pk, "schedule_id": schedule.pk}


def _loyalty_params(customer) -> dict:
    """A programme with a tier, a rule and a reward, and the customer enrolled in it."""
    from panorama.loyalty.services.members import member_enrol
    from panorama.loyalty.services.programmes import (
        programme_save,
        reward_add,
        rule_add,
        tier_add,
    )

    programme = programme_save(by=None, name="Club")
    tier = tier_add(by=None, programme=programme, name="Oro", threshold=100)
    rule = rule_add(
        by=None,
        programme=programme,
        kind="campaign",
        name="Doble",
        multiplier=2,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    reward = reward_add(by=None, programme=programme, name="Taza", cost=10)
    member = member_enrol(by=None, programme_id=programme.pk, customer_id=customer.pk)
    return {
        "programme_id": programme.pk,
        "tier_id": tier.pk,
        "reward_id": reward.pk,
        "earning_rule_id": rule.pk,
        "member_id": member.pk,
    }


def _marketing_params(customer) -> dict:
    """A segment, a list, a message, a draft campaign to it and a call list's row."""
    from panorama.marketing.models import (
        Campaign,
        CampaignVariant,
        Journey,
        JourneyStep,
        MessageTemplate,
        Recipient,
        Segment,
        StaticList,
    )

    segment = Segment.objects.create(
        name="S", rules={"field": "language", "op": "eq", "value": "es"}
    )
    template = MessageTemplate.objects.create(name="T", subject_es="Hola", body_es="Hola")
    campaign = Campaign.objects.create(name="C", segment=segment, template=template)
    journey = Journey.objects.create(name="J", trigger="event", trigger_event="customer.created")
    step = JourneyStep.objects.create(journey=journey, position=0, kind="wait", config={"days": 1})
    return {
        "journey_id": journey.pk,
        "step_id": step.pk,
        "segment_id": segment.pk,
        "list_id": StaticList.objects.create(name="L", segment=segment).pk,
        "template_id": template.pk,
        "campaign_id": campaign.pk,
        "variant_id": CampaignVariant.objects.create(
            campaign=campaign, label="A", template=template
        ).pk,
        "recipient_id": Recipient.objects.create(
            campaign=Campaign.objects.create(name="Calls", segment=segment, channel="call_list"),
            customer=customer,
            group="target",
        ).pk,
    }


def _adapter_params(customer) -> dict:
    """A messaging account and a fax (channels' adapters)."""
    from panorama.channels.models import Fax, MessagingAccount

    account = MessagingAccount.objects.create(
        name="SMS", number="+34600100200", api_url="http://127.0.0.1:9"
    )
    fax = Fax(direction="inbound", number="+34600100201", status="received", customer=customer)
    fax.document.save("f.pdf", ContentFile(b"%PDF-1.4"), save=False)
    fax.content_type = "application/pdf"
    fax.save()
    from panorama.channels.failures import failure_record

    failed = failure_record(
        customer_id=customer.pk, channel="sms", kind="sms", subject="SMS", error="refused"
    )
    return {"account_id": account.pk, "fax_id": fax.pk, "interaction_id": failed.pk}


def _automation_params(customer, admin_user) -> dict:
    from panorama.automation.models import Alert, Rule, TrackedSite

    rule = Rule.objects.create(name="R", event="web.event_tracked")
    alert = Alert.objects.create(customer=customer, user=admin_user, title="A")
    site = TrackedSite.objects.create(name="Web", origins="https://www.bank.example")
    from panorama.channels.models import Conversation

    chat = Conversation.objects.create(site=site, name="Visitante", consent_text="Sí")
    return {
        "rule_id": rule.pk,
        "alert_id": alert.pk,
        "public_key": site.public_key,
        "site_id": site.pk,
        "conversation_id": chat.pk,
        "token": chat.token,
    }


def _mail_params(customer) -> dict:
    """A mailbox (its server does not answer), a ledger line and a stored attachment."""
    from panorama.channels.models import MailAttachment, Mailbox, MailEntry

    mailbox = Mailbox.objects.create(
        name="Soporte",
        address="soporte@example.com",
        host="127.0.0.1",
        port=9,
        username="u",
        use_ssl=False,
    )
    entry = MailEntry.objects.create(
        mailbox=mailbox, message_id="<m@example.com>", status="failed", customer=customer
    )
    attachment = MailAttachment(entry=entry, filename="a.txt", content_type="text/plain", size=2)
    attachment.file.save("a.txt", ContentFile(b"hi"), save=True)
    return {"mailbox_id": mailbox.pk, "entry_id": entry.pk, "attachment_id": attachment.pk}


def _field_service(customer, product) -> dict:
    import datetime

    from panorama.service.services.asset import asset_register, contract_create
    from panorama.service.services.workorder import work_order_create

    asset = asset_register(
        by=None, customer_id=customer.pk, product_id=product.pk, serial_number="SN-1"
    )
    today = timezone.localdate()
    contract = contract_create(
        by=None,
        customer_id=customer.pk,
        name="Oro",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        asset_ids=[asset.pk],
    )
    order = work_order_create(by=None, asset_id=asset.pk, subject="Revisión")
    # The service set-up: a queue, a calendar and an SLA policy.
    from panorama.service.services.setup import policy_set, queue_save
    from panorama.service.services.sla import calendar_save

    calendar = calendar_save(by=None, name="Auth")
    policy = policy_set(
        by=None,
        changes={
            "name": "Auth",
            "calendar_id": calendar.pk,
            "first_response_minutes": 60,
            "resolution_minutes": 600,
        },
    )
    return {
        "asset_id": asset.pk,
        "contract_id": contract.pk,
        "work_order_id": order.pk,
        "queue_id": queue_save(by=None, changes={"name": "Auth"}).pk,
        "calendar_id": calendar.pk,
        "policy_id": policy.pk,
    }


def _url(route: Route, params: dict) -> str:
    """A concrete URL for ``route``, with real values for its parameters."""
    if isinstance(route.pattern.pattern, RegexPattern):
        # Only the admin has regex routes: fill each named group, drop the anchors.
        path = re.sub(
            r"\(\?P<(\w+)>[^)]*\)",
            lambda m: REGEX_SAMPLES[m.group(1)],
            route.route,
        )
        path = path.replace("^", "").replace("$", "")
    else:
        path = re.sub(
            r"<(?:\w+:)?(\w+)>",
            lambda m: str(params[m.group(1)]),
            route.route,
        )
    return "/" + path


def test_the_walk_finds_the_pages_and_the_api():
    names = {r.name for r in WEB_ROUTES}
    assert {"customers:list", "customers:detail", "channels:interaction_create"} <= names
    assert {"customers:import_detail", "customers:duplicate_merge", "admin:index"} <= names
    assert len(API_ROUTES) > 20
    assert len(OPERATIONS) >= 30


def test_the_only_public_pages_are_the_known_ones():
    """A new public page must be added here on purpose, after a review."""
    public = {r.name for r in WEB_ROUTES if r.name in PUBLIC_WEB}
    assert public == PUBLIC_WEB


@pytest.mark.parametrize(
    "route", [r for r in WEB_ROUTES if r.name not in PUBLIC_WEB], ids=lambda r: r.name
)
def test_every_page_sends_an_anonymous_visitor_to_the_login_page(client, params, route):
    url = _url(route, params)
    match = resolve(url)
    assert match.func == route.pattern.callback, f"{url} does not reach {route.name}"

    for method in METHODS:
        response = client.generic(method, url)

        assert response.status_code == 302, f"{method} {url}: {response.status_code}"
        location = urlparse(response["Location"])
        if location.path == ADMIN_SIGN_IN:  # the admin's pages go there, and it on
            response = client.get(response["Location"])
            assert response.status_code == 302
            location = urlparse(response["Location"])
        assert location.path == resolve_url(settings.LOGIN_URL)
        assert parse_qs(location.query)["next"] == [url]


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _ours(callback) -> bool:
    view = getattr(callback, "view_class", callback)
    return view.__module__.startswith("panorama.")


def _declared_methods(callback) -> set[str] | None:
    """The methods a view says it takes: a class-based view's handlers, or the list given
    to ``require_http_methods`` (``require_GET``, ``require_POST``...); None if it says
    nothing, and then it would run its GET code for a DELETE."""
    if hasattr(callback, "view_class"):
        view = callback.view_class
        return {
            m for m in METHODS if m.lower() in view.http_method_names and hasattr(view, m.lower())
        }
    func = callback
    while func is not None:
        if inspect.isfunction(func):
            listed = inspect.getclosurevars(func).nonlocals.get("request_method_list")
            if listed is not None:
                return set(listed)
        func = getattr(func, "__wrapped__", None)
    return None


def test_every_page_of_ours_says_which_methods_it_takes():
    undeclared = [
        r.name
        for r in WEB_ROUTES
        if _ours(r.pattern.callback) and _declared_methods(r.pattern.callback) is None
    ]
    assert undeclared == []


def _walk_methods(client, params, route):
    url = _url(route, params)
    callback = route.pattern.callback
    takes = _declared_methods(callback) if _ours(callback) else None
    answers = {}
    # POST last: it is the method most likely to change what the others would see.
    for method in ("GET", "PUT", "PATCH", "DELETE", "POST"):
        response = client.generic(method, url)
        answers[method] = response.status_code
        assert response.status_code < 500, f"{method} {url}: {response.status_code}"
        if takes is not None:
            assert (response.status_code == 405) == (method not in takes), (
                f"{method} {url}: {response.status_code}, the view takes {sorted(takes)}"
            )
    return answers


@pytest.mark.parametrize("route", WEB_ROUTES, ids=lambda r: r.name)
def test_no_page_answers_500_to_any_method_when_signed_in(client, params, admin_user, route):
    client.force_login(admin_user)
    _walk_methods(client, params, route)


@pytest.mark.parametrize(
    "route", [r for r in WEB_ROUTES if r.name in PUBLIC_WEB], ids=lambda r: r.name
)
def test_a_public_page_answers_405_to_a_method_it_does_not_take(client, params, route):
    _walk_methods(client, params, route)


def test_a_signed_in_post_to_the_customer_list_answers_405(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/customers/")
    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_the_login_page_and_the_probe_are_open(client):
    assert client.get(resolve_url(settings.LOGIN_URL)).status_code == 200
    probe = client.get("/healthz")
    assert probe.status_code == 200 and probe.content == b"ok"
    # The admin's own sign-in form is not a way in: it sends to the one sign-in page.
    admin_form = client.get(f"{ADMIN_SIGN_IN}?next=/admin/auth/")
    assert admin_form.status_code == 302
    assert admin_form["Location"] == resolve_url(settings.LOGIN_URL) + "?next=/admin/auth/"


def _operations():
    """(method, path template, operation name) of every operation the API serves."""
    found = []
    for route in API_ROUTES:
        # Each route's view closes over ninja's PathView, which holds its operations.
        callback = route.pattern.callback
        if not inspect.isfunction(callback):
            continue  # the docs, the schema and the root are partials, checked below
        path_view = inspect.getclosurevars(callback).nonlocals.get("self")
        for operation in getattr(path_view, "operations", []):
            for method in operation.methods:
                found.append((method, route.route, operation.view_func.__name__))
    return found


OPERATIONS = _operations()


def test_every_documented_operation_is_checked():
    from panorama.config.api import api

    schema = api.get_openapi_schema()
    documented = {
        (method.upper(), re.sub(r"\{(\w+)\}", r"<\1>", path.lstrip("/")))
        for path, operations in schema["paths"].items()
        for method in operations
    }
    served = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", path)) for method, path, _ in OPERATIONS
    }
    assert documented and documented <= served


@pytest.mark.parametrize(
    "method, route, name", OPERATIONS, ids=[f"{m} {n}" for m, _r, n in OPERATIONS]
)
def test_every_api_operation_answers_401_json_to_an_anonymous_caller(
    client, params, method, route, name
):
    url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), route)
    body = "{}" if method in ("POST", "PUT", "PATCH") else ""

    response = client.generic(method, url, data=body, content_type="application/json")

    assert response.status_code == 401, f"{method} {url}: {response.status_code}"
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "unauthenticated"
    assert isinstance(body["detail"], str) and "Bearer" in body["detail"]


@pytest.mark.parametrize("path", ["docs", "openapi.json"])
def test_the_api_docs_and_schema_need_a_signed_in_user(client, admin_user, path):
    url = f"/{API_PREFIX}{path}"
    response = client.get(url, follow=True)

    assert response.redirect_chain, f"{url} answered {response.status_code} to a stranger"
    assert urlparse(response.redirect_chain[-1][0]).path == resolve_url(settings.LOGIN_URL)
    assert "accounts/login.html" in [t.name for t in response.templates]

    client.force_login(admin_user)
    assert client.get(url, follow=True).status_code == 200
