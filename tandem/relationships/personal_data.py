"""What relationships holds about a person: the pairs they were part of and the events of
those pairs (shared with the partner, so both see them)."""

from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, identifiers_of, rows_of, scrub_rows
from tandem.relationships.models import Relationship, RelationshipEvent
from tandem.relationships.selectors import relationship_ids_of_user

COVERS = ("relationships.Relationship", "relationships.RelationshipEvent")


def relationship_ids(user: User) -> list[int]:
    """The ids of every relationship the person was the mentor or the mentee of."""
    return sorted(row["pk"] for row in relationship_ids_of_user(user=user))


def export(user: User) -> list[Section]:
    ids = relationship_ids(user)
    return [
        Section(
            "relationships",
            "The mentoring relationships you were part of, with your partner's name.",
            rows_of(
                Relationship.objects.filter(pk__in=ids),
                (
                    "id",
                    "program__name",
                    "mentor__user__first_name",
                    "mentor__user__last_name",
                    "mentee__user__first_name",
                    "mentee__user__last_name",
                    "status",
                    "started_on",
                    "planned_end_on",
                    "closed_at",
                    "close_reason",
                ),
            ),
        ),
        Section(
            "relationship_events",
            "What happened in those relationships (started, paused, ended).",
            rows_of(
                RelationshipEvent.objects.filter(Q(relationship_id__in=ids) | Q(actor=user)),
                ("relationship_id", "kind", "summary", "created_at"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # Relationships are the partner's too: kept. Their events and closing reasons may name
    # the person (the lifecycle's "... was deactivated"): the name replaced.
    names = identifiers_of(user)
    ids = relationship_ids(user)
    report = ErasureReport()
    report.kept(
        "relationships.Relationship",
        scrub_rows(Relationship.objects.filter(pk__in=ids), ("close_reason",), names),
    )
    return report.kept(
        "relationships.RelationshipEvent",
        scrub_rows(RelationshipEvent.objects.filter(relationship_id__in=ids), ("summary",), names),
    )
