"""Every read about accounts, scoped to the caller's organisation."""

from django.db.models import Q, QuerySet

from tandem.accounts.models import ApiToken, Invitation, InvitationStatus, Organization, Role, User
from tandem.core.aggregates import min_group_size
from tandem.core.errors import NotFound


def organization_id_of(actor: User) -> int:
    """The actor's organisation id for scoping queries; 0 (matches nothing) for platform staff."""
    return actor.organization_id or 0


def user_list_for_org_admin(*, actor: User, search: str = "", role: str = "") -> QuerySet[User]:
    """People in the actor's organisation, for the admin's access page."""
    queryset = User.objects.filter(organization_id=organization_id_of(actor)).order_by(
        "last_name", "first_name", "email"
    )
    if role in Role.values:
        queryset = queryset.filter(role=role)
    if search:
        queryset = queryset.filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    return queryset


def user_get_in_org(*, actor: User, user_id: int) -> User | None:
    return User.objects.filter(organization_id=organization_id_of(actor), pk=user_id).first()


def invitation_list_pending(*, actor: User) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            organization_id=organization_id_of(actor), status=InvitationStatus.PENDING
        )
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )


def invitation_get_in_org(*, actor: User, invitation_id: int) -> Invitation | None:
    return (
        Invitation.objects.select_related("organization")
        .filter(organization_id=organization_id_of(actor), pk=invitation_id)
        .first()
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def organization_get(*, actor: User) -> Organization:
    """The actor's own organisation (NotFound for platform staff, who belong to none)."""
    organization = Organization.objects.filter(pk=organization_id_of(actor)).first()
    if organization is None:
        raise NotFound("You do not belong to an organisation.")
    return organization


def aggregate_min_group(organization: Organization) -> int:
    """The smallest group of people the organisation's aggregates cover: its setting, through
    the aggregate rule's floor (`core.aggregates.min_group_size`). No query: pass the
    organisation already loaded (`program.organization` behind `program_access`)."""
    return min_group_size(organization.aggregate_min_group_size)


def password_sign_in_allowed(user: User) -> bool:
    """Whether `user` may sign in without single sign-on (a password or a sign-in link).

    An organisation that requires SSO refuses both to everyone but its break-glass admin, and
    only while that person is still one of its organisation admins.
    """
    organization = user.organization
    if organization is None or not organization.sso_required:
        return True
    return (
        organization.sso_break_glass_admin_id == user.pk
        and user.role == Role.ORG_ADMIN
        and user.is_active
    )


def sso_required_for_email(email: str) -> bool:
    """Whether the account of `email` (if any) must sign in through single sign-on."""
    user = (
        User.objects.select_related("organization")
        .filter(email__iexact=email.strip(), organization__sso_required=True)
        .first()
    )
    return user is not None and not password_sign_in_allowed(user)
