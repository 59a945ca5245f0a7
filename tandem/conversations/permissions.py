"""Guards for message threads. A relationship's thread goes through `relationship_access`
(the pair only); a circle's thread through `circle_access` (its members only)."""

from dataclasses import dataclass

from tandem.accounts.models import User
from tandem.core.errors import NotFound
from tandem.relationships.models import OPEN_STATUSES, Circle, Relationship


@dataclass(frozen=True)
class CircleAccess:
    """A member looking at their circle, with everyone in it."""

    circle: Circle
    user: User
    members: tuple[User, ...]

    @property
    def others(self) -> list[User]:
        return [member for member in self.members if member.pk != self.user.pk]


def circle_members(circle: Circle) -> tuple[User, ...]:
    """The circle's mentor and the mentees of its open relationships (one query)."""
    mentees = [
        relationship.mentee.user
        for relationship in Relationship.objects.select_related("mentee__user")
        .filter(circle=circle, status__in=OPEN_STATUSES)
        .order_by("created_at", "id")
    ]
    return (circle.mentor.user, *mentees)


def circle_access(*, actor: User, circle_id: int) -> CircleAccess:
    """The circle `circle_id` as one of its members sees it, or NotFound (404) for anyone
    else — its programme's managers and the organisation's admins included."""
    circle = (
        Circle.objects.select_related("program", "mentor__user")
        .filter(pk=circle_id, program__organization_id=actor.organization_id or 0)
        .first()
    )
    if circle is None or actor.organization_id is None:
        raise NotFound("No such circle.")
    members = circle_members(circle)
    if actor.pk not in {member.pk for member in members}:
        raise NotFound("No such circle.")
    return CircleAccess(circle=circle, user=actor, members=members)
