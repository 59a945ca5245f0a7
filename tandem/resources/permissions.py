"""Who may read and change which resource.

Reading: every active person of the organisation reads its library; a programme-level addition
is read only by that programme's active participants, its managers and the organisation's
admins. A hidden piece is seen only by the people who may edit it.

Editing (update, hide, unhide): organisation-level pieces (the starter content included) by the
organisation's admins; a programme's additions by that programme's managers and the admins.
Anyone else who can read the piece gets Forbidden (403); anyone who cannot, NotFound (404).
"""

from django.db.models import Q
from django.utils.translation import gettext

from tandem.accounts.models import Role, User
from tandem.core.errors import Forbidden, NotFound
from tandem.participants.models import ParticipantStatus
from tandem.programs.models import Program
from tandem.programs.permissions import can_manage_program
from tandem.resources.models import Resource


def member_program_ids(user: User) -> set[int]:
    """The programmes whose additions `user` reads: where they take part (active) or manage;
    every programme of the organisation for its admins. One query."""
    if user.organization_id is None:
        return set()
    if user.role == Role.ORG_ADMIN:
        return set(
            Program.objects.filter(organization_id=user.organization_id).values_list(
                "pk", flat=True
            )
        )
    return set(
        Program.objects.filter(organization_id=user.organization_id)
        .filter(
            Q(participants__user=user, participants__status=ParticipantStatus.ACTIVE)
            | Q(managers=user)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


def can_edit_resource(actor: User, resource: Resource) -> bool:
    if not actor.is_active or actor.organization_id != resource.organization_id:
        return False
    if actor.role == Role.ORG_ADMIN:
        return True
    return resource.program is not None and can_manage_program(actor, resource.program)


def resource_access(*, actor: User, resource_id: int, edit: bool = False) -> Resource:
    """The resource as `actor` may use it, or NotFound / Forbidden (see the module docstring)."""
    if actor.organization_id is None or not actor.is_active:
        raise NotFound(gettext("No such resource."))
    resource = (
        Resource.objects.select_related("program", "organization")
        .filter(pk=resource_id, organization_id=actor.organization_id)
        .first()
    )
    if resource is None:
        raise NotFound(gettext("No such resource."))
    editor = can_edit_resource(actor, resource)
    if not editor:
        if resource.is_hidden:
            raise NotFound(gettext("No such resource."))
        if resource.program_id is not None and resource.program_id not in member_program_ids(actor):
            raise NotFound(gettext("No such resource."))
        if edit:
            raise Forbidden(
                gettext(
                    "Only organisation admins (and a programme's managers, for its own "
                    "additions) can change the library."
                )
            )
    return resource
