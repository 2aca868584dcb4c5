"""Parametrisation without code: administrators define the customers' custom fields.

Customers themselves are edited in the application, where the services keep the field
history and validate identifiers; they are not editable here.
"""

from django.contrib import admin

from .models import CustomFieldDefinition


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "type", "required", "searchable", "position")
    list_editable = ("position",)
    list_filter = ("type", "searchable")
    search_fields = ("key", "label")
