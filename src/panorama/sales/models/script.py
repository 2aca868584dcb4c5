"""Sales scripts (*argumentarios*): talking points and objection handling, shown where
they apply (a product, a segment, a stage, a language; each optional)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Script(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("talking points"))
    # [{"objection": "...", "answer": "..."}, ...]
    objections = models.JSONField(_("objections"), default=list, blank=True)
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("product"),
    )
    segment = models.CharField(
        _("segment"),
        max_length=40,
        blank=True,
        help_text=_("A segment code (e.g. person, organisation, pymes); empty: any."),
    )
    stage = models.ForeignKey(
        "sales.Stage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scripts",
        verbose_name=_("stage"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("en", _("English")), ("es", _("Spanish"))],
        help_text=_("Empty: any language."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sales script")
        verbose_name_plural = _("sales scripts")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["active", "stage"], name="script_active_stage")]

    def __str__(self) -> str:
        return self.title
