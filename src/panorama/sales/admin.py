"""Parametrisation without code: administrators define the lead scoring rules, the
assignment rules and the public web forms. Leads themselves are worked in the app."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AssignmentRule, ScoringRule, WebForm, WebFormThrottle
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
