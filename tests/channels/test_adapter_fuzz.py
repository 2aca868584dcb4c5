"""Generated requests against the adapters' API operations (as tests/api/test_fuzz.py
does for every route): whatever is sent, a 2xx, 3xx or 4xx with a message, never 500."""

import io

import pypdfium2 as pdfium
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from panorama.accounts.services import api_token_create
from panorama.channels.fax.services import fax_receive
from panorama.channels.models import Branch, MailTemplate, MessagingAccount, SendingIdentity
from panorama.channels.sms.services import messaging_account_save
from panorama.config.api import api
from tests.api.fuzzing import send
from tests.factories import AdminFactory, CustomerFactory, IdentityFactory

ADAPTERS = (
    r"^/api/v1/(channels/(sending-identities|mail-templates|messaging|unknown-numbers|faxes"
    r"|branches|visits)|customers/\{customer_id\}/(emails|messages|faxes))"
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1")).include(
    path_regex=ADAPTERS
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


def _pdf() -> bytes:
    document = pdfium.PdfDocument.new()
    document.new_page(200, 200)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def world(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PANORAMA_FAX_GATEWAY_DOMAIN = "fax.example"
    admin = AdminFactory(username="fuzz")
    customer = CustomerFactory(first_name="Ana")
    IdentityFactory(customer=customer, kind="phone", value="+34600112233")
    IdentityFactory(customer=customer, kind="email", value="ana@example.com")
    identity = SendingIdentity.objects.create(name="S", from_address="s@bank.example")
    template = MailTemplate.objects.create(name="T", language="es", subject="Hola", body="x")
    # The provider's URL is a closed port: sending fails fast (a 422, not a hang).
    account = messaging_account_save(
        by=None,
        account=MessagingAccount(name="SMS", number="+34600100200", api_url="http://127.0.0.1:9"),
        api_key="k",
    )
    fax = fax_receive(by=None, number="+34600112233", content=_pdf())
    branch = Branch.objects.create(code="B1", name="Sol")
    _token, key = api_token_create(user=admin, name="fuzz")
    known = {
        "customer_id": customer.pk,
        "identity_id": identity.pk,
        "account_id": account.pk,
        "fax_id": fax.pk,
    }
    del template, branch
    return {"Authorization": f"Bearer {key}"}, known


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    derandomize=True,
)
def test_no_request_gets_a_server_error(case, world, api_app):
    headers, known = world
    response = send(case, app=api_app, headers=headers, known=known)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
