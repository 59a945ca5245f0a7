"""/scim/v2/<organisation slug>/...: SCIM's paths are case-sensitive names without a slash."""

from django.urls import re_path

from tandem.provisioning import scim_views

app_name = "scim"
urlpatterns = [
    re_path(
        r"^(?P<org_slug>[-\w]+)/ServiceProviderConfigs?/?$",
        scim_views.service_provider_config,
        name="service_provider_config",
    ),
    re_path(
        r"^(?P<org_slug>[-\w]+)/ResourceTypes/?$", scim_views.resource_types, name="resource_types"
    ),
    re_path(
        r"^(?P<org_slug>[-\w]+)/ResourceTypes/(?P<name>[^/]+)/?$",
        scim_views.resource_types,
        name="resource_type",
    ),
    re_path(r"^(?P<org_slug>[-\w]+)/Schemas/?$", scim_views.schemas, name="schemas"),
    re_path(r"^(?P<org_slug>[-\w]+)/Schemas/(?P<uri>[^/]+)/?$", scim_views.schemas, name="schema"),
    re_path(r"^(?P<org_slug>[-\w]+)/\.search$", scim_views.root_search, name="search"),
    re_path(r"^(?P<org_slug>[-\w]+)/Users/\.search$", scim_views.users_search, name="users_search"),
    re_path(
        r"^(?P<org_slug>[-\w]+)/Groups/\.search$", scim_views.groups_search, name="groups_search"
    ),
    re_path(r"^(?P<org_slug>[-\w]+)/Users/?$", scim_views.users, name="users"),
    re_path(
        r"^(?P<org_slug>[-\w]+)/Users/(?P<user_id>[^/]+)/?$",
        scim_views.user_detail,
        name="user",
    ),
    re_path(r"^(?P<org_slug>[-\w]+)/Groups/?$", scim_views.groups, name="groups"),
    re_path(
        r"^(?P<org_slug>[-\w]+)/Groups/(?P<group_id>[^/]+)/?$",
        scim_views.group_detail,
        name="group",
    ),
    re_path(r"^(?P<org_slug>[-\w]+)/(?P<rest>.*)$", scim_views.not_found, name="not_found"),
]
