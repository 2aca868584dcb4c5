"""The sales pages. Each sub-domain adds its patterns from its own views module."""

from django.urls import path  # noqa: F401  (the sub-domains' patterns use it)

from .views import lead_config, lead_imports, leads, webforms

app_name = "sales"

urlpatterns: list = []

# Leads (leads helper).
urlpatterns += [
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/new/", leads.lead_new, name="lead_create"),
    path("leads/import/", lead_imports.lead_import_upload, name="lead_import"),
    path(
        "leads/import/<int:import_id>/",
        lead_imports.lead_import_detail,
        name="lead_import_detail",
    ),
    path(
        "leads/import/<int:import_id>/undo/",
        lead_imports.lead_import_undo,
        name="lead_import_undo",
    ),
    path(
        "leads/import/<int:import_id>/rejected.csv",
        lead_imports.lead_import_rejected,
        name="lead_import_rejected",
    ),
    path("leads/<int:lead_id>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/status/", leads.lead_status, name="lead_status"),
    path("leads/<int:lead_id>/assign/", leads.lead_assign, name="lead_assign"),
    path("leads/<int:lead_id>/activity/", leads.lead_activity, name="lead_activity"),
    path("leads/<int:lead_id>/convert/", leads.lead_conversion, name="lead_convert"),
    path("webforms/<int:form_id>/snippet/", webforms.webform_snippet, name="webform_snippet"),
    path("settings/leads/", lead_config.lead_settings, name="lead_settings"),
    path(
        "settings/leads/assignment/",
        lead_config.lead_settings_assignment,
        name="lead_settings_assignment",
    ),
    path(
        "settings/leads/webforms/",
        lead_config.lead_settings_webforms,
        name="lead_settings_webforms",
    ),
    path("settings/leads/<str:setting>/new/", lead_config.lead_config_edit, name="lead_config_new"),
    path(
        "settings/leads/<str:setting>/<int:obj_id>/",
        lead_config.lead_config_edit,
        name="lead_config_edit",
    ),
    path(
        "settings/leads/<str:setting>/<int:obj_id>/toggle/",
        lead_config.lead_config_toggle,
        name="lead_config_toggle",
    ),
]

# --- opportunities, the board, win/loss, the sales configuration (opportunities helper) ---
from .views import board, opportunities, pipelines, winloss  # noqa: E402

urlpatterns += [
    path("opportunities/", opportunities.opportunity_list, name="opportunity_list"),
    path(
        "opportunities/<int:opportunity_id>/",
        opportunities.opportunity_detail,
        name="opportunity_detail",
    ),
    path(
        "opportunities/<int:opportunity_id>/edit/",
        opportunities.opportunity_edit,
        name="opportunity_edit",
    ),
    path(
        "opportunities/<int:opportunity_id>/move/",
        opportunities.opportunity_move_form,
        name="opportunity_move",
    ),
    path(
        "opportunities/<int:opportunity_id>/products/",
        opportunities.opportunity_products,
        name="opportunity_products",
    ),
    path(
        "customers/<int:customer_id>/opportunities/new/",
        opportunities.opportunity_new,
        name="opportunity_new",
    ),
    path("board/", board.board, name="board_default"),
    path("board/<int:pipeline_id>/", board.board, name="board"),
    path(
        "board/<int:pipeline_id>/stages/<int:stage_id>/cards/",
        board.board_column,
        name="board_column",
    ),
    path("board/move/<int:opportunity_id>/", board.board_move, name="board_move"),
    path("win-loss/", winloss.winloss, name="winloss"),
    path("settings/pipelines/", pipelines.pipeline_settings, name="pipeline_settings"),
    path("settings/pipelines/new/", pipelines.pipeline_new, name="pipeline_new"),
    path(
        "settings/pipelines/<int:pipeline_id>/edit/",
        pipelines.pipeline_edit,
        name="pipeline_edit",
    ),
    path("settings/stages/new/", pipelines.stage_new, name="stage_new"),
    path("settings/stages/<int:stage_id>/edit/", pipelines.stage_edit, name="stage_edit"),
    path(
        "settings/stages/<int:stage_id>/up/", pipelines.stage_shift, {"step": -1}, name="stage_up"
    ),
    path(
        "settings/stages/<int:stage_id>/down/",
        pipelines.stage_shift,
        {"step": 1},
        name="stage_down",
    ),
    path("settings/stages/<int:stage_id>/delete/", pipelines.stage_delete, name="stage_delete"),
    path("settings/lost-reasons/new/", pipelines.lost_reason_new, name="lost_reason_new"),
    path(
        "settings/lost-reasons/<int:reason_id>/toggle/",
        pipelines.lost_reason_toggle,
        name="lost_reason_toggle",
    ),
    path("settings/competitors/new/", pipelines.competitor_new, name="competitor_new"),
    path(
        "settings/competitors/<int:competitor_id>/edit/",
        pipelines.competitor_edit,
        name="competitor_edit",
    ),
    path("settings/approval/", pipelines.approval_threshold_save, name="approval_threshold_save"),
]

# --- the agenda, sales scripts and the forecast (agenda helper) ---
from .views import agenda as agenda_views  # noqa: E402
from .views import forecast as forecast_views  # noqa: E402
from .views import scripts as script_views  # noqa: E402

urlpatterns += [
    path("agenda/", agenda_views.agenda_page, name="agenda"),
    path("agenda/new/", agenda_views.activity_new, name="activity_new"),
    path("agenda/all/", agenda_views.activity_list, name="activity_list"),
    path("agenda/<int:activity_id>/", agenda_views.activity_detail, name="activity_detail"),
    path(
        "agenda/<int:activity_id>/complete/",
        agenda_views.activity_complete_view,
        name="activity_complete",
    ),
    path(
        "agenda/<int:activity_id>/follow-up/",
        agenda_views.activity_follow_up,
        name="activity_follow_up",
    ),
    path(
        "agenda/<int:activity_id>/cancel/",
        agenda_views.activity_cancel_view,
        name="activity_cancel",
    ),
    path("agenda/<int:activity_id>/ics/", agenda_views.activity_ics, name="activity_ics"),
    path("agenda/feed/", agenda_views.feed_issue, name="agenda_feed_issue"),
    path("agenda/feed/revoke/", agenda_views.feed_revoke, name="agenda_feed_revoke"),
    path("agenda/feed/<str:token>.ics", agenda_views.agenda_feed, name="agenda_feed"),
    path("settings/scripts/", script_views.script_list, name="script_list"),
    path("settings/scripts/new/", script_views.script_new, name="script_new"),
    path("settings/scripts/<int:script_id>/edit/", script_views.script_edit, name="script_edit"),
    path("forecast/", forecast_views.forecast_page, name="forecast"),
    path("forecast/adjust/", forecast_views.forecast_adjust_view, name="forecast_adjust"),
]

# --- quotes and orders (quotes helper) ---
from .views import orders, quotes  # noqa: E402

urlpatterns += [
    path("quotes/", quotes.quote_list, name="quote_list"),
    path("customers/<int:customer_id>/quotes/new/", quotes.quote_new, name="quote_new"),
    path("quotes/<int:quote_id>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:quote_id>/terms/", quotes.quote_terms, name="quote_terms"),
    path("quotes/<int:quote_id>/lines/", quotes.quote_line_add, name="quote_line_add"),
    path(
        "quotes/<int:quote_id>/lines/<int:line_id>/",
        quotes.quote_line_update,
        name="quote_line_update",
    ),
    path(
        "quotes/<int:quote_id>/lines/<int:line_id>/check/",
        quotes.quote_line_check,
        name="quote_line_check",
    ),
    path(
        "quotes/<int:quote_id>/lines/options/",
        quotes.quote_line_options,
        name="quote_line_options",
    ),
    path(
        "quotes/<int:quote_id>/lines/<int:line_id>/remove/",
        quotes.quote_line_remove,
        name="quote_line_remove",
    ),
    path(
        "quotes/<int:quote_id>/approval/",
        quotes.quote_request_approval,
        name="quote_request_approval",
    ),
    path("quotes/<int:quote_id>/decide/", quotes.quote_decide, name="quote_decide"),
    path("quotes/<int:quote_id>/send/", quotes.quote_send, name="quote_send"),
    path("quotes/<int:quote_id>/version/", quotes.quote_version, name="quote_version"),
    path("quotes/<int:quote_id>/pdf/", quotes.quote_pdf_download, name="quote_pdf"),
    path("quotes/accept/<str:token>/", quotes.quote_accept, name="quote_accept"),
    path("orders/", orders.order_list, name="order_list"),
    path("customers/<int:customer_id>/orders/new/", orders.order_new, name="order_new"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/move/", orders.order_move, name="order_move"),
    path("orders/<int:order_id>/stock-receipts/", orders.order_receive, name="order_receive"),
]
