"""The service pages. Each sub-domain adds its patterns from its own views module."""

from django.urls import path

from .views import (
    assets,
    calls,
    cases,
    categories,
    contracts,
    csat,
    dispatch,
    knowledge,
    parts,
    quality,
    setup,
    workorders,
)

app_name = "service"

urlpatterns: list = []

# Cases (cases helper).
urlpatterns += [
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases.case_new, name="case_create"),
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/messages/", cases.case_message, name="case_message"),
    path(
        "cases/<int:case_id>/files/<int:attachment_id>/",
        cases.case_attachment,
        name="case_attachment",
    ),
    path(
        "cases/<int:case_id>/files/<int:attachment_id>/restore/",
        cases.case_attachment_restore,
        name="case_attachment_restore",
    ),
    path(
        "cases/<int:case_id>/files/<int:attachment_id>/remove/",
        cases.case_attachment_remove,
        name="case_attachment_remove",
    ),
    path("cases/<int:case_id>/status/", cases.case_status, name="case_status"),
    path("cases/<int:case_id>/assign/", cases.case_assign, name="case_assign"),
    path("cases/<int:case_id>/edit/", cases.case_edit, name="case_edit"),
    path("cases/satisfaction/", csat.csat_report_view, name="csat_report"),
    # Public: the signed link of the satisfaction survey (no login).
    path("survey/<str:token>/", csat.csat_answer, name="csat_answer"),
]

# Knowledge base (kb helper): the staff pages; the public help centre is below.
urlpatterns += [
    path("kb/", knowledge.kb_list, name="kb_list"),
    path("kb/categories/", categories.category_list, name="kb_categories"),
    path(
        "kb/categories/<int:category_id>/edit/",
        categories.category_edit,
        name="kb_category_edit",
    ),
    path(
        "kb/categories/<int:category_id>/delete/",
        categories.category_delete,
        name="kb_category_delete",
    ),
    path(
        "kb/categories/<int:category_id>/move/",
        categories.category_move,
        name="kb_category_move",
    ),
    path("kb/new/", knowledge.kb_create, name="kb_create"),
    path("kb/preview/", knowledge.kb_preview, name="kb_preview"),
    path("kb/<int:article_id>/", knowledge.kb_detail, name="kb_detail"),
    path("kb/<int:article_id>/edit/", knowledge.kb_edit, name="kb_edit"),
    path("kb/<int:article_id>/publish/", knowledge.kb_publish, name="kb_publish"),
    path("kb/<int:article_id>/archive/", knowledge.kb_archive, name="kb_archive"),
    path("kb/<int:article_id>/history/", knowledge.kb_history, name="kb_history"),
    path("kb/<int:article_id>/versions/<int:number>/", knowledge.kb_version, name="kb_version"),
    path(
        "kb/<int:article_id>/versions/<int:number>/restore/",
        knowledge.kb_restore,
        name="kb_restore",
    ),
]

# The public help centre (no login; published public articles only), mounted at /help/
# by config/urls.py under the "help" namespace.
help_urlpatterns = [
    path("", knowledge.help_index, name="index"),
    path("<slug:slug>/", knowledge.help_article, name="article"),
    path("<slug:slug>/feedback/", knowledge.help_feedback, name="feedback"),
]

# Call management (calls helper): the screen pop, click-to-call, callbacks.
urlpatterns += [
    path("calls/", calls.call_list, name="call_list"),
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

# Field service (fieldsvc helper): installed base, contracts, work orders, dispatch, parts.
urlpatterns += [
    path("assets/", assets.asset_list, name="asset_list"),
    path("assets/<int:asset_id>/", assets.asset_detail, name="asset_detail"),
    path("assets/<int:asset_id>/edit/", assets.asset_edit, name="asset_edit"),
    path("customers/<int:customer_id>/assets/new/", assets.asset_new, name="asset_create"),
    path(
        "customers/<int:customer_id>/contracts/new/",
        assets.contract_new,
        name="contract_create",
    ),
    path("contracts/", assets.contract_list, name="contract_list"),
    path("contracts/<int:contract_id>/", contracts.contract_detail, name="contract_detail"),
    *[
        path(
            f"contracts/<int:contract_id>/{action}/",
            contracts.contract_action,
            {"action": action},
            name=f"contract_{action}",
        )
        for action in contracts.ACTIONS
    ],
    path("work-orders/", workorders.work_order_list, name="work_order_list"),
    path("work-orders/new/", workorders.work_order_new, name="work_order_create"),
    path(
        "work-orders/<int:work_order_id>/", workorders.work_order_detail, name="work_order_detail"
    ),
    path(
        "work-orders/<int:work_order_id>/dispatch/",
        workorders.work_order_dispatch_view,
        name="work_order_dispatch",
    ),
    path(
        "work-orders/<int:work_order_id>/status/",
        workorders.work_order_status_view,
        name="work_order_status",
    ),
    path(
        "work-orders/<int:work_order_id>/parts/",
        workorders.work_order_part_view,
        name="work_order_part",
    ),
    path(
        "work-orders/<int:work_order_id>/sign/",
        workorders.work_order_sign_view,
        name="work_order_sign",
    ),
    path(
        "work-orders/<int:work_order_id>/signature.png",
        workorders.work_order_signature,
        name="work_order_signature",
    ),
    path(
        "work-orders/<int:work_order_id>/complete/",
        workorders.work_order_complete_view,
        name="work_order_complete",
    ),
    path("my-day/", workorders.my_day, name="my_day"),
    path("dispatch/", dispatch.dispatch_board, name="dispatch"),
    path("dispatch/<int:work_order_id>/move/", dispatch.dispatch_move, name="dispatch_move"),
    path("parts/", parts.stock, name="stock"),
    path("parts/transfer/", parts.stock_transfer_view, name="stock_transfer"),
]

# Quality (defects) and the service reports.
urlpatterns += [
    path("defects/", quality.defect_list, name="defect_list"),
    path("defects/new/", quality.defect_new, name="defect_create"),
    path("defects/report/", quality.defect_report_view, name="defect_report"),
    path("defects/<int:defect_id>/", quality.defect_detail, name="defect_detail"),
    path("defects/<int:defect_id>/edit/", quality.defect_edit, name="defect_edit"),
    path("defects/<int:defect_id>/status/", quality.defect_status, name="defect_status"),
    path("defects/<int:defect_id>/cases/", quality.defect_link, name="defect_link"),
    path("defects/<int:defect_id>/assets/", quality.defect_asset_link, name="defect_asset_link"),
    path(
        "defects/<int:defect_id>/assets/<int:asset_id>/unlink/",
        quality.defect_asset_unlink,
        name="defect_asset_unlink",
    ),
    path("assets/<int:asset_id>/defects/", quality.asset_defect_link, name="asset_defect_link"),
    path(
        "defects/<int:defect_id>/cases/<int:case_id>/unlink/",
        quality.defect_unlink,
        name="defect_unlink",
    ),
    path("reports/", quality.service_report_view, name="report"),
]

# The service set-up (managers): queues, business-hours calendars, SLA policies.
urlpatterns += [
    path("settings/", setup.setup_page, name="setup"),
    path("settings/queues/", setup.queue_add, name="queue_add"),
    path("settings/queues/<int:queue_id>/edit/", setup.queue_edit, name="queue_edit"),
    path("settings/calendars/", setup.calendar_add, name="calendar_add"),
    path("settings/calendars/<int:calendar_id>/edit/", setup.calendar_edit, name="calendar_edit"),
    path("settings/policies/", setup.policy_add, name="policy_add"),
    path("settings/policies/<int:policy_id>/edit/", setup.policy_edit, name="policy_edit"),
]
