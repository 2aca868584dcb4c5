"""Parametrisation without code: administrators define the lead scoring rules, the
assignment rules and the public web forms.

Every other sales record (leads, opportunities and pipelines, quotes, orders, the
agenda, scripts, forecast adjustments, lead imports) is listed here **read only**, with
a link to its page in the app: each is written through its service there (a quote
priced by the catalogue, an order's lifecycle, a stage move with its history), and an
admin form that saved the row directly would skip those rules."""

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    Activity,
    AssignmentRule,
    CalendarFeed,
    Competitor,
    ForecastAdjustment,
    Lead,
    LeadActivity,
    LeadImport,
    LostReason,
    Opportunity,
    OpportunityProduct,
    Order,
    OrderLine,
    OrderPromotion,
    Pipeline,
    Quote,
    QuoteLine,
    SalesSettingChange,
    ScoringRule,
    Script,
    Stage,
    StageChange,
    WebForm,
    WebFormThrottle,
)
from .models.lead_rules import WEB_FORM_FIELDS
from .services.lead_scoring import leads_rescore, leads_rescore_task


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "field",
        "operator",
        "value",
        "activity_kind",
        "points",
        "active",
    )
    list_editable = ("points", "active")
    list_filter = ("kind", "active")
    fields = (
        "name",
        "kind",
        ("field", "operator", "value"),
        ("activity_kind", "max_points"),
        "points",
        ("active", "position"),
    )
    actions = ["rescore"]

    # The scores follow the rules: a change to a rule queues the rescoring of every open
    # lead (the lead_scoring service, in the background), after the rule is saved.
    def _rescore_later(self, request) -> None:
        user_id = request.user.pk
        transaction.on_commit(lambda: leads_rescore_task.enqueue(user_id))
        self.message_user(
            request, _("The scores of the open leads are being recomputed."), messages.INFO
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._rescore_later(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._rescore_later(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._rescore_later(request)

    @admin.action(description=_("Recompute the score of every open lead"))
    def rescore(self, request, queryset):
        changed = leads_rescore(by=request.user)
        self.message_user(
            request, _("%(n)d leads changed score.") % {"n": changed}, messages.SUCCESS
        )


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "team", "owner", "capacity", "position", "active")
    list_editable = ("position", "active")
    list_filter = ("kind", "active")
    fields = (
        "name",
        "kind",
        ("countries", "regions", "postal_prefixes"),
        ("field", "operator", "value"),
        ("team", "owner"),
        "capacity",
        ("active", "position"),
    )


class WebFormAdminForm(forms.ModelForm):
    """The fields to ask and those required, as check boxes (stored as lists)."""

    # Declared fields leave the class attributes (Django's metaclass): no clash with
    # BaseForm.fields at run time, only in the type checker's eyes.
    fields = forms.MultipleChoiceField(  # type: ignore[assignment]
        label=_("Fields"), choices=WEB_FORM_FIELDS, widget=forms.CheckboxSelectMultiple
    )
    required_fields = forms.MultipleChoiceField(
        label=_("Required fields"),
        choices=WEB_FORM_FIELDS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    thank_you_url = forms.URLField(
        label=_("thank-you page"),
        required=False,
        assume_scheme="https",
        help_text=_("Where a visitor goes after sending; empty: the form answers JSON."),
    )

    class Meta:
        model = WebForm
        fields = [
            "name",
            "fields",
            "required_fields",
            "team",
            "allowed_origins",
            "thank_you_url",
            "active",
        ]


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    form = WebFormAdminForm
    list_display = ("name", "team", "active", "snippet", "created_at")
    readonly_fields = ("token", "snippet")
    fields = (
        "name",
        "fields",
        "required_fields",
        "team",
        "allowed_origins",
        "thank_you_url",
        "active",
        "token",
        "snippet",
    )

    @admin.display(description=_("Snippet"))
    def snippet(self, obj):
        if obj is None or obj.pk is None:
            return _("Save the form to get its snippet.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("sales:webform_snippet", args=[obj.pk]),
            _("Show the snippet to paste into the web site"),
        )


@admin.register(WebFormThrottle)
class WebFormThrottleAdmin(admin.ModelAdmin):
    """Addresses sending the web forms; deleting a row lets that address send again."""

    list_display = ("address", "count", "window_start")
    search_fields = ("address",)
    readonly_fields = ("address", "count", "window_start")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnly:
    """View only: the record is written by its service, from its page in the app."""

    app_url: str = ""  # the URL name of the record's page, given its id

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("In the app"))
    def app_link(self, obj):
        if not self.app_url or obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse(self.app_url, args=[obj.pk]), _("Open"))


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class QuoteLineInline(ReadOnlyInline):
    model = QuoteLine
    fields = ("position", "sku", "name", "options", "quantity", "unit_price", "net", "total")
    readonly_fields = fields


class DocumentAdmin(ReadOnly, admin.ModelAdmin):
    """What quotes and orders share: found by reference, filtered by status and
    currency, their customer and owner read with the row, no full count."""

    list_filter = ("status", "currency")
    search_fields = ("reference",)
    list_select_related = ("customer", "owner")
    readonly_fields = ("app_link",)
    show_full_result_count = False


@admin.register(Quote)
class QuoteAdmin(DocumentAdmin):
    app_url = "sales:quote_detail"
    list_display = (
        "reference",
        "customer",
        "status",
        "total",
        "currency",
        "valid_until",
        "owner",
        "app_link",
    )
    raw_id_fields = ("customer", "opportunity", "previous")
    inlines = [QuoteLineInline]


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "position",
        "sku",
        "name",
        "options",
        "quantity",
        "unit_price",
        "net",
        "total",
        "expected_date",
        "reserved",
        "backordered",
        "components",
    )
    readonly_fields = fields


class OrderPromotionInline(ReadOnlyInline):
    model = OrderPromotion
    fields = ("promotion", "returned_at")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(DocumentAdmin):
    app_url = "sales:order_detail"
    list_display = (
        "reference",
        "customer",
        "status",
        "total",
        "currency",
        "expected_delivery",
        "owner",
        "app_link",
    )
    raw_id_fields = ("customer", "quote")
    inlines = [OrderLineInline, OrderPromotionInline]


class StageInline(ReadOnlyInline):
    model = Stage
    fields = ("position", "name", "kind", "probability", "forecast_category", "required_fields")
    readonly_fields = fields


@admin.register(Pipeline)
class PipelineAdmin(ReadOnly, admin.ModelAdmin):
    app_url = "sales:pipeline_edit"
    list_display = ("name", "currency", "is_default", "active", "position", "app_link")
    readonly_fields = ("app_link",)
    inlines = [StageInline]


@admin.register(LostReason)
class LostReasonAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("name", "active", "position")


@admin.register(Competitor)
class CompetitorAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("name", "website")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("name",)


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fk_name = "opportunity"
    fields = ("at", "from_stage", "to_stage", "by", "seconds_in_previous")
    readonly_fields = fields


class OpportunityProductInline(ReadOnlyInline):
    model = OpportunityProduct
    fields = ("product", "quantity")
    readonly_fields = fields


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnly, admin.ModelAdmin):
    app_url = "sales:opportunity_detail"
    list_display = (
        "name",
        "customer",
        "pipeline",
        "stage",
        "status",
        "amount",
        "currency",
        "owner",
        "app_link",
    )
    list_filter = ("status", "pipeline")
    search_fields = ("name",)
    list_select_related = ("customer", "pipeline", "stage", "owner")
    readonly_fields = ("app_link",)
    raw_id_fields = ("customer",)
    inlines = [OpportunityProductInline, StageChangeInline]
    show_full_result_count = False


class LeadActivityInline(ReadOnlyInline):
    model = LeadActivity
    fields = ("at", "kind", "detail", "by")
    readonly_fields = fields


@admin.register(Lead)
class LeadAdmin(ReadOnly, admin.ModelAdmin):
    app_url = "sales:lead_detail"
    list_display = ("__str__", "company", "email", "source", "status", "score", "owner", "app_link")
    list_filter = ("status", "source")
    search_fields = ("email", "company", "last_name")
    list_select_related = ("owner",)
    readonly_fields = ("app_link",)
    raw_id_fields = ("customer", "opportunity")
    inlines = [LeadActivityInline]
    show_full_result_count = False


@admin.register(LeadImport)
class LeadImportAdmin(ReadOnly, admin.ModelAdmin):
    app_url = "sales:lead_import_detail"
    list_display = (
        "original_name",
        "status",
        "total_rows",
        "created_count",
        "rejected_count",
        "created_by",
        "created_at",
        "app_link",
    )
    list_filter = ("status",)
    readonly_fields = ("app_link",)


@admin.register(Activity)
class ActivityAdmin(ReadOnly, admin.ModelAdmin):
    app_url = "sales:activity_detail"
    list_display = ("subject", "kind", "owner", "starts_at", "status", "outcome", "app_link")
    list_filter = ("kind", "status")
    search_fields = ("subject",)
    list_select_related = ("owner",)
    readonly_fields = ("app_link",)
    raw_id_fields = ("customer", "lead", "opportunity")
    show_full_result_count = False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnly, admin.ModelAdmin):
    """Whose calendar feeds exist (never the token: only its hash is kept); each user
    revokes his own from the agenda."""

    list_display = ("user", "prefix", "created_at", "last_used_at")
    exclude = ("token_hash",)


@admin.register(Script)
class ScriptAdmin(ReadOnly, admin.ModelAdmin):
    app_url = "sales:script_edit"
    list_display = ("title", "product", "segment", "stage", "language", "active", "app_link")
    list_filter = ("language", "active")
    search_fields = ("title",)
    readonly_fields = ("app_link",)


@admin.register(ForecastAdjustment)
class ForecastAdjustmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("period", "rep", "team", "category", "amount", "by", "at")
    list_filter = ("category",)
    list_select_related = ("rep", "team", "by")


@admin.register(SalesSettingChange)
class SalesSettingChangeAdmin(ReadOnly, admin.ModelAdmin):
    """The audit trail of the sales settings (changed on the sales configuration page)."""

    list_display = ("key", "previous", "value", "comment", "changed_by", "changed_at")
    list_filter = ("key",)
    list_select_related = ("changed_by",)
