from django.urls import URLPattern, URLResolver, include, path

from . import views
from .reports import views as reports

app_name = "analytics"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("panorama.analytics.warehouse.urls")),  # dashboards and warehouse
    path("clusters/", views.clusters, name="clusters"),
    path("forecast/", views.forecast, name="forecast"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/new/", reports.report_edit, name="report_new"),
    path("reports/<int:report_id>/", reports.report_detail, name="report_detail"),
    path("reports/<int:report_id>/edit/", reports.report_edit, name="report_edit"),
    path("reports/<int:report_id>/delete/", reports.report_delete, name="report_delete"),
    path("reports/<int:report_id>.csv", reports.report_csv, name="report_csv"),
    path("reports/<int:report_id>/schedule/", reports.report_schedule, name="report_schedule"),
    path(
        "reports/<int:report_id>/schedule/delete/",
        reports.report_schedule_delete,
        name="report_schedule_delete",
    ),
    path("imports/orders/", views.orders_import, name="orders_import"),
    path("imports/orders/<int:job_id>/", views.orders_import_detail, name="orders_import_detail"),
    path(
        "imports/orders/<int:job_id>/rejected.csv",
        views.orders_import_rejected,
        name="orders_import_rejected",
    ),
]
