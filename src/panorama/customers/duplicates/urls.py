"""Pages of the duplicate workflow, in the ``customers`` URL namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("duplicates/scan/", views.duplicate_scan, name="duplicates_scan"),
    path("duplicates/<int:candidate_id>/merge/", views.duplicate_merge, name="duplicate_merge"),
    path(
        "duplicates/<int:candidate_id>/dismiss/", views.duplicate_dismiss, name="duplicate_dismiss"
    ),
    path("duplicates/merges/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
]
