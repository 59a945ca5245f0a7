"""The nudges and relationship health agree: health counts the pair nudges by their rule names,
and the scheduler enqueues the hourly refresh of the stored health the digest and the escalation
read (a worker runs it, never the scheduler under its lease)."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from tandem.core.models import PeriodicRun
from tandem.health import tasks as health_tasks
from tandem.health.gather import PAIR_NUDGE_RULES
from tandem.health.models import RelationshipHealth
from tandem.nudges.rules import RULES_BY_NAME
from tandem.relationships.models import Relationship


def test_health_counts_nudges_by_rules_that_exist_and_name_the_pair():
    # then: every rule health counts (but its own one-click nudge) is a rule of the table
    assert set(PAIR_NUDGE_RULES) - set(RULES_BY_NAME) == {"health_nudge"}


def test_the_scheduler_enqueues_the_health_refresh_once_an_hour(
    pair, django_capture_on_commit_callbacks, monkeypatch
):
    # given: one pair quiet for seven weeks, no stored health yet
    since = timezone.now() - datetime.timedelta(weeks=7)
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        activated_at=since, last_activity_at=since
    )
    refreshes: list[str] = []
    real = health_tasks.health_refresh

    def counted(**kwargs):
        refreshes.append("refresh")
        return real(**kwargs)

    monkeypatch.setattr(health_tasks, "health_refresh", counted)
    # when: the scheduler ticks twice in the hour (tests run tasks as they are enqueued)
    out = io.StringIO()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("run_scheduler", "--once", stdout=out)
    # then: one refresh, enqueued after the tick's work; both open pairs scored, the quiet
    # one at risk
    assert refreshes == ["refresh"]
    assert "health_refresh" in out.getvalue()
    stored = dict(RelationshipHealth.objects.values_list("relationship_id", "bucket"))
    assert stored == {pair.relationship.pk: "at_risk", pair.other_relationship.pk: "too_early"}
    assert PeriodicRun.objects.filter(job="health_refresh").count() == 1
