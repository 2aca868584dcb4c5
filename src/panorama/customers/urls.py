from django.urls import path

from . import views, views_duplicates

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("search/", views.customer_search, name="search"),
    path("new/", views.customer_new, name="create"),
    path("export.csv", views.customer_export, name="export"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
]

urlpatterns += [
    path("duplicates/", views_duplicates.duplicate_list, name="duplicates"),
    path("duplicates/scan/", views_duplicates.duplicate_scan, name="duplicates_scan"),
    path(
        "duplicates/<int:candidate_id>/merge/",
        views_duplicates.duplicate_merge,
        name="duplicate_merge",
    ),
    path(
        "duplicates/<int:candidate_id>/dismiss/",
        views_duplicates.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
    path("duplicates/merges/<int:merge_id>/undo/", views_duplicates.merge_undo, name="merge_undo"),
]

from . import views_imports  # noqa: E402

urlpatterns += [
    path("imports/", views_imports.import_upload, name="imports"),
    path("imports/<int:job_id>/mapping/", views_imports.import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/", views_imports.import_detail, name="import_detail"),
    path("imports/<int:job_id>/undo/", views_imports.import_undo, name="import_undo"),
]
