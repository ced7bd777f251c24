from django.urls import path

from funnel.front import contacts, follow_ups, merging, opportunities, preferences, views

# The pages that compose several apps; each app's own pages are in its urls.py.
urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", views.reports, name="reports"),
    path("opportunities/", opportunities.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", opportunities.opportunity_create, name="opportunity_create"),
    path("opportunities/<id:pk>/", opportunities.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<id:pk>/edit/", opportunities.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<id:pk>/move/", opportunities.opportunity_move, name="opportunity_move"),
    path(
        "opportunities/<id:pk>/delete/", opportunities.opportunity_delete, name="opportunity_delete"
    ),
    path("opportunities/<id:pk>/influences/", opportunities.influence_add, name="influence_add"),
    path(
        "opportunities/<id:pk>/influences/form/",
        opportunities.influence_form,
        name="influence_form",
    ),
    path(
        "opportunities/<id:pk>/activities/form/", opportunities.activity_form, name="activity_form"
    ),
    path(
        "opportunities/<id:pk>/influences/<id:influence_pk>/",
        opportunities.influence_edit,
        name="influence_edit",
    ),
    path(
        "opportunities/<id:pk>/influences/<id:influence_pk>/delete/",
        opportunities.influence_delete,
        name="influence_delete",
    ),
    path("opportunities/<id:pk>/activities/", opportunities.activity_add, name="activity_add"),
    path(
        "opportunities/<id:pk>/activities/older/",
        opportunities.opportunity_activities,
        name="opportunity_activities",
    ),
    path("nurture/", follow_ups.nurture_list, name="nurture_list"),
    path(
        "opportunities/<id:pk>/next-step/", follow_ups.follow_up_new, name="opportunity_next_step"
    ),
    path(
        "opportunities/<id:pk>/follow-ups/form/",
        follow_ups.follow_up_form,
        name="follow_up_form",
    ),
    path(
        "opportunities/<id:pk>/follow-ups/<id:follow_up_pk>/",
        follow_ups.follow_up_edit,
        name="follow_up_edit",
    ),
    path(
        "opportunities/<id:pk>/follow-ups/<id:follow_up_pk>/cancel/",
        follow_ups.follow_up_cancel,
        name="follow_up_cancel",
    ),
    path("opportunities/<id:pk>/plan/", follow_ups.plan_edit, name="plan_edit"),
    path("opportunities/<id:pk>/plan/form/", follow_ups.plan_form, name="plan_form"),
    path("opportunities/<id:pk>/stop/", follow_ups.stop_rule_apply, name="stop_rule_apply"),
    path(
        "opportunities/<id:pk>/delivery/",
        follow_ups.opportunity_delivery,
        name="opportunity_delivery",
    ),
    path("opportunities/<id:pk>/assign/", follow_ups.opportunity_assign, name="opportunity_assign"),
    path("opportunities/<id:pk>/assign/form/", follow_ups.assign_form, name="assign_form"),
    path("organisations/", contacts.organisation_list, name="organisation_list"),
    path("organisations/new/", contacts.organisation_create, name="organisation_create"),
    path("organisations/<id:pk>/", contacts.organisation_detail, name="organisation_detail"),
    path("organisations/<id:pk>/edit/", contacts.organisation_edit, name="organisation_edit"),
    path("organisations/<id:pk>/delete/", contacts.organisation_delete, name="organisation_delete"),
    path("people/", contacts.person_list, name="person_list"),
    path("people/new/", contacts.person_create, name="person_create"),
    path("people/<id:pk>/", contacts.person_detail, name="person_detail"),
    path("people/<id:pk>/edit/", contacts.person_edit, name="person_edit"),
    path("people/<id:pk>/delete/", contacts.person_delete, name="person_delete"),
    # Merging duplicates (funnel.front.merging): choose the duplicate, then confirm.
    path("people/<id:pk>/merge/", merging.person_merge_choose, name="person_merge_choose"),
    path("people/<id:pk>/merge/<id:other_pk>/", merging.person_merge, name="person_merge"),
    path(
        "organisations/<id:pk>/merge/",
        merging.organisation_merge_choose,
        name="organisation_merge_choose",
    ),
    path(
        "organisations/<id:pk>/merge/<id:other_pk>/",
        merging.organisation_merge,
        name="organisation_merge",
    ),
    path("settings/", preferences.settings_page, name="settings"),
    path("settings/after-the-sale/", preferences.post_sale_steps, name="post_sale_steps"),
    path(
        "settings/after-the-sale/restore/",
        preferences.post_sale_steps_restore,
        name="post_sale_steps_restore",
    ),
    path(
        "settings/calendar/new-address/",
        preferences.calendar_token_regenerate,
        name="calendar_token_regenerate",
    ),
]
