"""The service pages. Each sub-domain adds its patterns from its own views module."""

from django.urls import path

from .views import calls, cases, csat

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

# Call management (calls helper): the screen pop, click-to-call, callbacks.
urlpatterns += [
    path("calls/stream/", calls.call_stream, name="call_stream"),
    path("calls/events/", calls.call_events, name="call_events"),
    path("calls/dial/", calls.call_dial_view, name="call_dial"),
    path("calls/<int:call_id>/pop/", calls.call_pop, name="call_pop"),
    path("calls/<int:call_id>/log/", calls.call_log_view, name="call_log"),
    path("calls/<int:call_id>/link/", calls.call_link_view, name="call_link"),
    path("calls/<int:call_id>/find/", calls.call_find, name="call_find"),
    path("calls/<int:call_id>/customer/", calls.call_customer_create, name="call_customer"),
    path("callbacks/", calls.callback_list, name="callback_list"),
    path("callbacks/new/", calls.callback_new, name="callback_create"),
    path("callbacks/<int:callback_id>/", calls.callback_detail, name="callback_detail"),
    path("callbacks/<int:callback_id>/close/", calls.callback_close_view, name="callback_close"),
]
