from django.urls import path

from tandem.provisioning import person_views, views

app_name = "provisioning"
urlpatterns = [
    path("scim-tokens/", views.scim_tokens, name="scim_tokens"),
    path("scim-tokens/<int:token_id>/revoke/", views.scim_token_revoke, name="scim_token_revoke"),
    path(
        "people/<int:user_id>/deactivate/",
        person_views.person_deactivate,
        name="person_deactivate",
    ),
    path(
        "people/<int:user_id>/reactivate/",
        person_views.person_reactivate,
        name="person_reactivate",
    ),
    path("hr-sync/", views.hr_sync_runs, name="hr_sync_runs"),
    path(
        "people/bulk-deactivate/",
        person_views.people_bulk_deactivate,
        name="people_bulk_deactivate",
    ),
]
