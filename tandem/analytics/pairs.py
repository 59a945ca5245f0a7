"""The pairs behind a figure: the drill-down from a dashboard number to the programme's pair
list, with the managers' activity signals (`workspace.selectors.relationship_signals`), never
the pair's content."""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from tandem.agreements.selectors import agreement_signed_exists
from tandem.analytics.filters import Scope
from tandem.analytics.selectors import active_at_90_days, met_recently
from tandem.core.errors import InvalidInput
from tandem.meetings.selectors import first_meeting_held
from tandem.relationships.models import Relationship, RelationshipStatus

# figure -> (what the list shows, the condition on the scope's relationships)
FIGURES: dict[str, tuple[str, Callable[[Scope], Q]]] = {
    "matched": ("Matched", lambda scope: Q()),
    "signed": ("Agreement signed", lambda scope: Q(agreement_signed_exists())),
    "first_meeting": ("First meeting held", lambda scope: Q(first_meeting_held())),
    "active_90": ("Active at 90 days", lambda scope: active_at_90_days(scope.now)),
    "completed": ("Completed", lambda scope: Q(status=RelationshipStatus.COMPLETED)),
    "active": ("Active", lambda scope: Q(status=RelationshipStatus.ACTIVE)),
    "met_30": (
        "Active and met in the last 30 days",
        lambda scope: Q(status=RelationshipStatus.ACTIVE) & Q(met_recently(scope.now)),
    ),
}


def figure_label(figure: str) -> str:
    if figure not in FIGURES:
        choices = ", ".join(FIGURES)
        raise InvalidInput.for_field("figure", f"'{figure}' is not a figure: one of {choices}.")
    return FIGURES[figure][0]


def pairs_behind(*, scope: Scope, figure: str) -> QuerySet[Relationship]:
    """The pairs of the scope's programmes and people that make up `figure`, newest first
    (never ordered by activity, which would tell who acted last); the caller guarded the
    programmes."""
    figure_label(figure)
    condition = FIGURES[figure][1](scope)
    return (
        Relationship.objects.select_related("program", "mentor__user", "mentee__user", "circle")
        .filter(scope.pairs(), condition)
        .order_by("-created_at", "-id")
    )
