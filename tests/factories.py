"""factory_boy factories: the one way tests make data."""

import datetime

import factory
from django.utils import timezone

from panorama.accounts.models import Role, Team, User
from panorama.channels.models import Interaction
from panorama.customers import identifiers
from panorama.customers.models import (
    Address,
    BillingIncident,
    Consent,
    Customer,
    Group,
    GroupMembership,
    Holding,
    Identity,
)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="es_ES")
    last_name = factory.Faker("last_name", locale="es_ES")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.SALES_REP
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)

    @factory.post_generation
    def managed_teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.managed_teams.set(extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    kind = Customer.Kind.PERSON
    first_name = factory.Faker("first_name", locale="es_ES")
    last_name = factory.Faker("last_name", locale="es_ES")
    display_name = factory.LazyAttribute(
        lambda c: f"{c.first_name} {c.last_name}".strip() or c.legal_name
    )
    search_name = factory.LazyAttribute(lambda c: identifiers.fold(c.display_name))
    search_last = factory.LazyAttribute(lambda c: identifiers.fold(c.last_name))
    owner = None
    team = None


class OrganisationFactory(CustomerFactory):
    kind = Customer.Kind.ORGANISATION
    first_name = ""
    last_name = ""
    legal_name = factory.Faker("company", locale="es_ES")


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    customer = factory.SubFactory(CustomerFactory)
    kind = Identity.Kind.EMAIL
    value = factory.Sequence(lambda n: f"person{n}@example.com")


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    line1 = factory.Faker("street_address", locale="es_ES")
    postal_code = "28001"
    city = "Madrid"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Familia {n}")
    kind = Group.Kind.FAMILY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(GroupFactory)
    customer = factory.SubFactory(CustomerFactory)
    role = GroupMembership.Role.MEMBER


class HoldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holding

    customer = factory.SubFactory(CustomerFactory)
    product_code = "MORT-01"
    product_name = "Hipoteca fija"
    start_date = datetime.date(2020, 1, 1)
    price = 650


class BillingIncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingIncident

    customer = factory.SubFactory(CustomerFactory)
    kind = BillingIncident.Kind.UNPAID_INVOICE
    reference = factory.Sequence(lambda n: f"INV-{n:05d}")
    amount = 120


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    purpose = Consent.Purpose.MARKETING
    channel = Consent.Channel.EMAIL
    granted = True
    at = factory.LazyFunction(timezone.now)


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    channel = Interaction.Channel.PHONE
    direction = Interaction.Direction.INBOUND
    subject = factory.Sequence(lambda n: f"Call {n}")
    occurred_at = factory.LazyFunction(timezone.now)


class CustomFieldDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "customers.CustomFieldDefinition"
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.LazyAttribute(lambda d: d.key.replace("_", " ").capitalize())


# --- sales ------------------------------------------------------------------------------


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sales.Pipeline"

    name = factory.Sequence(lambda n: f"Pipeline {n}")
    currency = "EUR"
    is_default = True


def pipeline_with_stages(name: str = "New business", **kwargs):
    """A pipeline with the usual stages: Qualify (10 %), Propose (40 %, needs an
    amount), Negotiate (70 %, needs an expected close date), Won (100 %), Lost (0 %)."""
    from panorama.sales.models import Stage

    pipeline = PipelineFactory(name=name, **kwargs)
    for position, (stage_name, kind, probability, required) in enumerate(
        [
            ("Qualify", Stage.Kind.OPEN, 10, []),
            ("Propose", Stage.Kind.OPEN, 40, ["amount"]),
            ("Negotiate", Stage.Kind.OPEN, 70, ["amount", "expected_close"]),
            ("Won", Stage.Kind.WON, 100, []),
            ("Lost", Stage.Kind.LOST, 0, []),
        ]
    ):
        Stage.objects.create(
            pipeline=pipeline,
            name=stage_name,
            kind=kind,
            probability=probability,
            position=position,
            required_fields=required,
        )
    return pipeline


class LostReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sales.LostReason"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Reason {n}")


# --- service ----------------------------------------------------------------------------


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "service.Queue"

    name = factory.Sequence(lambda n: f"Queue {n}")
