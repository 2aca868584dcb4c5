from django.urls import path

from . import views

app_name = "loyalty"
urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("<int:programme_id>/", views.programme_detail, name="programme_detail"),
    path("<int:programme_id>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:programme_id>/tiers/", views.tier_add, name="tier_add"),
    path("<int:programme_id>/tiers/<int:tier_id>/remove/", views.tier_remove, name="tier_remove"),
    path("<int:programme_id>/rules/", views.rule_add, name="rule_add"),
    path("<int:programme_id>/rules/<int:rule_id>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("<int:programme_id>/rewards/", views.reward_add, name="reward_add"),
    path(
        "<int:programme_id>/rewards/<int:reward_id>/toggle/",
        views.reward_toggle,
        name="reward_toggle",
    ),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("members/<int:member_id>/redeem/", views.member_redeem, name="member_redeem"),
    path("members/<int:member_id>/adjust/", views.member_adjust, name="member_adjust"),
    path("customers/<int:customer_id>/enrol/", views.member_enrol, name="member_enrol"),
]
