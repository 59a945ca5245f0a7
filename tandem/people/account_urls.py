"""The `accounts` URL namespace: accounts' own pages plus the two composed here over the
people list (Access and roles and its role change; see `access_pages`). config/urls.py
mounts this module at accounts/."""

from django.urls import path

from tandem.accounts.urls import urlpatterns as account_urlpatterns
from tandem.people import access_pages

app_name = "accounts"

urlpatterns = [
    path("members/", access_pages.members, name="members"),
    path("members/<int:user_id>/role/", access_pages.member_role, name="member_role"),
    *account_urlpatterns,
]
