from django.urls import path

from .duplicates.urls import urlpatterns as duplicate_urls
from .imports.urls import urlpatterns as import_urls
from .views import edit, pages, properties

app_name = "customers"
urlpatterns = [
    path("", pages.customer_list, name="list"),
    path("search/", pages.customer_search, name="search"),
    path("pick/", pages.customer_pick, name="pick"),
    path("new/", pages.customer_new, name="create"),
    path("export.csv", pages.customer_export, name="export"),
    path("<int:customer_id>/", pages.customer_detail, name="detail"),
    path(
        "<int:customer_id>/groups/<int:group_id>/leave/",
        pages.group_member_remove,
        name="group_member_remove",
    ),
    path(
        "<int:customer_id>/incidents/<int:incident_id>/resolve/",
        pages.billing_incident_resolve,
        name="billing_incident_resolve",
    ),
    path(
        "<int:customer_id>/properties/<slug:key>/",
        properties.customer_property,
        name="property",
    ),
    path("<int:customer_id>/<slug:action>/", edit.ficha_action, name="action"),
    path(
        "<int:customer_id>/<slug:action>/<int:object_id>/",
        edit.ficha_action,
        name="record_action",
    ),
]

urlpatterns += duplicate_urls + import_urls
