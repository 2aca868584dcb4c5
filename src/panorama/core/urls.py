from django.urls import path
from django.views.generic import RedirectView

from .views import components, lists, saved_views

app_name = "core"
urlpatterns = [
    # The components page (docs/ui.md); /ui/, its first address, leads there.
    path("", RedirectView.as_view(pattern_name="core:components"), name="components_home"),
    path("components/", components.components, name="components"),
    path("palette/", components.palette, name="palette"),
    path("views/", saved_views.view_create, name="view_create"),
    path("views/<int:view_id>/", saved_views.view_update, name="view_update"),
    path("views/<int:view_id>/delete/", saved_views.view_delete, name="view_delete"),
    path("views/<int:view_id>/share/", saved_views.view_share, name="view_share"),
    path("views/<int:view_id>/default/", saved_views.view_default, name="view_default"),
    path("lists/<slug:list_name>/bulk/", lists.list_bulk, name="list_bulk"),
    path("lists/bulk-jobs/<int:job_id>/", lists.list_bulk_job, name="list_bulk_job"),
    path("lists/bulk-jobs/<int:job_id>/undo/", lists.list_bulk_undo, name="list_bulk_undo"),
    path("lists/bulk-jobs/<int:job_id>/file/", lists.list_bulk_file, name="list_bulk_file"),
    path("lists/<slug:list_name>/<int:pk>/<slug:column_key>/", lists.list_cell, name="list_cell"),
]
