"""Every read about accounts, scoped to the caller's organisation."""

from django.db.models import Q, QuerySet

from tandem.accounts.models import ApiToken, Invitation, InvitationStatus, Role, User


def user_list_for_org_admin(*, actor: User, search: str = "", role: str = "") -> QuerySet[User]:
    """People in the actor's organisation, for the admin's access page."""
    if actor.organization_id is None:
        return User.objects.none()
    queryset = User.objects.filter(organization_id=actor.organization_id).order_by(
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
    if actor.organization_id is None:
        return None
    return User.objects.filter(organization_id=actor.organization_id, pk=user_id).first()


def invitation_list_pending(*, actor: User) -> QuerySet[Invitation]:
    if actor.organization_id is None:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            organization_id=actor.organization_id, status=InvitationStatus.PENDING
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get_in_org(*, actor: User, invitation_id: int) -> Invitation | None:
    if actor.organization_id is None:
        return None
    return (
        Invitation.objects.select_related("organization")
        .filter(organization_id=actor.organization_id, pk=invitation_id)
        .first()
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
