from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from tandem.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("sign-in-link/", views.sign_in_link_request, name="sign_in_link"),
    path(
        "sign-in-link/sent/",
        TemplateView.as_view(template_name="accounts/sign_in_link_sent.html"),
        name="sign_in_link_sent",
    ),
    path("sign-in-link/<str:token>/", views.sign_in_link_use, name="sign_in_link_use"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organization/", views.organization_settings, name="organization_settings"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
