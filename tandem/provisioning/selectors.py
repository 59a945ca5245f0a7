"""Every read of provisioning, scoped to one organisation: the people and groups SCIM serves,
and the organisation's SCIM tokens."""

from django.db.models import CharField, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from tandem.accounts.models import Organization, User
from tandem.core.errors import NotFound
from tandem.people.models import DirectoryGroup, DirectoryGroupMember
from tandem.provisioning.actors import require_provisioning
from tandem.provisioning.models import HrSyncRun, ScimToken


def scim_user_queryset(*, organization_id: int) -> QuerySet[User]:
    """The organisation's people as SCIM serves them (everyone but the deprovisioned), with
    what a SCIM User needs in a fixed number of queries: the user, identity, profile and
    manager in one, their groups in a second."""
    return (
        User.objects.filter(organization_id=organization_id)
        .filter(Q(scim_identity__isnull=True) | Q(scim_identity__deprovisioned_at__isnull=True))
        .select_related("scim_identity", "profile")
        .prefetch_related(
            Prefetch(
                "group_memberships",
                queryset=DirectoryGroupMember.objects.select_related("group").order_by("group_id"),
            )
        )
        .annotate(
            scim_user_name=Coalesce(
                NullIf(F("scim_identity__user_name"), Value("")),
                F("email"),
                output_field=CharField(),
            ),
        )
        .order_by("pk")
    )


def scim_user_get(*, organization_id: int, user_id: str) -> User:
    if not user_id.isdigit() or len(user_id) > 18:
        raise NotFound(f"No user has the id {user_id!r}.")
    user = scim_user_queryset(organization_id=organization_id).filter(pk=int(user_id)).first()
    if user is None:
        raise NotFound(f"No user has the id {user_id!r}.")
    return user


def scim_group_queryset(*, organization_id: int) -> QuerySet[DirectoryGroup]:
    return (
        DirectoryGroup.objects.filter(organization_id=organization_id)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=DirectoryGroupMember.objects.order_by("user_id"),
            )
        )
        .order_by("pk")
    )


def scim_group_get(*, organization_id: int, group_id: str) -> DirectoryGroup:
    if not group_id.isdigit() or len(group_id) > 18:
        raise NotFound(f"No group has the id {group_id!r}.")
    group = scim_group_queryset(organization_id=organization_id).filter(pk=int(group_id)).first()
    if group is None:
        raise NotFound(f"No group has the id {group_id!r}.")
    return group


def scim_token_list(*, organization: Organization) -> QuerySet[ScimToken]:
    """The organisation's SCIM tokens, newest first (revoked ones too, marked)."""
    return ScimToken.objects.filter(organization=organization).select_related("created_by")


def person_for_lifecycle(*, organization_id: int, user_id: int) -> User:
    """A person of the organisation an admin may deactivate or reactivate (SCIM's
    deprovisioned included: the lifecycle still owns them); NotFound otherwise."""
    user = User.objects.filter(organization_id=organization_id, pk=user_id).first()
    if user is None:
        raise NotFound("No such person.")
    return user


def hr_sync_run_list(*, actor: User) -> QuerySet[HrSyncRun]:
    """The HR sync runs of the actor's organisation, newest first (org admins only; anyone
    else gets NotFound). One query; the index `hr_sync_run_org_newest_id` serves it and its
    seek pages (decision 0020)."""
    organization_id = require_provisioning(actor=actor, organization_id=actor.organization_id)
    return HrSyncRun.objects.filter(organization_id=organization_id).order_by("-created_at", "-pk")


def hr_sync_run_get(*, actor: User, run_id: int) -> HrSyncRun:
    run = hr_sync_run_list(actor=actor).filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such HR sync run.")
    return run
