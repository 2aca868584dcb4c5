"""Parametrisation without code: administrators define the lead scoring rules, the
assignment rules and the public web forms. Leads themselves are worked in the app."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import AssignmentRule, ScoringRule
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
