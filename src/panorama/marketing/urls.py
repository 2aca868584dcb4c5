from django.urls import path

from .views import calls, campaigns, journeys, lists, public, segments, targeting

app_name = "marketing"
urlpatterns = [
    path("", segments.segment_list, name="segment_list"),
    path("segments/new/", segments.segment_edit, name="segment_new"),
    path("segments/<int:segment_id>/", segments.segment_edit, name="segment_edit"),
    path("segments/builder/", segments.segment_builder, name="segment_builder"),
    path("segments/count/", segments.segment_count, name="segment_count"),
    path("segments/programme/", segments.programme_segment, name="programme_segment"),
    path("segments/<int:segment_id>/snapshot/", segments.segment_snapshot, name="segment_snapshot"),
    path(
        "segments/<int:segment_id>/targeting/",
        targeting.segment_targeting,
        name="segment_targeting",
    ),
    path(
        "segments/<int:segment_id>/alerts/", targeting.segment_alert_add, name="segment_alert_add"
    ),
    path(
        "segment-alerts/<int:alert_id>/toggle/",
        targeting.segment_alert_toggle,
        name="segment_alert_toggle",
    ),
    path("lists/", lists.static_list_list, name="list_list"),
    path("lists/import/", lists.list_import, name="list_import"),
    path("lists/<int:list_id>/", segments.list_detail, name="list_detail"),
    path("lists/<int:list_id>/snapshot/", segments.list_resnapshot, name="list_resnapshot"),
    path("templates/", campaigns.template_list, name="template_list"),
    path("templates/new/", campaigns.template_edit, name="template_new"),
    path("templates/<int:template_id>/", campaigns.template_edit, name="template_edit"),
    path(
        "templates/<int:template_id>/preview/", campaigns.template_preview, name="template_preview"
    ),
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_edit, name="campaign_new"),
    path("campaigns/<int:campaign_id>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/launch/", campaigns.campaign_launch, name="campaign_launch"),
    path(
        "campaigns/<int:campaign_id>/responses/",
        campaigns.campaign_response,
        name="campaign_response",
    ),
    path("campaigns/<int:campaign_id>/variants/", campaigns.variant_add, name="variant_add"),
    path(
        "campaigns/<int:campaign_id>/variants/<int:variant_id>/remove/",
        campaigns.variant_remove,
        name="variant_remove",
    ),
    path("campaigns/<int:campaign_id>/ab/decide/", campaigns.ab_decide, name="ab_decide"),
    path("calls/", calls.call_lists, name="call_lists"),
    path("campaigns/<int:campaign_id>/calls/", calls.call_desk, name="call_desk"),
    path("campaigns/<int:campaign_id>/calls/next/", calls.call_take, name="call_take"),
    path(
        "campaigns/<int:campaign_id>/calls/<int:recipient_id>/outcome/",
        calls.call_outcome,
        name="call_outcome",
    ),
    path("campaigns/<int:campaign_id>/direct-mail/", calls.direct_mail, name="direct_mail"),
    path("journeys/", journeys.journey_list, name="journey_list"),
    path("journeys/new/", journeys.journey_edit, name="journey_new"),
    path("journeys/<int:journey_id>/", journeys.journey_detail, name="journey_detail"),
    path("journeys/<int:journey_id>/edit/", journeys.journey_edit, name="journey_edit"),
    path("journeys/<int:journey_id>/status/", journeys.journey_status, name="journey_status"),
    path("journeys/<int:journey_id>/steps/", journeys.journey_step_add, name="journey_step_add"),
    path(
        "journeys/<int:journey_id>/steps/<int:step_id>/remove/",
        journeys.journey_step_remove,
        name="journey_step_remove",
    ),
    path(
        "journeys/<int:journey_id>/steps/<int:step_id>/move/",
        journeys.journey_step_move,
        name="journey_step_move",
    ),
    path("signup-forms/new/", journeys.signup_form_new, name="signup_form_new"),
    # Followed from the e-mail, signed in or not.
    path("u/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("o/<str:token>/", public.open_pixel, name="open"),
    path("c/<str:token>/", public.click, name="click"),
    path("join/<str:token>/", public.signup, name="signup"),
    path("confirm/<str:token>/", public.optin_confirm, name="optin_confirm"),
    path("ju/<str:token>/", public.journey_unsubscribe, name="journey_unsubscribe"),
    path("jo/<str:token>/", public.journey_open, name="journey_open"),
    path("jc/<str:token>/", public.journey_click, name="journey_click"),
    path("cu/<str:token>/", public.customer_unsubscribe, name="customer_unsubscribe"),
]
