"""Service levels and queues in the admin (administrators): the same rules as the
services (``calendar_check``, ``policy_check``), shown beside the field they name."""

from django import forms
from django.contrib import admin
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from panorama.core.exceptions import ValidationFailed

from .models import (
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
from .services.sla import calendar_check, policy_check


def _checked(form: forms.ModelForm, check) -> None:
    try:
        check(construct_instance(form, form.instance))
    except ValidationFailed as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, str(exc.message))


class CalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "country", "subdivision", "hours"]

    def clean(self) -> dict | None:
        data = super().clean()
        if not self.errors:
            _checked(self, calendar_check)
        return data


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "calendar",
            "queue",
            "priority",
            "segment",
            "first_response_minutes",
            "resolution_minutes",
            "warn_minutes",
            "escalate_to_queue",
            "escalate_to_user",
            "raise_priority",
            "manager_email",
            "active",
        ]

    def clean(self) -> dict | None:
        data = super().clean()
        if not self.errors:
            _checked(self, policy_check)
        return data


class HolidayInline(admin.TabularInline):
    model = CalendarHoliday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone", "country", "subdivision"]
    inlines = [HolidayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
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


class MemberInline(admin.TabularInline):
    model = QueueMember
    extra = 1


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
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
    readonly_fields = ["visits_used", "hours_used", "renewal_alerted_at"]
