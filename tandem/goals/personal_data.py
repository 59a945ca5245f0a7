"""What goals holds about a person: the shared goals of their pairs, their milestones and
comments, and the changes they made."""

from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, identifiers_of, rows_of, scrub_rows
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


def erase(user: User) -> ErasureReport:
    # Goals, milestones and comments are the pair's: kept, the person pseudonymised.
    names = identifiers_of(user)
    report = ErasureReport()
    report.kept("goals.Goal", Goal.objects.filter(created_by=user).count())
    report.kept("goals.GoalComment", GoalComment.objects.filter(author=user).count())
    report.kept("goals.Milestone", Milestone.objects.filter(done_by=user).count())
    changes = GoalChange.objects.filter(
        Q(actor=user) | Q(goal__relationship_id__in=relationship_ids(user))
    )
    return report.kept("goals.GoalChange", scrub_rows(changes, ("before", "after"), names))
