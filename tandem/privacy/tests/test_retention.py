"""Retention of ended relationships' private data: the org admin's page (an authorization
matrix; on a denial nothing changes) and the daily job that deletes what is past it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ACTOR_NAMES
from tandem.assessments.models import SelfAssessment
from tandem.assessments.services import assessment_submit
from tandem.assessments.tests.factories import all_scores
from tandem.core.errors import InvalidInput, NotFound
from tandem.journals.models import JournalEntry
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.privacy.models import RetentionSettings
from tandem.privacy.services import (
    _months_before,
    retention_apply,
    retention_settings_update,
)
from tandem.relationships.models import Relationship, RelationshipStatus


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# Organisation admins (of their own organisation: the outsider is another's admin).
ADMINS = {"admin", "outsider"}


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_retention_page_matrix(cast, name):
    # given an actor
    user = cast.by_name(name)
    client = _client(user)
    # when they open the page and set six months
    page = client.get("/privacy/retention/")
    posted = client.post("/privacy/retention/", {"ended_relationship_private_data_months": "6"})
    # then only organisation admins reach it, for their own organisation
    if name == "anonymous":
        assert (page.status_code, posted.status_code) == (302, 302)
    elif name in ADMINS:
        assert (page.status_code, posted.status_code) == (200, 302)
    else:
        assert (page.status_code, posted.status_code) == (404, 404)
    expected = [(user.organization_id, 6)] if name in ADMINS else []
    assert (
        list(
            RetentionSettings.objects.values_list(
                "organization_id", "ended_relationship_private_data_months"
            )
        )
        == expected
    )


@pytest.mark.parametrize("raw", ["0", "121", "-3", "six", "2.5"])
def test_bad_months_are_refused_and_nothing_changes(cast, raw):
    response = _client(cast.admin).post(
        "/privacy/retention/", {"ended_relationship_private_data_months": raw}
    )
    assert response.status_code == 400
    assert b"months" in response.content
    assert not RetentionSettings.objects.exists()


def test_the_service_guards_its_rules(cast):
    with pytest.raises(NotFound):
        retention_settings_update(actor=cast.manager, months=6)
    with pytest.raises(InvalidInput):
        retention_settings_update(actor=cast.admin, months=True)  # type: ignore[arg-type]
    assert retention_settings_update(actor=cast.admin, months=None).pk is not None


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
        (datetime(2024, 5, 31, tzinfo=UTC), 3, datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2026, 12, 1, tzinfo=UTC), 12, datetime(2025, 12, 1, tzinfo=UTC)),
    ],
)
def test_months_before(moment, months, expected):
    assert _months_before(moment, months) == expected


def _ended(relationship: Relationship, ago: timedelta) -> None:
    Relationship.objects.filter(pk=relationship.pk).update(
        status=RelationshipStatus.ENDED, closed_at=timezone.now() - ago
    )


def test_the_job_deletes_private_data_of_relationships_ended_long_enough_ago(pair):
    # given both pairs wrote journal entries and assessments; the first ended 7 months ago,
    # the other 2 months ago; the organisation keeps such data 6 months
    for relationship in (pair.relationship, pair.other_relationship):
        people = (relationship.mentor.user, relationship.mentee.user)
        for user in people:
            JournalEntryFactory(author=user, relationship=relationship)
            assessment_submit(
                actor=user,
                relationship_id=relationship.pk,
                moment="start",
                ratings=all_scores(relationship, 3),
            )
    _ended(pair.relationship, timedelta(days=7 * 31))
    _ended(pair.other_relationship, timedelta(days=2 * 31))
    # when the job runs without a setting, then with six months
    assert retention_apply() == 0
    retention_settings_update(actor=pair.cast.admin, months=6)
    deleted = retention_apply()
    # then only the first pair's private data went
    assert deleted == 4
    assert not JournalEntry.objects.filter(relationship=pair.relationship).exists()
    assert not SelfAssessment.objects.filter(relationship=pair.relationship).exists()
    assert JournalEntry.objects.filter(relationship=pair.other_relationship).count() == 2
    assert SelfAssessment.objects.filter(relationship=pair.other_relationship).count() == 2
    # and running again deletes nothing more
    assert retention_apply() == 0
