import hashlib

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES_REP = "sales_rep", _("Sales rep")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    SERVICE_AGENT = "service_agent", _("Service agent")
    MARKETING = "marketing", _("Marketing")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


# Roles that work with every customer: an agent answers whoever calls, marketing and
# analysts work on the whole base. Sales roles see their own book of business.
ROLES_SEEING_ALL = {Role.SERVICE_AGENT, Role.MARKETING, Role.ANALYST, Role.ADMIN}
# Roles that may read but not change customer records.
READ_ONLY_ROLES = {Role.ANALYST}


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent team"),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A team cannot sit under itself, directly or through its parents: a manager's
        scope follows the parents, and a loop would make it meaningless."""
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A team cannot be placed under itself or its own sub-teams.")}
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALES_REP)
    teams = models.ManyToManyField(
        Team, blank=True, related_name="members", verbose_name=_("teams")
    )
    managed_teams = models.ManyToManyField(
        Team, blank=True, related_name="managers", verbose_name=_("managed teams")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("en", _("English")), ("es", _("Spanish"))],
        help_text=_("Empty: follow the browser's language."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def sees_all_customers(self) -> bool:
        return self.is_superuser or self.role in ROLES_SEEING_ALL


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored: the clear value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, default="default")
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginThrottle(models.Model):
    """Failed sign-ins in a row for one username or from one address, and the lock they
    earned. In the database, so every web worker process sees the same counts."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("Username")
        ADDRESS = "address", _("IP address")

    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    # The lower-cased username as typed (whether or not such a user exists), or the address.
    key = models.CharField(_("key"), max_length=150)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure_at = models.DateTimeField(_("last failure at"), db_index=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="accounts_loginthrottle_scope_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.failures})"
