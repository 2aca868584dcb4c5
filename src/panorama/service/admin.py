"""The service app in the admin. Queues, business-hours calendars and SLA policies are
set up on the service set-up page (/service/settings/) and the API, whose services
check the rules (no overlapping policies, real holidays, known regions) and emit
events: here they are read-only, as are the knowledge base categories (their own page)
and a contract's status and end (renewed, extended, cancelled on its page). PBXs,
callback forms and the field-service configuration are edited here."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    ArticleCategory,
    BusinessCalendar,
    CalendarHoliday,
    CallbackForm,
    Extension,
    MaintenancePlan,
    Part,
    Pbx,
    Queue,
    QueueMember,
    ServiceContract,
    SlaPolicy,
    StockLevel,
    StockLocation,
    TechnicianProfile,
)


class ThroughTheSetUpPage:
    """Read-only here: the service set-up page and the API write through the services."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class HolidayInline(ThroughTheSetUpPage, admin.TabularInline):
    model = CalendarHoliday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ThroughTheSetUpPage, admin.ModelAdmin):
    list_display = ["name", "time_zone", "country", "subdivision"]
    inlines = [HolidayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ThroughTheSetUpPage, admin.ModelAdmin):
    list_display = [
        "name",
        "queue",
        "priority",
        "segment",
        "first_response_minutes",
        "resolution_minutes",
        "active",
    ]
    list_filter = ["active", "queue"]


class MemberInline(ThroughTheSetUpPage, admin.TabularInline):
    model = QueueMember
    extra = 0


@admin.register(Queue)
class QueueAdmin(ThroughTheSetUpPage, admin.ModelAdmin):
    list_display = ["name", "email", "active"]
    inlines = [MemberInline]


# --- call management: PBXs, extensions, callback web forms (``service.configure``) --------


class ConfigureOnly:
    """Shown to and editable by staff who hold ``service.configure``."""

    def _may(self, request) -> bool:
        from panorama.accounts.permissions import can

        return (
            request.user.is_active
            and request.user.is_staff
            and can(request.user, "service.configure")
        )

    def has_module_permission(self, request) -> bool:
        return self._may(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request)


class ExtensionInline(ConfigureOnly, admin.TabularInline):
    model = Extension
    extra = 1


class PbxForm(forms.ModelForm):
    outbound_url = forms.URLField(
        label=_("click-to-call URL"),
        required=False,
        assume_scheme="https",
        help_text=Pbx._meta.get_field("outbound_url").help_text,
    )

    class Meta:
        model = Pbx
        fields = ["name", "secret", "outbound_url", "active"]


@admin.register(Pbx)
class PbxAdmin(ConfigureOnly, admin.ModelAdmin):
    form = PbxForm
    list_display = ["name", "outbound_url", "active", "created_at"]
    fields = ["name", "secret", "outbound_url", "active", "webhook"]
    readonly_fields = ["webhook"]
    inlines = [ExtensionInline]

    @admin.display(description=_("Webhook"))
    def webhook(self, obj: Pbx) -> str:
        return f"/api/v1/telephony/{obj.pk}/events" if obj.pk else "—"


@admin.register(CallbackForm)
class CallbackFormAdmin(ConfigureOnly, admin.ModelAdmin):
    list_display = ["name", "queue", "active", "endpoint"]
    fields = ["name", "token", "queue", "allowed_origins", "active"]

    @admin.display(description=_("Endpoint"))
    def endpoint(self, obj: CallbackForm) -> str:
        return f"/forms/callback/{obj.token}/submit"


# --- field service: configuration (technicians, plans, parts, locations) ------------------
# Assets, contracts and work orders are written through their services (pages and API);
# here an administrator sets up who works in the field and where the parts are.


@admin.register(TechnicianProfile)
class TechnicianProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "area", "skills", "active"]
    list_filter = ["active"]
    raw_id_fields = ["user"]


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(admin.ModelAdmin):
    list_display = ["name", "asset", "interval_days", "next_due", "active"]
    list_filter = ["active"]
    raw_id_fields = ["asset"]


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "active"]
    search_fields = ["sku", "name"]


class StockLevelInline(admin.TabularInline):
    model = StockLevel
    extra = 0
    fields = ["part", "quantity", "minimum"]
    readonly_fields = ["quantity"]  # stock changes through transfers and receipts only


@admin.register(StockLocation)
class StockLocationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "technician", "active"]
    list_filter = ["kind", "active"]
    inlines = [StockLevelInline]


@admin.register(ServiceContract)
class ServiceContractAdmin(admin.ModelAdmin):
    list_display = ["reference", "name", "customer", "kind", "starts_on", "ends_on", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["customer", "owner", "assets"]
    # Renewing, extending and cancelling go through the contract page and the API (the
    # services check the dates, retarget the cases, write the timeline).
    readonly_fields = [
        "visits_used",
        "hours_used",
        "renewal_alerted_at",
        "status",
        "ends_on",
        "cancelled_on",
        "cancellation_reason",
        "renewed_from",
    ]


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(ThroughTheSetUpPage, admin.ModelAdmin):
    """Read-only: the categories page (/service/kb/categories/) and the API write them."""

    list_display = ["slug", "name_en", "name_es", "parent", "position"]
