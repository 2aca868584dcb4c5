"""Branches and offices where customers are received in person. Imported by
``channels/models.py``; the visit itself is a timeline entry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Branch(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
