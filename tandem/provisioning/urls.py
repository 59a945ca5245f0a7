from django.urls import path

from tandem.provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("scim-tokens/", views.scim_tokens, name="scim_tokens"),
    path("scim-tokens/<int:token_id>/revoke/", views.scim_token_revoke, name="scim_token_revoke"),
]
