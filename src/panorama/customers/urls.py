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
]

urlpatterns += duplicate_urls + import_urls
