"""What goals holds about a person: the shared goals of their pairs, their milestones and
comments, and the changes they made."""

from tandem.accounts.models import User
from tandem.core.personal_data import Section, rows_of
from tandem.goals.models import Goal, GoalChange, GoalComment, Milestone
from tandem.relationships.personal_data import relationship_ids

COVERS = ("goals.Goal", "goals.Milestone", "goals.GoalComment", "goals.GoalChange")


def export(user: User) -> list[Section]:
    ids = relationship_ids(user)
    return [
        Section(
            "goals",
            "Goals of your mentoring relationships.",
            rows_of(
                Goal.objects.filter(relationship_id__in=ids),
                ("id", "relationship_id", "title", "measure", "target_on", "status", "achieved_at"),
            ),
        ),
        Section(
            "milestones",
            "Milestones of those goals.",
            rows_of(
                Milestone.objects.filter(goal__relationship_id__in=ids),
                ("goal_id", "title", "due_on", "done_at"),
            ),
        ),
        Section(
            "goal_comments",
            "Comments on those goals.",
            rows_of(
                GoalComment.objects.filter(goal__relationship_id__in=ids),
                ("goal_id", "author__email", "body", "created_at"),
            ),
        ),
        Section(
            "goal_changes",
            "Changes you made to goals.",
            rows_of(
                GoalChange.objects.filter(actor=user),
                ("goal_id", "at", "field", "subject", "before", "after"),
            ),
        ),
    ]
