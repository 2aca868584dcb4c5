"""The audit log, the field history and the outbox's deliveries, read-only for
administrators (given-up deliveries can be retried)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEvent, FieldChange, OutboxDelivery


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "username", "ip_address", "detail")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"


@admin.register(FieldChange)
class FieldChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "customer_id", "field", "old_value", "new_value", "changed_by")
    search_fields = ("=customer_id", "field")
    list_select_related = ("changed_by",)


@admin.register(OutboxDelivery)
class OutboxDeliveryAdmin(ReadOnlyAdmin):
    """The outbox's deliveries: the ones given up (a handler failed every attempt) are
    what an administrator looks at; "retry" puts them back in the queue."""

    list_display = ("id", "subscriber", "event", "attempts", "delivered_at", "gave_up", "error")
    list_filter = ("subscriber", "gave_up")
    list_select_related = ("event",)
    # The change permission is only there for the retry action: nothing is editable.
    readonly_fields = (
        "event",
        "subscriber",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "gave_up",
        "error",
    )
    actions = ["retry"]

    @admin.action(description=_("Retry the selected deliveries now"))
    def retry(self, request, queryset) -> None:
        count = queryset.filter(delivered_at__isnull=True).update(
            gave_up=False, next_attempt_at=timezone.now()
        )
        self.message_user(request, _("%(n)s deliveries will be retried.") % {"n": count})

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or getattr(request.user, "role", "") == "admin"
