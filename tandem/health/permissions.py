"""Who may read a pair's health and act on it: the programme's managers and the organisation's
admins (`program_access(manage=True)`). The pair never sees its health score: it is a
manager's tool for deciding whom to talk to, and a score read by the two people would become
a grade of each other (docs/architecture.md, "Relationship health")."""

from tandem.accounts.models import User
from tandem.core.errors import NotFound
from tandem.programs.permissions import program_access
from tandem.relationships.models import Relationship


def health_relationship_access(*, actor: User, relationship_id: int) -> Relationship:
    """The relationship `relationship_id` for a manager of its programme, with its people and
    programme loaded. Another organisation's, or a missing one: NotFound; a programme the
    actor may see but not manage: Forbidden (what `program_access` answers)."""
    relationship = (
        Relationship.objects.select_related("program", "mentor__user", "mentee__user")
        .filter(pk=relationship_id, program__organization_id=actor.organization_id or 0)
        .first()
    )
    if relationship is None:
        raise NotFound("No such relationship.")
    relationship.program = program_access(
        actor=actor, program_id=relationship.program_id, manage=True
    )
    return relationship
