"""Generated requests against every API operation: never a server error.

schemathesis reads the OpenAPI schema and sends valid and invalid requests (wrong
types, huge numbers, odd strings) through Django's WSGI handler, every middleware and
the API's error handler (tests/api/fuzzing.py); whatever it sends, the answer must be a
2xx, 3xx or 4xx with a message, never a 500. This found two 500s the
hand-written tests had missed (an integer SQLite cannot bind, an unknown team id).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from panorama.accounts.services import api_token_create
from panorama.config.api import api
from panorama.service.services.knowledge import article_create, article_publish, article_update
from tests.api.fuzzing import send
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    GroupFactory,
    HoldingFactory,
    IdentityFactory,
    MembershipFactory,
)
from tests.made_once import made_once

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker):
    """``_world``, made once for the module's four hundred tests (tests/made_once.py:
    what each test's requests change is undone before the next test)."""
    with made_once(django_db_blocker):
        yield _world()


@pytest.fixture
def world(db, made):
    return made


def _world():
    """Some data for the generated ids to land on, and an administrator's token."""
    admin = AdminFactory(username="fuzz")
    for n in range(3):
        customer = CustomerFactory(first_name=f"Ana {n}")
        IdentityFactory(customer=customer, kind="phone", value=f"+3460011223{n}")
        HoldingFactory(customer=customer)
    group = GroupFactory()
    MembershipFactory(group=group, customer=customer)
    _token, key = api_token_create(user=admin, name="fuzz")
    article = article_create(by=None, title="Garantía", body="Dos años", visibility="public")
    article_publish(by=None, article_id=article.pk)
    article_update(by=None, article_id=article.pk, body="Tres años")
    known = {
        "customer_id": customer.pk,
        "group_id": group.pk,
        "article_id": article.pk,
        **_quote_and_order(customer),
        **_marketing(customer),
        **_sales_terms(),
        **_loyalty(customer),
        **_case(customer),
        **_report_schedule(admin),
        **_options(),
        **_staff(admin),
    }
    return {"Authorization": f"Bearer {key}"}, known


def _staff(admin) -> dict:
    """A custom field and a second token (revoking it leaves the fuzzer's own working)."""
    from panorama.customers.services.custom_fields import custom_field_create

    field = custom_field_create(by=admin, key="tier", label="Tier", type="choice", choices="a")
    token, _key = api_token_create(user=admin, name="spare")
    return {"field_id": field.pk, "token_id": token.pk}


def _quote_and_order(customer) -> dict:
    """A quote with a line and an order, for the quote and order routes to reach."""
    from panorama.sales.services.order import order_create
    from panorama.sales.services.quote import LineData, quote_create
    from tests.catalog.factories import ProductFactory

    product = ProductFactory()
    quote = quote_create(by=None, customer_id=customer.pk, lines=[LineData(product.pk)])
    order = order_create(by=None, customer_id=customer.pk, lines=[LineData(product.pk)])
    return {"quote_id": quote.pk, "line_id": quote.lines.get().pk, "order_id": order.pk}


def _case(customer) -> dict:
    """A case with a note carrying a file, for the case and file routes to reach."""
    from panorama.service.services.case import case_message_add, case_open

    case = case_open(by=None, customer_id=customer.pk, subject="Sin línea")
    note = case_message_add(
        by=None, case_id=case.pk, kind="note", body="Foto", attachments=[("foto.png", b"png")]
    )
    # The service set-up: a queue, a calendar, an SLA policy.
    from panorama.service.services.setup import policy_set, queue_save
    from panorama.service.services.sla import calendar_save

    calendar = calendar_save(by=None, name="Fuzz")
    policy = policy_set(
        by=None,
        changes={
            "name": "Fuzz",
            "calendar_id": calendar.pk,
            "priority": "low",
            "first_response_minutes": 60,
            "resolution_minutes": 600,
        },
    )
    return {
        "case_id": case.pk,
        "attachment_id": note.attachments.get().pk,
        "queue_id": queue_save(by=None, changes={"name": "Fuzz"}).pk,
        "calendar_id": calendar.pk,
        "policy_id": policy.pk,
    }


def _sales_terms() -> dict:
    """A price list with a price, a promotion, a financing plan, and a category, a unit and a
    tax (the catalogue settings)."""
    from panorama.catalog.services.financing import financing_plan_create
    from panorama.catalog.services.price_lists import ItemData, price_list_create
    from panorama.catalog.services.products import category_create, tax_create, unit_create
    from panorama.catalog.services.promotions import promotion_create
    from tests.catalog.factories import ProductFactory

    product = ProductFactory()
    items = [ItemData(product.pk, price="9")]
    return {
        "category_id": category_create(by=None, name="F").pk,
        "unit_id": unit_create(by=None, code="f", name="F").pk,
        "tax_id": tax_create(by=None, code="f", name="F", rate="10").pk,
        "price_list_id": price_list_create(by=None, code="f", name="F", items=items).pk,
        "promotion_id": promotion_create(by=None, code="f", name="F", kind="percent", value=5).pk,
        "plan_id": financing_plan_create(
            by=None, code="f", name="F", instalments=12, annual_rate=5
        ).pk,
    }


def _options() -> dict:
    """A configurable product: groups, options and rules, for the options routes."""
    from panorama.catalog.models import OptionGroup, OptionRule, ProductOption
    from tests.catalog.configurable import fibre_pack

    pack = fibre_pack()
    return {
        "product_id": pack.pk,
        "option_group_id": OptionGroup.objects.filter(product=pack).first().pk,
        "option_id": ProductOption.objects.get(product=pack, code="tv").pk,
        "option_rule_id": OptionRule.objects.filter(product=pack).first().pk,
    }


def _loyalty(customer) -> dict:
    """A programme with a reward, and the customer enrolled with some points."""
    from panorama.loyalty.services.members import member_enrol, movement_post
    from panorama.loyalty.services.programmes import programme_save, reward_add

    programme = programme_save(by=None, name="Club")
    reward = reward_add(by=None, programme=programme, name="Taza", cost=10)
    member = member_enrol(by=None, programme_id=programme.pk, customer_id=customer.pk)
    movement_post(membership=member, kind="earn", points=100)
    return {"programme_id": programme.pk, "member_id": member.pk, "reward_id": reward.pk}


def _report_schedule(admin) -> dict:
    """A saved report of the administrator's, e-mailed to him every week."""
    from panorama.analytics.models import Report
    from panorama.analytics.reports.schedules import report_schedule_save

    report = Report.objects.create(
        name="R",
        owner=admin,
        source="mart_commercial_results",
        dimensions=["month"],
        measures=[{"column": "revenue", "agg": "sum"}],
    )
    schedule = report_schedule_save(
        by=admin, report=report, data={"frequency": "weekly", "recipients": [admin.pk]}
    )
    return {"report_id": report.pk, "schedule_id": schedule.pk}


def _marketing(customer) -> dict:
    """A segment, a list, a message, a draft campaign and a call list's row for the
    marketing routes."""
    from panorama.marketing.models import (
        Campaign,
        MessageTemplate,
        Recipient,
        Segment,
        StaticList,
    )

    segment = Segment.objects.create(
        name="S", rules={"field": "language", "op": "eq", "value": "es"}
    )
    template = MessageTemplate.objects.create(
        name="T", subject_es="Hola", body_es="Hola {{ first_name }}"
    )
    return {
        "segment_id": segment.pk,
        "list_id": StaticList.objects.create(name="L", segment=segment).pk,
        "template_id": template.pk,
        "campaign_id": Campaign.objects.create(name="C", segment=segment, template=template).pk,
        "recipient_id": Recipient.objects.create(
            campaign=Campaign.objects.create(name="Calls", segment=segment, channel="call_list"),
            customer=customer,
            group="target",
        ).pk,
    }


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # no example database on disk
    derandomize=True,  # the same requests on every run: CI is reproducible
)
def test_no_request_gets_a_server_error(case, world, api_app):
    headers, known = world
    response = send(case, app=api_app, headers=headers, known=known)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
