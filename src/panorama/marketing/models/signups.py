"""Public sign-up forms (one per list or topic) and their double opt-in requests, each
kept as the proof of the consent it gave: when it was asked and confirmed, from which
address, and the exact text the visitor was shown. Plus the addresses campaigns no
longer write to (a hard bounce)."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(18)


class SignupForm(models.Model):
    name = models.CharField(_("name"), max_length=120)
    static_list = models.ForeignKey(
        "marketing.StaticList",
        on_delete=models.PROTECT,
        related_name="signup_forms",
        verbose_name=_("list joined"),
    )
    token = models.CharField(_("public token"), max_length=40, unique=True, default=new_token)
    consent_text_es = models.TextField(_("consent text (Spanish)"))
    consent_text_en = models.TextField(_("consent text (English)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-up form")
        verbose_name_plural = _("sign-up forms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def consent_text(self, language: str) -> str:
        return (
            self.consent_text_en
            if language == "en" and self.consent_text_en
            else (self.consent_text_es)
        )


class OptIn(models.Model):
    """One sign-up: asked (pending) until the link in the confirmation e-mail is
    followed; then the consent it recorded and the customer it joined to the list."""

    form = models.ForeignKey(SignupForm, on_delete=models.PROTECT, related_name="optins")
    email = models.CharField(_("e-mail"), max_length=255)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    text_shown = models.TextField(_("text shown"))
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    request_ip = models.GenericIPAddressField(_("asked from"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirm_ip = models.GenericIPAddressField(_("confirmed from"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="optins",
        verbose_name=_("customer"),
    )
    consent = models.OneToOneField(
        "customers.Consent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="optin",
        verbose_name=_("consent recorded"),
    )

    class Meta:
        verbose_name = _("double opt-in")
        verbose_name_plural = _("double opt-ins")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["email", "-requested_at"], name="optin_email")]

    def __str__(self) -> str:
        return f"{self.email} → {self.form_id}"


class Suppression(models.Model):
    """An address no campaign writes to again (a hard bounce), and why."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Complaint")
        SOFT_BOUNCES = "soft_bounces", _("Repeated soft bounces")

    email = models.CharField(_("e-mail"), max_length=255, unique=True)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    recipient = models.ForeignKey(
        "marketing.Recipient",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("campaign message"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.email
