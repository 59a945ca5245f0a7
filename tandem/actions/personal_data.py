"""What actions holds about a person: the action items of the pairs they were part of."""

from django.db.models import Q

from tandem.accounts.models import User
from tandem.actions.models import ActionItem
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.relationships.personal_data import relationship_ids

COVERS = ("actions.ActionItem",)


def export(user: User) -> list[Section]:
    ids = relationship_ids(user)
    return [
        Section(
            "action_items",
            "Action items of your mentoring relationships.",
            rows_of(
                ActionItem.objects.filter(Q(relationship_id__in=ids) | Q(owner=user)),
                (
                    "id",
                    "relationship_id",
                    "title",
                    "owner__email",
                    "due_on",
                    "status",
                    "reflection",
                    "closed_at",
                    "created_at",
                ),
            ),
        )
    ]


def erase(user: User) -> ErasureReport:
    # Action items are the pair's: kept, owned by the pseudonymised account.
    return ErasureReport().kept(
        "actions.ActionItem", ActionItem.objects.filter(Q(owner=user) | Q(created_by=user)).count()
    )
