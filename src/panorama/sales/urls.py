"""The sales pages. Each sub-domain adds its patterns from its own views module."""

from django.urls import path  # noqa: F401  (the sub-domains' patterns use it)

from .views import lead_imports, leads, webforms

app_name = "sales"

urlpatterns: list = []

# Leads (leads helper).
urlpatterns += [
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/new/", leads.lead_new, name="lead_create"),
    path("leads/import/", lead_imports.lead_import_upload, name="lead_import"),
    path(
        "leads/import/<int:import_id>/",
        lead_imports.lead_import_detail,
        name="lead_import_detail",
    ),
    path(
        "leads/import/<int:import_id>/undo/",
        lead_imports.lead_import_undo,
        name="lead_import_undo",
    ),
    path(
        "leads/import/<int:import_id>/rejected.csv",
        lead_imports.lead_import_rejected,
        name="lead_import_rejected",
    ),
    path("leads/<int:lead_id>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/status/", leads.lead_status, name="lead_status"),
    path("leads/<int:lead_id>/assign/", leads.lead_assign, name="lead_assign"),
    path("leads/<int:lead_id>/activity/", leads.lead_activity, name="lead_activity"),
    path("leads/<int:lead_id>/convert/", leads.lead_conversion, name="lead_convert"),
    path("webforms/<int:form_id>/snippet/", webforms.webform_snippet, name="webform_snippet"),
]
