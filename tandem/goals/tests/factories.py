import datetime

import factory
from django.utils import timezone

from tandem.goals.models import Goal, GoalStatus, Milestone


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    title = factory.Sequence(lambda n: f"Goal {n}")
    measure = "Something to show"
    target_on = factory.LazyFunction(lambda: in_days(90))
    status = GoalStatus.ACTIVE
    order = factory.Sequence(lambda n: n)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    goal = factory.SubFactory(GoalFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = factory.LazyFunction(lambda: in_days(30))
    order = factory.Sequence(lambda n: n)
