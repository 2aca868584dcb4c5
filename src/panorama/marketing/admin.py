"""Marketing records in the Django admin, **read only**: each is written through its
service in the app (a segment's rules checked, a campaign's ledger drawn at launch, a
journey's steps renumbered, a consent recorded with its proof) and an admin form saving
the row directly would skip those rules. The one admin action: lifting a suppression
(deleting it) when an address works again."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from panorama.core.admin import ReadOnlyAdmin

from .models import (
    Campaign,
    CampaignVariant,
    Enrolment,
    Journey,
    JourneyMessage,
    JourneyStep,
    MessageTemplate,
    OptIn,
    Segment,
    SegmentAlert,
    SignupForm,
    StaticList,
    Suppression,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AppLink(ReadOnlyAdmin):
    app_url = ""
    readonly_fields = ("app_link",)

    @admin.display(description=_("in the app"))
    def app_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse(self.app_url, args=[obj.pk]), _("Open"))


@admin.register(Segment)
class SegmentAdmin(AppLink, ReadOnlyAdmin):
    app_url = "marketing:segment_edit"
    list_display = ("name", "priority", "team", "owner", "updated_at", "app_link")
    search_fields = ("name",)


@admin.register(SegmentAlert)
class SegmentAlertAdmin(ReadOnlyAdmin):
    list_display = ("text", "segment", "level", "active", "starts_on", "ends_on")
    list_filter = ("level", "active")
    search_fields = ("text", "segment__name")


@admin.register(StaticList)
class StaticListAdmin(AppLink, ReadOnlyAdmin):
    app_url = "marketing:list_detail"
    list_display = ("name", "segment", "created_at", "app_link")
    search_fields = ("name",)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AppLink, ReadOnlyAdmin):
    app_url = "marketing:template_edit"
    list_display = ("name", "subject_es", "updated_at", "app_link")
    search_fields = ("name", "subject_es", "subject_en")


class VariantInline(ReadOnlyInline):
    model = CampaignVariant
    fields = ("label", "template", "subject")


@admin.register(Campaign)
class CampaignAdmin(AppLink, ReadOnlyAdmin):
    app_url = "marketing:campaign_detail"
    list_display = ("name", "status", "channel", "launched_at", "ab_percent", "app_link")
    list_filter = ("status", "channel")
    search_fields = ("name",)
    inlines = [VariantInline]


class StepInline(ReadOnlyInline):
    model = JourneyStep
    fields = ("parent", "path", "position", "kind", "config")


@admin.register(Journey)
class JourneyAdmin(AppLink, ReadOnlyAdmin):
    app_url = "marketing:journey_detail"
    list_display = ("name", "status", "trigger", "created_at", "app_link")
    list_filter = ("status", "trigger")
    search_fields = ("name",)
    inlines = [StepInline]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("journey", "customer", "status", "step", "due_at", "entered_at", "occurrence")
    list_filter = ("status",)
    list_select_related = ("journey", "customer", "step")
    search_fields = ("=customer__id",)


@admin.register(JourneyMessage)
class JourneyMessageAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "step", "sent_at", "opened_at", "clicked_at")
    list_select_related = ("enrolment", "step")
    search_fields = ("=enrolment__customer__id",)


@admin.register(SignupForm)
class SignupFormAdmin(ReadOnlyAdmin):
    list_display = ("name", "static_list", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name",)


@admin.register(OptIn)
class OptInAdmin(ReadOnlyAdmin):
    list_display = ("email", "form", "requested_at", "confirmed_at", "customer")
    list_filter = ("form",)
    list_select_related = ("form", "customer")
    search_fields = ("email",)
    date_hierarchy = "requested_at"


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ("email", "reason", "detail", "at")
    list_filter = ("reason",)
    search_fields = ("email",)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Lifting a suppression: the address is written to again by later campaigns.
        return bool(request.user.is_superuser)
