"""What administrators define about leads: scoring rules (points on fields and
behaviour), assignment rules (round robin, territory, criteria, capacity) and the
public web forms that capture them."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .lead import LeadActivity

# The lead fields a rule may look at: the lead's own, what it derives (the e-mail's
# domain) and what a form or a file put in its data (country, region, postal code).
RULE_FIELDS = [
    ("first_name", _("First name")),
    ("last_name", _("Last name")),
    ("company", _("Company")),
    ("job_title", _("Job title")),
    ("email", _("E-mail")),
    ("email_domain", _("E-mail domain")),
    ("phone", _("Phone")),
    ("source", _("Source")),
    ("notes", _("Notes")),
    ("country", _("Country")),
    ("region", _("Region")),
    ("postal_code", _("Postal code")),
]


class Operator(models.TextChoices):
    CONTAINS = "contains", _("contains")
    EQUALS = "equals", _("is")
    STARTS_WITH = "starts_with", _("starts with")
    IN = "in", _("is one of (comma-separated)")
    IS_SET = "is_set", _("is filled in")
    IS_EMPTY = "is_empty", _("is empty")


class _Condition(models.Model):
    """A condition on one lead field: ``field`` ``operator`` ``value``."""

    field = models.CharField(_("field"), max_length=20, choices=RULE_FIELDS, blank=True)
    operator = models.CharField(
        _("operator"), max_length=12, choices=Operator.choices, default=Operator.CONTAINS
    )
    value = models.CharField(_("value"), max_length=500, blank=True)

    class Meta:
        abstract = True

    def condition_text(self) -> str:
        label = dict(RULE_FIELDS).get(self.field, self.field)
        if self.operator in (Operator.IS_SET, Operator.IS_EMPTY):
            return f"{label} {Operator(self.operator).label}"
        return f"{label} {Operator(self.operator).label} “{self.value}”"

    def clean_condition(self) -> None:
        if not self.field:
            raise ValidationError({"field": _("Choose the field the rule looks at.")})
        if self.operator not in (Operator.IS_SET, Operator.IS_EMPTY) and not self.value.strip():
            raise ValidationError({"value": _("This operator needs a value to compare with.")})


class ScoringRule(_Condition):
    """Points a lead gets when a field matches (``kind`` field), or for each activity
    of a kind recorded on it (``kind`` behaviour), up to ``max_points`` if set."""

    class Kind(models.TextChoices):
        FIELD = "field", _("Lead field")
        BEHAVIOUR = "behaviour", _("Behaviour")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIELD)
    activity_kind = models.CharField(
        _("activity"), max_length=12, choices=LeadActivity.Kind.choices, blank=True
    )
    points = models.IntegerField(_("points"), help_text=_("Negative points take away."))
    max_points = models.PositiveIntegerField(
        _("at most"),
        null=True,
        blank=True,
        help_text=_("Behaviour: the most points this rule gives however many times it happens."),
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("lead scoring rule")
        verbose_name_plural = _("lead scoring rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.FIELD:
            self.clean_condition()
        elif not self.activity_kind:
            raise ValidationError({"activity_kind": _("Choose the activity that scores.")})
        if self.points == 0:
            raise ValidationError({"points": _("A rule gives or takes at least one point.")})


class AssignmentRule(_Condition):
    """Who gets a lead captured without an owner. Rules are tried in ``position`` order;
    the first that matches the lead and has a rep under ``capacity`` assigns it."""

    class Kind(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin within a team")
        TERRITORY = "territory", _("Territory")
        CRITERIA = "criteria", _("Criteria (field condition)")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=12, choices=Kind.choices, default=Kind.ROUND_ROBIN
    )
    # Territory: any of the given lists may be filled; a lead matches when every filled
    # one matches its data.
    countries = models.CharField(
        _("countries"), max_length=200, blank=True, help_text=_("Comma-separated, e.g. ES, PT.")
    )
    regions = models.CharField(
        _("regions"), max_length=300, blank=True, help_text=_("Comma-separated.")
    )
    postal_prefixes = models.CharField(
        _("postal code prefixes"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, e.g. 28, 45."),
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        related_name="lead_assignment_rules",
        verbose_name=_("team"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rep"),
        help_text=_("Empty: the team's reps take turns."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("The most open leads a rep may hold; a rep at capacity is skipped."),
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("lead assignment rule")
        verbose_name_plural = _("lead assignment rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.CRITERIA:
            self.clean_condition()
        if self.kind == self.Kind.TERRITORY and not (
            self.countries.strip() or self.regions.strip() or self.postal_prefixes.strip()
        ):
            raise ValidationError(
                {"countries": _("A territory needs countries, regions or postal code prefixes.")}
            )


def _new_token() -> str:
    return secrets.token_urlsafe(24)


# The fields a web form may ask for; ``message`` becomes the lead's notes.
WEB_FORM_FIELDS = [
    ("first_name", _("First name")),
    ("last_name", _("Last name")),
    ("company", _("Company")),
    ("job_title", _("Job title")),
    ("email", _("E-mail")),
    ("phone", _("Phone")),
    ("country", _("Country")),
    ("region", _("Region")),
    ("postal_code", _("Postal code")),
    ("message", _("Message")),
]


def _default_fields() -> list[str]:
    return ["first_name", "last_name", "email", "phone", "company", "message"]


class WebForm(models.Model):
    """A form to paste into any web site: it posts to ``/forms/<token>/submit`` and
    each submission is a lead of source web_form for ``team``."""

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(_("public token"), max_length=64, unique=True, default=_new_token)
    fields = models.JSONField(_("fields"), default=_default_fields)
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="web_forms",
        verbose_name=_("target team"),
    )
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_("One per line, e.g. https://www.example.com (the sites that embed it)."),
    )
    thank_you_url = models.URLField(
        _("thank-you page"),
        blank=True,
        help_text=_("Where a visitor goes after sending; empty: the form answers JSON."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.splitlines() if o.strip()]

    def clean(self) -> None:
        known = {name for name, _label in WEB_FORM_FIELDS}
        fields = self.fields if isinstance(self.fields, list) else []
        unknown = [f for f in fields if f not in known] if fields else ["—"]
        if unknown or not fields:
            raise ValidationError(
                {
                    "fields": _("Choose fields among: %(known)s.")
                    % {"known": ", ".join(sorted(known))}
                }
            )
        required = self.required_fields if isinstance(self.required_fields, list) else []
        if set(required) - set(fields):
            raise ValidationError({"required_fields": _("A required field must be a field.")})
        if "email" not in fields and "phone" not in fields:
            raise ValidationError(
                {"fields": _("A form needs an e-mail or a phone field to reach the person.")}
            )


class WebFormThrottle(models.Model):
    """Submissions from one address in the current window. In the database, so every
    web worker process counts the same (like the sign-in throttle)."""

    address = models.CharField(_("IP address"), max_length=45, unique=True)
    window_start = models.DateTimeField(_("window start"), db_index=True)
    count = models.PositiveIntegerField(_("submissions"), default=0)

    class Meta:
        verbose_name = _("web form throttle")
        verbose_name_plural = _("web form throttles")

    def __str__(self) -> str:
        return f"{self.address} ({self.count})"
