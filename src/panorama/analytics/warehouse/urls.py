from django.urls import path

from . import views

app_name = "warehouse"
urlpatterns = [
    path("dashboards/", views.dashboard_index, name="dashboards"),
    path("dashboards/<slug:department>/", views.dashboard, name="dashboard"),
    path("dashboards/<slug:department>/pdf/", views.dashboard_pdf, name="pdf"),
    path("dashboards/<slug:department>/<slug:key>/detail/", views.drill, name="drill"),
    path(
        "dashboards/<slug:department>/<slug:key>.<str:fmt>",
        views.widget_export,
        name="export",
    ),
    path("warehouse/", views.warehouse_status, name="status"),
    path("warehouse/refresh/", views.warehouse_refresh, name="refresh"),
]
