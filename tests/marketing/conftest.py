"""A small world for marketing: customers with current accounts, credit cards, contacts
and consents, a marketing user, and the real SMTP server (tests/smtp.py) set for campaigns."""

import datetime

import pytest
from django.utils import timezone

from panorama.accounts.models import Role
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    HoldingFactory,
    IdentityFactory,
    InteractionFactory,
    UserFactory,
)

ACCOUNT = {"product_code": "ACC-NOM", "product_name": "Cuenta Nómina", "category": "Cuentas"}
CARD = {"product_code": "CARD-CR", "product_name": "Tarjeta de crédito", "category": "Tarjetas"}

# "customers with a current account and no credit card, not contacted in 90 days"
EXAMPLE_RULES = {
    "op": "and",
    "rules": [
        {"field": "holding", "op": "has", "value": ["ACC-NOM", "ACC-ONL"]},
        {"field": "holding", "op": "has_not", "value": "CARD-CR"},
        {"field": "contacted", "op": "not_within_days", "value": 90},
    ],
}


@pytest.fixture
def smtp(smtp, settings):
    """The real SMTP server (tests/smtp.py), campaigns sent at once with links to the CRM."""
    settings.PANORAMA_CAMPAIGN_RATE = 0
    settings.PANORAMA_PUBLIC_URL = "https://crm.example.com"
    return smtp


@pytest.fixture
def marketer(db):
    return UserFactory(username="marta", role=Role.MARKETING, email="marta@example.com")


def person(
    name,
    *,
    account=True,
    card=False,
    contacted_days=None,
    consent=True,
    language="es",
    email_address=None,
):
    first, last = name.split()
    customer = CustomerFactory(
        first_name=first, last_name=last, display_name=name, language=language
    )
    if account:
        HoldingFactory(customer=customer, **ACCOUNT, start_date=datetime.date(2020, 1, 1))
    if card:
        HoldingFactory(customer=customer, **CARD, start_date=datetime.date(2021, 1, 1))
    if contacted_days is not None:
        InteractionFactory(
            customer=customer, occurred_at=timezone.now() - datetime.timedelta(days=contacted_days)
        )
    if consent is not None:
        ConsentFactory(customer=customer, granted=consent)
    IdentityFactory(
        customer=customer,
        kind="email",
        value=email_address or f"{first.lower()}@example.com",
        is_primary=True,
    )
    return customer


@pytest.fixture
def world(db):
    """Ana and Luis fit the example segment; Bea holds a card, Carlos was called last
    month, Dora has no account; Eva fits but never consented, Félix withdrew."""
    return {
        "ana": person("Ana García", contacted_days=200),
        "luis": person("Luis Pérez", language="en"),
        "bea": person("Bea Sola", card=True),
        "carlos": person("Carlos Ruiz", contacted_days=30),
        "dora": person("Dora Vidal", account=False),
        "eva": person("Eva Mora", consent=None),
        "felix": person("Félix Gil", consent=False),
    }


@pytest.fixture
def launch(django_capture_on_commit_callbacks):
    """Launch as in production: the sending task is queued at commit (and run at once
    by the tests' immediate backend)."""
    from panorama.marketing.services.campaigns import campaign_launch

    def run(*, by, campaign):
        with django_capture_on_commit_callbacks(execute=True):
            return campaign_launch(by=by, campaign=campaign)

    return run
