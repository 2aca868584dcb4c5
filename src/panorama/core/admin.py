"""The audit log and the field history, read-only for administrators."""

from django.contrib import admin

from .models import AuditEvent, FieldChange


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
