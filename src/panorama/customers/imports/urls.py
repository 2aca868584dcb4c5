"""Pages of the import wizard, in the ``customers`` URL namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("imports/", views.import_upload, name="imports"),
    path("imports/<int:job_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/preview/", views.import_preview, name="import_preview"),
    path("imports/<int:job_id>/dry-run/", views.import_dry_run, name="import_dry_run"),
    path("imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/undo/", views.import_undo, name="import_undo"),
]
