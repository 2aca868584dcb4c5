"""The duplicate workflow's records: candidate pairs found by the scan, and merges (with
what each moved, so it can be undone).

They belong to the ``customers`` app: ``customers.models`` imports them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DuplicateCandidate(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not a duplicate")

    customer_a = models.ForeignKey("Customer", on_delete=models.CASCADE, related_name="+")
    customer_b = models.ForeignKey("Customer", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_a", "customer_b"], name="duplicate_pair_unique"
            ),
            models.CheckConstraint(
                condition=Q(customer_a__lt=models.F("customer_b")), name="duplicate_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_a_id} ~ {self.customer_b_id} ({self.status})"


class CustomerMerge(models.Model):
    """A merge of ``merged`` into ``survivor``: what moved, so it can be undone."""

    survivor = models.ForeignKey("Customer", on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey("Customer", on_delete=models.CASCADE, related_name="+")
    relinked = models.JSONField(default=dict)  # "app_label.model.field" -> [ids moved]
    # Rows left on the merged customer because the survivor already had their unique
    # key (same identity, same group), and rows whose is_primary the merge cleared.
    kept = models.JSONField(default=dict, blank=True)  # "app_label.model.field" -> [ids]
    # Duplicate links the merge deleted instead (``merging.DROP_DUPLICATES``), serialized whole.
    dropped = models.JSONField(default=dict, blank=True)  # "app_label.model.field" -> [rows]
    primary_cleared = models.JSONField(default=dict, blank=True)  # "app_label.model" -> [ids]
    survivor_before = models.JSONField(default=dict)
    # What the merge wrote into those fields: an undo restores a field only while it
    # still holds this, and lists the others (changed since) in ``undo_conflicts``.
    survivor_after = models.JSONField(default=dict, blank=True)
    undo_conflicts = models.JSONField(
        default=list, blank=True
    )  # [{field, before, merged, current}]
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
