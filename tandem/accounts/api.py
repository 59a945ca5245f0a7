from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from tandem.accounts import selectors, services
from tandem.accounts.api_auth import caller
from tandem.accounts.models import Role
from tandem.accounts.schemas import (
    ApiTokenCreatedOut,
    ApiTokenCreateIn,
    ApiTokenOut,
    InvitationCreateIn,
    InvitationOut,
    MemberOut,
    MeOut,
    OrganizationSettingsIn,
    OrganizationSettingsOut,
    RoleIn,
)
from tandem.core.errors import Forbidden, NotFound
from tandem.core.links import absolute_url
from tandem.core.pagination import KeysetPagination
from tandem.core.params import Id

router = Router(tags=["accounts"])


class MemberFilters(Schema):
    search: str = ""
    role: Role | None = None


def _require_org_admin(request: HttpRequest) -> None:
    if caller(request).role != Role.ORG_ADMIN:
        raise Forbidden("Only an organisation admin can manage people's access.")


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> object:
    return caller(request)


@router.get(
    "/organization/settings",
    response=OrganizationSettingsOut,
    summary="My organisation's settings (org admins)",
)
def organization_settings_get(request: HttpRequest) -> object:
    actor = caller(request)
    if actor.role != Role.ORG_ADMIN:
        raise Forbidden("Only an organisation admin can see the organisation's settings.")
    return selectors.organization_get(actor=actor)


@router.patch(
    "/organization/settings",
    response=OrganizationSettingsOut,
    summary="Change my organisation's settings (org admins)",
)
def organization_settings_update(request: HttpRequest, payload: OrganizationSettingsIn) -> object:
    actor = caller(request)
    return services.organization_settings_update(
        actor=actor,
        organization=selectors.organization_get(actor=actor),
        aggregate_min_group_size=payload.aggregate_min_group_size,
    )


@router.get("/members", response=list[MemberOut], summary="People with access (org admins)")
@paginate(KeysetPagination)
def member_list(request: HttpRequest, filters: Query[MemberFilters]) -> object:
    _require_org_admin(request)
    return selectors.user_list_for_org_admin(
        actor=caller(request), search=filters.search, role=filters.role or ""
    )


@router.post("/members/{user_id}/role", response=MemberOut, summary="Change someone's role")
def member_set_role(request: HttpRequest, user_id: Id, payload: RoleIn) -> object:
    actor = caller(request)
    target = selectors.user_get_in_org(actor=actor, user_id=user_id)
    if target is None:
        raise NotFound("No such person in your organisation.")
    return services.user_set_role(actor=actor, user=target, role=payload.role)


@router.get("/invitations", response=list[InvitationOut], summary="Pending invitations")
@paginate(KeysetPagination)
def invitation_list(request: HttpRequest) -> object:
    _require_org_admin(request)
    return selectors.invitation_list_pending(actor=caller(request))


@router.post("/invitations", response={201: InvitationOut}, summary="Invite someone by email")
def invitation_create(request: HttpRequest, payload: InvitationCreateIn) -> object:
    invitation = services.invitation_create(
        actor=caller(request),
        email=payload.email,
        role=payload.role,
        base_url=absolute_url("/", request=request),
    )
    return Status(201, invitation)


@router.post("/invitations/{invitation_id}/revoke", response=InvitationOut)
def invitation_revoke(request: HttpRequest, invitation_id: Id) -> object:
    actor = caller(request)
    invitation = selectors.invitation_get_in_org(actor=actor, invitation_id=invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    return services.invitation_revoke(actor=actor, invitation=invitation)


@router.get("/tokens", response=list[ApiTokenOut], summary="My API tokens")
def token_list(request: HttpRequest) -> object:
    return selectors.api_token_list(user=caller(request))


@router.post("/tokens", response={201: ApiTokenCreatedOut}, summary="Create an API token")
def token_create(request: HttpRequest, payload: ApiTokenCreateIn) -> object:
    token, raw = services.api_token_create(user=caller(request), name=payload.name)
    return Status(201, {**ApiTokenOut.from_orm(token).dict(), "token": raw})


@router.post("/tokens/{token_id}/revoke", response=ApiTokenOut, summary="Revoke an API token")
def token_revoke(request: HttpRequest, token_id: Id) -> object:
    return services.api_token_revoke(actor=caller(request), token_id=token_id)
