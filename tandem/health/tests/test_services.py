"""health_refresh and friends: history rows, closed pairs, staleness, journey steps overdue."""

import datetime

from django.utils import timezone

from tandem.health.models import RelationshipHealth, RelationshipHealthHistory
from tandem.health.selectors import program_health_summary
from tandem.health.services import REFRESH_EVERY, health_refresh, health_refresh_if_stale
from tandem.health.tests.helpers import make_quiet
from tandem.journeys.services import journey_ensure
from tandem.relationships.models import Relationship, RelationshipStatus


def _history(relationship) -> list[tuple[str, int]]:
    return list(
        RelationshipHealthHistory.objects.filter(relationship=relationship).values_list(
            "bucket", "score"
        )
    )


def test_history_gets_a_row_a_week_and_one_on_every_bucket_change(pair):
    # given: a Monday
    monday = datetime.datetime(2030, 1, 7, 9, 0, tzinfo=datetime.UTC)
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        activated_at=monday - datetime.timedelta(days=10),
        last_activity_at=monday - datetime.timedelta(days=10),
    )
    # when: scored on Monday, again on Tuesday (same bucket, same week), then the next Monday
    health_refresh(now=monday)
    health_refresh(now=monday + datetime.timedelta(days=1))
    after_same_week = _history(pair.relationship)
    health_refresh(now=monday + datetime.timedelta(days=7))
    after_a_week = _history(pair.relationship)
    # then: one row that week, one more the next week (same bucket)
    assert [bucket for bucket, _ in after_same_week] == ["too_early"]
    assert [bucket for bucket, _ in after_a_week] == ["too_early", "too_early"]
    # when: three weeks in it is scored for real: the bucket changes mid-week
    health_refresh(now=monday + datetime.timedelta(days=12))
    health_refresh(now=monday + datetime.timedelta(days=13))
    # then
    assert [bucket for bucket, _ in _history(pair.relationship)] == [
        "too_early",
        "too_early",
        "on_track",
    ]
    # when: much later, quiet for seven weeks
    health_refresh(now=monday + datetime.timedelta(days=40))
    # then
    assert _history(pair.relationship)[-1][0] == "at_risk"


def test_a_closed_pair_loses_its_snapshot_and_keeps_its_history(pair):
    # given
    health_refresh()
    Relationship.objects.filter(pk=pair.relationship.pk).update(status=RelationshipStatus.ENDED)
    # when
    health_refresh()
    # then
    assert list(RelationshipHealth.objects.values_list("relationship_id", flat=True)) == [
        pair.other_relationship.pk
    ]
    assert len(_history(pair.relationship)) == 1
    assert program_health_summary(program_ids=[pair.cast.program.pk]) == {
        pair.cast.program.pk: {"at_risk": 0, "needs_checkin": 0, "on_track": 0, "too_early": 1}
    }


def test_refresh_if_stale(pair):
    # given
    now = timezone.now()
    assert health_refresh_if_stale(now=now) == 2
    # then: fresh scores are left alone; stale ones are recomputed
    assert health_refresh_if_stale(now=now + REFRESH_EVERY / 2) is None
    assert health_refresh_if_stale(now=now + REFRESH_EVERY * 2) == 2
    # and: unchanged scores are not rewritten, but say when they were last computed
    assert set(RelationshipHealth.objects.values_list("computed_at", flat=True)) == {
        now + REFRESH_EVERY * 2
    }


def test_journey_steps_overdue_count(pair):
    # given: the programme's journey stored; the pair started 120 days ago and ticked nothing
    journey_ensure(program=pair.cast.program)
    make_quiet(pair.relationship, days=120)
    # when
    health_refresh()
    # then
    row = RelationshipHealth.objects.get(relationship=pair.relationship)
    journey = [c for c in row.components if c["key"] == "journey"]
    assert len(journey) == 1
    assert journey[0]["text"].endswith("overdue")
    assert journey[0]["points"] == 15


def test_a_paused_pair_needs_a_check_in(pair):
    # given
    Relationship.objects.filter(pk=pair.relationship.pk).update(status=RelationshipStatus.PAUSED)
    # when
    health_refresh()
    # then
    row = RelationshipHealth.objects.get(relationship=pair.relationship)
    assert (row.bucket, row.sentence) == ("needs_checkin", "paused")
