"""Who may open a person's page, and how much of it.

Organisation admins see every person of their organisation, with every programme. Programme
managers (decision record 0002: they manage the programmes they are listed on) see a person who
takes part in one of those programmes, and only those programmes and the pairs in them. Anyone
else, another organisation's people, and a person outside the manager's programmes: 404.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tandem.accounts.models import Role, User
from tandem.core.errors import NotFound
from tandem.participants.models import Participant
from tandem.programs.models import Program
from tandem.programs.selectors import program_list_for_manager


@dataclass(frozen=True)
class PersonAccess:
    person: User
    # The programmes whose part of the person's record the viewer may see.
    programs: QuerySet[Program]
    is_org_admin: bool


def person_access(*, actor: User, user_id: int) -> PersonAccess:
    """The person `user_id` as `actor` may see them, or NotFound."""
    if (
        not actor.is_active
        or actor.organization_id is None
        or actor.role not in {Role.ORG_ADMIN, Role.PROGRAM_MANAGER}
    ):
        raise NotFound(_("No such person."))
    person = (
        User.objects.select_related("profile", "profile__manager")
        .filter(pk=user_id, organization_id=actor.organization_id)
        .first()
    )
    if person is None:
        raise NotFound(_("No such person."))
    programs = Program.objects.filter(
        pk__in=program_list_for_manager(actor=actor).values("pk")
    ).order_by("name", "pk")
    is_org_admin = actor.role == Role.ORG_ADMIN
    if (
        not is_org_admin
        and not Participant.objects.filter(user=person, program__in=programs).exists()
    ):
        raise NotFound(_("No such person."))
    return PersonAccess(person=person, programs=programs, is_org_admin=is_org_admin)
