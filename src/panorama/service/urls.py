"""The service pages. Each sub-domain adds its patterns from its own views module."""

from django.urls import path

from .views import cases, csat

app_name = "service"

urlpatterns: list = []

# Cases (cases helper).
urlpatterns += [
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_new, name="case_create"),
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/messages/", cases.case_message, name="case_message"),
    path("cases/<int:case_id>/status/", cases.case_status, name="case_status"),
    path("cases/<int:case_id>/assign/", cases.case_assign, name="case_assign"),
    path("cases/satisfaction/", csat.csat_report_view, name="csat_report"),
    # Public: the signed link of the satisfaction survey (no login).
    path("survey/<str:token>/", csat.csat_answer, name="csat_answer"),
]
