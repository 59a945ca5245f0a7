"""Journey test helpers: state built through the services, as people build it."""

import datetime
from typing import Any

from django.utils import timezone

from tandem.journeys.models import Journey, Stage, Step, StepCompletion
from tandem.journeys.services import journey_ensure
from tandem.programs.models import Program
from tandem.relationships.models import Relationship
from tandem.resources.models import Resource
from tandem.resources.services import resource_create


def started_days_ago(relationship: Relationship, days: int, *, length_days: int = 180) -> None:
    """Move a relationship's start `days` into the past (tests cannot wait for the clock)."""
    today = timezone.localdate()
    started_on = today - datetime.timedelta(days=days)
    Relationship.objects.filter(pk=relationship.pk).update(
        started_on=started_on, planned_end_on=started_on + datetime.timedelta(days=length_days)
    )
    relationship.refresh_from_db()


def library_resource(admin: Any, title: str = "Asking open questions", **values: Any) -> Resource:
    fields: dict[str, Any] = {
        "kind": "article",
        "body_markdown": "Ask *what* and *how*.",
        "stages": ["getting-started"],
    }
    fields.update(values)
    return resource_create(actor=admin, title=title, **fields)


def step_named(program_id: int, title: str) -> Step:
    """A step of the programme's journey by title (the journey is made first if needed)."""
    journey_ensure(program=Program.objects.get(pk=program_id))
    return Step.objects.get(stage__journey__program_id=program_id, title=title)


def state() -> dict[str, list[dict[str, Any]]]:
    """Everything a journey call could change, to compare before and after."""
    return {
        "journeys": list(Journey.objects.order_by("pk").values()),
        "stages": list(Stage.objects.order_by("pk").values()),
        "steps": list(Step.objects.order_by("pk").values()),
        "links": list(Step.resources.through.objects.order_by("pk").values()),
        "ticks": list(StepCompletion.objects.order_by("pk").values()),
    }
