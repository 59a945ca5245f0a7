"""The one way a view or endpoint gets hold of a programme: through its guard."""

from tandem.accounts.models import Role, User
from tandem.core.errors import Forbidden, NotFound
from tandem.programs.models import Program, ProgramStatus


def can_manage_program(actor: User, program: Program) -> bool:
    """Organisation admins manage every programme; programme managers the ones they are on."""
    if actor.organization_id != program.organization_id or not actor.is_active:
        return False
    if actor.role == Role.ORG_ADMIN:
        return True
    if actor.role != Role.PROGRAM_MANAGER:
        return False
    # Use the prefetched managers when the caller loaded them, to avoid a query per row.
    cache = getattr(program, "_prefetched_objects_cache", {})
    if "managers" in cache:
        return any(manager.pk == actor.pk for manager in cache["managers"])
    return program.managers.filter(pk=actor.pk).exists()


def program_access(*, actor: User, program_id: int, manage: bool = False) -> Program:
    """The programme `program_id` as `actor` may use it, or an error.

    Another organisation's programme, and a draft the actor does not manage, are NotFound (404).
    A published or archived programme the actor may see but not manage is Forbidden (403) when
    `manage` is asked for.
    """
    if actor.organization_id is None:
        raise NotFound("No such programme.")
    program = (
        Program.objects.select_related("organization")
        .filter(pk=program_id, organization_id=actor.organization_id)
        .first()
    )
    if program is None:
        raise NotFound("No such programme.")
    if can_manage_program(actor, program):
        return program
    if program.status == ProgramStatus.DRAFT:
        raise NotFound("No such programme.")
    if manage:
        raise Forbidden("Only this programme's managers and organisation admins can do that.")
    return program
