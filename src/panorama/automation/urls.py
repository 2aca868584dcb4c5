from django.urls import path

from .views import alerts, rules, tracking

app_name = "automation"
urlpatterns = [
    path("", alerts.home, name="home"),
    path("alerts/<int:alert_id>/seen/", alerts.alert_seen, name="alert_seen"),
    path("customers/<int:customer_id>/alerts/new/", alerts.alert_new, name="alert_new"),
    path("rules/", rules.rule_list, name="rule_list"),
    path("rules/new/", rules.rule_new, name="rule_new"),
    path("rules/export/", rules.rules_export_view, name="rules_export"),
    path("rules/import/", rules.rules_import_view, name="rules_import"),
    path("rules/<int:rule_id>/", rules.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/runs/", rules.rule_runs_more, name="rule_runs"),
    path("rules/<int:rule_id>/toggle/", rules.rule_toggle, name="rule_toggle"),
    path("rules/<int:rule_id>/test/", rules.rule_test_view, name="rule_test"),
    path("track/<str:public_key>/", tracking.track, name="track"),
    path("track/<str:public_key>/pixel.gif", tracking.pixel, name="track_pixel"),
]
