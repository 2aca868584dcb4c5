"""Customers and everything that identifies or describes them.

Contact points (the several phones and e-mails of a customer) are ``Identity`` rows of
kind phone / e-mail with a label: the same normalised value serves to reach the
customer and to recognise him when he calls or writes.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The workflows' records live in their sub-packages (imports/, duplicates/); imported
# here so that Django registers them with this app and ``customers.models`` names them.
from .duplicates.models import CustomerMerge, DuplicateCandidate
from .imports.models import ImportChange, ImportJob, ImportRowError, ImportUndoNote


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    # Maintained by the services from the fields above: the name shown everywhere and
    # its folded form (lower case, no accents), indexed for prefix search and sorting.
    display_name = models.CharField(_("name"), max_length=255)
    # Indexed by Meta.indexes only: (search_name, id) serves the prefix search and the
    # keyset order, so a single-column index (and PostgreSQL's extra pattern-ops twin
    # of db_index) would only slow every insert.
    search_name = models.CharField(max_length=255, editable=False)
    search_last = models.CharField(max_length=150, editable=False, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
        verbose_name=_("account manager"),
        db_index=False,  # (owner, id) in Meta.indexes
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
        verbose_name=_("team"),
        db_index=False,  # (team, id) in Meta.indexes
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        verbose_name=_("merged into"),
        db_index=False,  # partial index in Meta.indexes: only merged duplicates have one
    )
    # The import that created the customer, so undoing it deletes what it made: kept on
    # the customer's own row rather than as one more row per imported customer.
    import_job = models.ForeignKey(
        "ImportJob",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="created_customers",
        verbose_name=_("created by import"),
        db_index=False,  # partial index in Meta.indexes: most customers were not imported
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the newest interaction on his timeline happened: written only by the database
    # triggers of ``channels/last_contact.py`` (every insert, delete and move of an
    # interaction, whatever wrote it), so "not contacted in N days" reads the customer's
    # row instead of probing his interactions. ``save()`` never writes it back.
    last_contact_at = models.DateTimeField(_("last contact"), null=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["owner", "id"], name="customer_owner_id"),
            models.Index(fields=["team", "id"], name="customer_team_id"),
            models.Index(fields=["search_name", "id"], name="customer_search_id"),
            models.Index(fields=["search_last"], name="customer_search_last"),
            # The warehouse refresh reads the rows changed since its last load by it.
            models.Index(fields=["updated_at"], name="customer_updated"),
            models.Index(
                fields=["import_job"],
                name="customer_import_job",
                condition=models.Q(import_job__isnull=False),
            ),
            models.Index(
                fields=["merged_into"],
                name="customer_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        # A customer read before an interaction was recorded would put the older
        # ``last_contact_at`` back: an update writes every column but that one.
        if (
            kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
            and not self._state.adding
        ):
            kwargs["update_fields"] = _SAVED_FIELDS
        super().save(*args, **kwargs)


# What ``Customer.save()`` writes on an update (``last_contact_at`` is the triggers').
_SAVED_FIELDS = [
    f.name
    for f in Customer._meta.concrete_fields
    if not f.primary_key and f.name != "last_contact_at"
]


class Identity(models.Model):
    class Kind(models.TextChoices):
        NATIONAL_ID = "national_id", _("National ID (DNI/NIE/CIF)")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        LOYALTY_CARD = "loyalty_card", _("Loyalty card")
        PIN = "pin", _("PIN")
        COOKIE = "cookie", _("Web cookie")
        EXTERNAL = "external_id", _("External (ERP) ID")

    # The unique (customer, kind, value) constraint indexes the customer first.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="identities", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Normalised form (E.164 phone, lower-case e-mail, upper-case ID...). For a PIN it is
    # a salted password hash and never used for lookups.
    value = models.CharField(_("value"), max_length=255)
    label = models.CharField(_("label"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        indexes = [models.Index(fields=["value", "kind"], name="identity_value_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "kind", "value"], name="identity_unique_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.display_value}"

    @property
    def display_value(self) -> str:
        return "••••" if self.kind == self.Kind.PIN else self.value


class Address(models.Model):
    class Kind(models.TextChoices):
        HOME = "home", _("Home")
        BILLING = "billing", _("Billing")
        SHIPPING = "shipping", _("Shipping")
        WORK = "work", _("Work")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HOME)
    line1 = models.CharField(_("address"), max_length=200, blank=True)
    line2 = models.CharField(_("address (more)"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="ES")
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(p for p in [self.line1, self.postal_code, self.city] if p)


class Group(models.Model):
    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        BUSINESS = "business", _("Business")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Who may see the group while it has no member yet (then its members decide).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        HEAD = "head", _("Head of household")
        PARTNER = "partner", _("Partner")
        CHILD = "child", _("Child")
        RELATIVE = "relative", _("Relative")
        OWNER = "owner", _("Owner")
        DIRECTOR = "director", _("Director")
        EMPLOYEE = "employee", _("Employee")
        SUBSIDIARY = "subsidiary", _("Subsidiary")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "customer"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.group_id} ({self.role})"


class Holding(models.Model):
    """A product or service the customer has contracted, with its conditions."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="holdings")
    product_code = models.CharField(_("product code"), max_length=50)
    product_name = models.CharField(_("product"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    # The warehouse's change marker: set on every save, and by a trigger on any other
    # UPDATE (a merge's bulk move, plain SQL) that leaves it as it was
    # (analytics migration 0006).
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        indexes = [
            models.Index(fields=["customer", "status"], name="holding_customer_status"),
            # A segment's "holds product X" starts from the product's holders.
            models.Index(
                fields=["product_code", "status", "customer"], name="holding_product_status"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="holding_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_name} ({self.customer_id})"


class BillingIncident(models.Model):
    class Kind(models.TextChoices):
        UNPAID_INVOICE = "unpaid_invoice", _("Unpaid invoice")
        RETURNED_PAYMENT = "returned_payment", _("Returned payment")
        DISPUTE = "dispute", _("Disputed charge")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="billing_incidents"
    )
    holding = models.ForeignKey(
        Holding, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=60)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("billing incident")
        verbose_name_plural = _("billing incidents")
        indexes = [models.Index(fields=["customer", "status"], name="incident_customer_status")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.customer_id})"


class Consent(models.Model):
    """One decision of the customer about one purpose on one channel.

    Rows are never updated: a withdrawal is a new row, so the history is the table and
    the current state is the newest row per (purpose, channel).
    """

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing communications")
        PROFILING = "profiling", _("Profiling and analytics")
        THIRD_PARTY = "third_party", _("Sharing with partners")
        SERVICE = "service", _("Service communications")

    class Channel(models.TextChoices):
        ANY = "any", _("Any channel")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Phone")
        POST = "post", _("Post")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default="any")
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(fields=["customer", "purpose", "channel", "-at"], name="consent_current")
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose}/{self.channel}: {self.granted}"


class CustomFieldDefinition(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Decimal number")
        DATE = "date", _("Date")
        BOOLEAN = "boolean", _("Yes / no")
        CHOICE = "choice", _("Choice")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    searchable = models.BooleanField(_("searchable"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    # An inactive field is hidden from the forms, the ficha and the import, and refused on
    # write; the values customers hold are kept, and shown again when it is reactivated.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        choices = self.choices
        if self.type == self.Type.CHOICE:
            if (
                not isinstance(choices, list)
                or not choices
                or not all(isinstance(c, str) and c.strip() for c in choices)
            ):
                raise ValidationError(
                    {
                        "choices": _(
                            'A choice field needs its choices: a list such as ["gold", "silver"].'
                        )
                    }
                )
        elif choices:
            raise ValidationError({"choices": _("Only a choice field has choices.")})


__all__ = [
    "Address",
    "BillingIncident",
    "Consent",
    "Customer",
    "CustomFieldDefinition",
    "CustomerMerge",
    "DuplicateCandidate",
    "Group",
    "GroupMembership",
    "Holding",
    "Identity",
    "ImportChange",
    "ImportJob",
    "ImportRowError",
    "ImportUndoNote",
]
