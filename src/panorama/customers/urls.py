from django.urls import path

from . import views
from .duplicates.urls import urlpatterns as duplicate_urls
from .imports.urls import urlpatterns as import_urls

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("search/", views.customer_search, name="search"),
    path("new/", views.customer_new, name="create"),
    path("export.csv", views.customer_export, name="export"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path(
        "<int:customer_id>/groups/<int:group_id>/leave/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path(
        "<int:customer_id>/incidents/<int:incident_id>/resolve/",
        views.billing_incident_resolve,
        name="billing_incident_resolve",
    ),
]

urlpatterns += duplicate_urls + import_urls
