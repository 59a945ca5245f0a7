"""The one way a view, endpoint or service gets hold of a relationship: its guard.

The pair's workspace (agreement, goals, meetings, actions, journal, messages, feedback) is
private to the mentor and mentee. Programme managers and organisation admins manage the
relationship's lifecycle and see activity signals (workspace.selectors), never its content:
`relationship_access` answers them NotFound unless `allow_manager` is asked for.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.accounts.requests import signed_in_user
from tandem.core.errors import Conflict, NotFound
from tandem.core.web import guard_as_http
from tandem.programs.permissions import can_manage_program
from tandem.relationships.models import OPEN_STATUSES, Circle, Relationship


@dataclass(frozen=True)
class RelationshipAccess:
    """Who is looking at a relationship, and from which side."""

    relationship: Relationship
    user: User
    side: str  # "mentor", "mentee" or "manager"

    @property
    def is_party(self) -> bool:
        return self.side in ("mentor", "mentee")

    @property
    def partner(self) -> User | None:
        """The other person of the pair (None for a manager)."""
        if self.side == "mentor":
            return self.relationship.mentee.user
        if self.side == "mentee":
            return self.relationship.mentor.user
        return None

    @property
    def is_open(self) -> bool:
        return self.relationship.status in OPEN_STATUSES

    def require_open(self) -> None:
        """Refuse a write in a completed or ended relationship: its workspace is a record."""
        if not self.is_open:
            raise Conflict(
                _(
                    "This relationship is %(status)s; "
                    "its workspace can be read but no longer changed."
                )
                % {"status": self.relationship.get_status_display().lower()}
            )


def relationship_access(
    *,
    actor: User,
    relationship_id: int,
    allow_manager: bool = False,
    for_update: bool = False,
) -> RelationshipAccess:
    """The relationship `relationship_id` as `actor` may use it, or NotFound (404).

    The mentor and the mentee get it; with `allow_manager`, so do the programme's managers and
    the organisation's admins. Anyone else, and anything in another organisation, is NotFound:
    a private object never answers 403. `for_update` locks the row (inside a transaction).
    """
    queryset = Relationship.objects.select_related(
        "program", "mentor__user", "mentee__user", "circle"
    ).filter(pk=relationship_id, program__organization_id=actor.organization_id or 0)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    relationship = queryset.first()
    if relationship is None or actor.organization_id is None:
        raise NotFound(_("No such relationship."))
    if relationship.mentor.user_id == actor.pk:
        return RelationshipAccess(relationship, actor, "mentor")
    if relationship.mentee.user_id == actor.pk:
        return RelationshipAccess(relationship, actor, "mentee")
    if allow_manager and can_manage_program(actor, relationship.program):
        return RelationshipAccess(relationship, actor, "manager")
    raise NotFound(_("No such relationship."))


def relationship_access_for_request(
    request: HttpRequest, relationship_id: int, *, allow_manager: bool = False
) -> RelationshipAccess:
    """The one guard an HTML view uses: `relationship_access` for the signed-in person, its
    NotFound answered as a 404 page (and a Forbidden as a 403), never a relationship it
    should not see."""
    with guard_as_http():
        return relationship_access(
            actor=signed_in_user(request),
            relationship_id=relationship_id,
            allow_manager=allow_manager,
        )


# --- a group circle --------------------------------------------------------------------


@dataclass(frozen=True)
class CircleAccess:
    """A member looking at their circle, with everyone in it. `relationships` are the
    circle's open pairs (mentor with each mentee), oldest first: each member's own pair hub
    stays theirs for the one-to-one things (agreement, goals, journal)."""

    circle: Circle
    user: User
    members: tuple[User, ...]
    relationships: tuple[Relationship, ...] = ()

    @property
    def others(self) -> list[User]:
        return [member for member in self.members if member.pk != self.user.pk]

    @property
    def is_mentor(self) -> bool:
        return self.circle.mentor.user_id == self.user.pk

    @property
    def own_relationships(self) -> list[Relationship]:
        """The pairs of the circle the viewer is in: all of them for its mentor, one for a
        mentee."""
        return [r for r in self.relationships if self.is_mentor or r.mentee.user_id == self.user.pk]


def circle_relationships(circle: Circle) -> tuple[Relationship, ...]:
    """The circle's open relationships with their people, oldest first (one query)."""
    return tuple(
        Relationship.objects.select_related("mentee__user", "mentor__user")
        .filter(circle=circle, status__in=OPEN_STATUSES)
        .order_by("created_at", "id")
    )


def circle_members(circle: Circle) -> tuple[User, ...]:
    """The circle's mentor and the mentees of its open relationships (one query)."""
    return (circle.mentor.user, *(r.mentee.user for r in circle_relationships(circle)))


def circle_access(*, actor: User, circle_id: int) -> CircleAccess:
    """The circle `circle_id` as one of its members sees it, or NotFound (404) for anyone
    else — its programme's managers and the organisation's admins included: what a circle
    says and plans is its members' alone, like a pair's. Two queries."""
    circle = (
        Circle.objects.select_related("program", "mentor__user")
        .filter(pk=circle_id, program__organization_id=actor.organization_id or 0)
        .first()
    )
    if circle is None or actor.organization_id is None:
        raise NotFound(_("No such circle."))
    relationships = circle_relationships(circle)
    members = (circle.mentor.user, *(r.mentee.user for r in relationships))
    if actor.pk not in {member.pk for member in members}:
        raise NotFound(_("No such circle."))
    return CircleAccess(circle=circle, user=actor, members=members, relationships=relationships)


def circle_access_for_request(request: HttpRequest, circle_id: int) -> CircleAccess:
    with guard_as_http():
        return circle_access(actor=signed_in_user(request), circle_id=circle_id)
