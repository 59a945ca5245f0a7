from django.urls import path

from tandem.sso import views

app_name = "sso"

urlpatterns = [
    path("sso/", views.sso_discover, name="discover"),
    path("sso/oidc/callback/", views.sso_callback, name="callback"),
    path("sso/saml/<int:provider_id>/metadata/", views.saml_metadata, name="saml_metadata"),
    path("sso/saml/<int:provider_id>/acs/", views.saml_acs, name="saml_acs"),
    path("sso/saml/<int:provider_id>/slo/", views.saml_slo, name="saml_slo"),
    path(
        "sso/saml/<int:provider_id>/sign-out/<str:token>/",
        views.saml_sign_out,
        name="saml_sign_out",
    ),
    path("organization/sso/", views.provider_list, name="list"),
    path("organization/sso/settings/", views.sso_settings, name="settings"),
    path("organization/sso/<int:provider_id>/", views.provider_detail, name="detail"),
    path("organization/sso/<int:provider_id>/disable/", views.provider_disable, name="disable"),
    path("organization/sso/<int:provider_id>/enable/", views.provider_enable, name="enable"),
    path("organization/sso/<int:provider_id>/try/", views.provider_try, name="try"),
]
