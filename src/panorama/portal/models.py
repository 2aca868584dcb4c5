"""The portal's sign-in links: one row per link e-mailed, so a link works once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginLink(models.Model):
    """A sign-in link sent to a customer's e-mail address. The link carries this row's id
    signed with the site's key and its time (``services.login_link_token``); the row says
    whether it was used and until when it may be."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="portal_links"
    )
    email = models.CharField(_("e-mail"), max_length=254)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal sign-in link")
        verbose_name_plural = _("portal sign-in links")
        indexes = [models.Index(fields=["customer", "-created_at"], name="portal_link_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.created_at:%Y-%m-%d %H:%M}"
