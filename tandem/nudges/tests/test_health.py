"""The nudges and relationship health agree: health counts the pair nudges by their rule names,
and the scheduler refreshes the stored health before the digest and the escalation read it."""

import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from tandem.health.gather import PAIR_NUDGE_RULES
from tandem.health.models import RelationshipHealth
from tandem.nudges.rules import RULES_BY_NAME
from tandem.relationships.models import Relationship


def test_health_counts_nudges_by_rules_that_exist_and_name_the_pair():
    # then: every rule health counts (but its own one-click nudge) is a rule of the table
    assert set(PAIR_NUDGE_RULES) - set(RULES_BY_NAME) == {"health_nudge"}


def test_the_scheduler_refreshes_stale_health_first(pair):
    # given: one pair quiet for seven weeks, no stored health yet
    since = timezone.now() - datetime.timedelta(weeks=7)
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        activated_at=since, last_activity_at=since
    )
    # when
    call_command("run_scheduler", "--once", stdout=io.StringIO())
    # then: both open pairs scored; the quiet one at risk
    stored = dict(RelationshipHealth.objects.values_list("relationship_id", "bucket"))
    assert stored == {pair.relationship.pk: "at_risk", pair.other_relationship.pk: "too_early"}
