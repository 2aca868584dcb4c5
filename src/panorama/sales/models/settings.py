"""Sales settings administrators change in the app. Every change is a row (who, when,
from → to): the latest row of a key is the value in force, the rows are its audit
trail; a key never changed reads its default from the environment."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesSettingChange(models.Model):
    class Key(models.TextChoices):
        QUOTE_APPROVAL_DISCOUNT = (
            "quote_approval_discount",
            _("Manual discount above which a quote needs approval (%)"),
        )

    key = models.CharField(_("setting"), max_length=40, choices=Key.choices)
    value = models.CharField(_("new value"), max_length=40)
    previous = models.CharField(_("previous value"), max_length=40, blank=True)
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sales setting change")
        verbose_name_plural = _("sales setting changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["key", "-id"], name="sales_setting_latest")]

    def __str__(self) -> str:
        return f"{self.key}: {self.previous} → {self.value}"
