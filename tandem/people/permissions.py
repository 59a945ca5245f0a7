"""Who may do what with people data, and the one way a view gets a skill or a staged import.

Something in another organisation is NotFound (404); inside the organisation, an action the
caller's role does not allow is Forbidden (403).
"""

from tandem.accounts.models import Organization, Role, User
from tandem.core.errors import Forbidden, NotFound
from tandem.people.models import PeopleImport, Skill


def is_org_admin(actor: User) -> bool:
    return actor.is_active and actor.organization_id is not None and actor.role == Role.ORG_ADMIN


def can_manage_skills(actor: User) -> bool:
    """Organisation admins and programme managers maintain the organisation's skill list."""
    return (
        actor.is_active
        and actor.organization_id is not None
        and actor.role in {Role.ORG_ADMIN, Role.PROGRAM_MANAGER}
    )


def organization_id_of(actor: User) -> int:
    """The id of the actor's organisation, without a query; people data only exists inside one."""
    if actor.organization_id is None:
        raise Forbidden("Only members of an organisation have people data.")
    return actor.organization_id


def require_organization(actor: User) -> Organization:
    """The actor's organisation; people data only exists inside one."""
    if actor.organization is None:
        raise Forbidden("Only members of an organisation have people data.")
    return actor.organization


def require_org_admin(actor: User) -> Organization:
    """The actor's organisation when they are its admin, else Forbidden."""
    organization = require_organization(actor)
    if not is_org_admin(actor):
        raise Forbidden("Only an organisation admin can manage the people directory.")
    return organization


def require_skill_manager(actor: User) -> Organization:
    organization = require_organization(actor)
    if not can_manage_skills(actor):
        raise Forbidden(
            "Only organisation admins and programme managers can change the skill list."
        )
    return organization


def skill_access(*, actor: User, skill_id: int, manage: bool = False) -> Skill:
    """The skill as `actor` may use it: another organisation's is NotFound; editing needs a role."""
    skill = Skill.objects.filter(pk=skill_id, organization_id=organization_id_of(actor)).first()
    if skill is None:
        raise NotFound("No such skill.")
    if manage:
        require_skill_manager(actor)
    return skill


def people_import_access(*, actor: User, import_id: int) -> PeopleImport:
    """A staged import of the actor's organisation. Only organisation admins reach one."""
    require_org_admin(actor)
    staged = (
        PeopleImport.objects.select_related("organization")
        .filter(pk=import_id, organization_id=organization_id_of(actor))
        .first()
    )
    if staged is None:
        raise NotFound("No such import.")
    return staged
