"""Parametrisation without code: administrators define the lead scoring rules, the
assignment rules and the public web forms. Leads themselves are worked in the app."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AssignmentRule, ScoringRule, WebForm
from .models.lead_rules import WEB_FORM_FIELDS
from .services.lead_scoring import leads_rescore


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
