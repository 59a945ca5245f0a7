"""Who sees which dashboard: a programme's managers and the organisation's admins."""

from tandem.accounts.models import Role, User
from tandem.core.errors import Forbidden
from tandem.programs.models import Program
from tandem.programs.permissions import program_access
from tandem.programs.selectors import program_list_for_manager


def analytics_program_access(*, actor: User, program_id: int) -> Program:
    """The programme whose dashboard `actor` may read (its managers, org admins), or
    NotFound (another organisation, a draft they do not manage) / Forbidden."""
    return program_access(actor=actor, program_id=program_id, manage=True)


def analytics_programs_access(*, actor: User) -> list[Program]:
    """The programmes of the organisation roll-up: every one for an admin, the ones they
    manage for a programme manager; Forbidden for anyone else."""
    if actor.role not in (Role.ORG_ADMIN, Role.PROGRAM_MANAGER) or not actor.is_active:
        raise Forbidden("Only organisation admins and programme managers see analytics.")
    return list(program_list_for_manager(actor=actor))
