"""Who may import HR outcome data and who sees the outcomes page.

HR outcome data is sensitive. Organisation admins import it and see the outcomes of every
programme. Programme managers see the outcomes of the programmes they manage only when their
organisation's admins turned `OutcomesSettings.managers_see_outcomes` on (off by default).
Nobody else sees anything, and what is seen is only ever the aggregate analysis.

Outside the caller's organisation everything is NotFound (404); inside it, a role that may not
do this is Forbidden (403).
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from tandem.accounts.models import Organization, Role, User
from tandem.core.errors import Forbidden, NotFound
from tandem.outcomes.models import OutcomesImport, OutcomesSettings
from tandem.programs.models import Program


def is_org_admin(actor: User) -> bool:
    return actor.is_active and actor.organization_id is not None and actor.role == Role.ORG_ADMIN


def require_org_admin(actor: User) -> Organization:
    """The actor's organisation when they are its admin, else Forbidden."""
    if actor.organization is None or not actor.is_active:
        raise Forbidden("Only members of an organisation have outcome data.")
    if actor.role != Role.ORG_ADMIN:
        raise Forbidden("Only an organisation admin can import or configure HR outcome data.")
    return actor.organization


def managers_see_outcomes(organization_id: int) -> bool:
    """The organisation's setting, read as off while no admin has saved it."""
    return bool(
        OutcomesSettings.objects.filter(organization_id=organization_id)
        .values_list("managers_see_outcomes", flat=True)
        .first()
    )


def can_see_outcomes(actor: User) -> bool:
    """Whether the outcomes page exists for this person at all (one query for a manager)."""
    if not actor.is_active or actor.organization_id is None:
        return False
    if actor.role == Role.ORG_ADMIN:
        return True
    return actor.role == Role.PROGRAM_MANAGER and managers_see_outcomes(actor.organization_id)


def outcome_programs(*, actor: User) -> QuerySet[Program]:
    """The programmes whose outcomes `actor` may see: all of an admin's organisation, the
    ones a manager manages (when the setting allows), else Forbidden."""
    if not can_see_outcomes(actor):
        raise Forbidden(
            "Only organisation admins (and programme managers, when the organisation allows "
            "it) see outcomes."
        )
    programs = Program.objects.filter(organization_id=actor.organization_id or 0)
    if actor.role != Role.ORG_ADMIN:
        programs = programs.filter(managers=actor)
    return programs.order_by("name", "id")


def outcome_programs_access(*, actor: User, program_ids: Iterable[int]) -> list[Program]:
    """The chosen programmes, each one the actor may see outcomes of; any other (another
    organisation's, or one a manager does not manage) is NotFound. No choice means every
    programme the actor may see."""
    visible = outcome_programs(actor=actor)
    wanted = sorted(set(program_ids))
    if not wanted:
        return list(visible)
    programs = list(visible.filter(pk__in=wanted))
    if len(programs) != len(wanted):
        raise NotFound("No such programme.")
    return programs


def outcomes_import_access(*, actor: User, import_id: int) -> OutcomesImport:
    """A staged outcomes import of the actor's organisation. Only organisation admins."""
    require_org_admin(actor)
    staged = OutcomesImport.objects.filter(
        pk=import_id, organization_id=actor.organization_id or 0
    ).first()
    if staged is None:
        raise NotFound("No such import.")
    return staged
