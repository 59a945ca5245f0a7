"""Retention of ended relationships' private data: the org admin's page (an authorization
matrix; on a denial nothing changes) and the daily job that deletes what is past it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ACTOR_NAMES
from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.assessments.models import SelfAssessment
from tandem.assessments.services import assessment_submit
from tandem.assessments.tests.factories import all_scores
from tandem.audit import events
from tandem.audit.models import AuditEntry
from tandem.core.errors import InvalidInput, NotFound
from tandem.journals.models import JournalEntry
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.privacy.models import RetentionSettings
from tandem.privacy.services import (
    _months_before,
    erasure_cancel,
    erasure_request,
    erasures_execute,
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


# The organisation's waiting period before an erasure ----------------------------------------


@pytest.mark.parametrize("days", [None, 0, 1, 7, 30])
def test_an_erasure_waits_the_organisations_period_at_the_time_it_is_asked(cast, settings, days):
    # given Tandem's default of 14 days and the organisation's own period (None: the default)
    settings.PRIVACY_ERASURE_COOLING_OFF_DAYS = 14
    retention_settings_update(actor=cast.admin, erasure_cooling_off_days=days)
    # when the member asks for their erasure, and the admin then changes the period
    asked = erasure_request(actor=cast.member, person_id=cast.member.pk)
    retention_settings_update(actor=cast.admin, erasure_cooling_off_days=3)
    # then the request waits the period in force when it was asked, unmoved by the change
    asked.refresh_from_db()
    assert asked.due_at - asked.requested_at == timedelta(days=14 if days is None else days)
    # and the next request waits the new period; another organisation keeps the default
    erasure_cancel(actor=cast.member, erasure_id=asked.pk)
    again = erasure_request(actor=cast.member, person_id=cast.member.pk)
    assert again.due_at - again.requested_at == timedelta(days=3)
    outside = erasure_request(actor=cast.outsider, person_id=_colleague_of(cast.outsider).pk)
    assert outside.due_at - outside.requested_at == timedelta(days=14)


def _colleague_of(admin):
    return UserFactory(organization=admin.organization)


def test_a_zero_period_erases_at_the_next_run(cast):
    # given no waiting period
    retention_settings_update(actor=cast.admin, erasure_cooling_off_days=0)
    asked = erasure_request(actor=cast.admin, person_id=cast.member.pk)
    # when the hourly job runs
    done = erasures_execute(now=asked.requested_at)
    # then the person is erased
    assert done == 1
    assert User.objects.get(pk=cast.member.pk).display_name == "Former member"


@pytest.mark.parametrize(
    ("raw", "saved"),
    [("", None), ("0", 0), ("14", 14), ("30", 30), ("  5 ", 5)],
)
def test_the_page_sets_the_waiting_period_and_audits_it(cast, raw, saved):
    client = _client(cast.admin)
    # when the admin saves the period (the months left empty)
    response = client.post("/privacy/retention/", {"erasure_cooling_off_days": raw})
    # then it is stored, and a change is one audited settings change, before and after
    assert response.status_code == 302
    row = RetentionSettings.objects.get(organization=cast.org)
    assert row.erasure_cooling_off_days == saved
    changes = [
        entry.additional_data["changes"]
        for entry in AuditEntry.objects.filter(event=events.SETTINGS_CHANGED)
    ]
    assert changes == ([{"erasure_cooling_off_days": [None, saved]}] if saved is not None else [])
    # and the page says what it means and shows the value
    page = client.get("/privacy/retention/")
    assert b"Until then the person or an organisation admin can cancel it" in page.content
    shown = "" if saved is None else saved
    field = f'name="erasure_cooling_off_days" placeholder="14" value="{shown}"'
    assert field.encode() in page.content


@pytest.mark.parametrize("raw", ["-1", "31", "365", "two", "1.5"])
def test_a_bad_waiting_period_is_refused_and_nothing_changes(cast, raw):
    retention_settings_update(actor=cast.admin, months=6, erasure_cooling_off_days=7)
    before = list(RetentionSettings.objects.values())
    audited = AuditEntry.objects.filter(event=events.SETTINGS_CHANGED).count()
    response = _client(cast.admin).post(
        "/privacy/retention/",
        {"ended_relationship_private_data_months": "12", "erasure_cooling_off_days": raw},
    )
    assert response.status_code == 400
    assert b'id="error-erasure_cooling_off_days"' in response.content
    assert list(RetentionSettings.objects.values()) == before
    assert AuditEntry.objects.filter(event=events.SETTINGS_CHANGED).count() == audited


@pytest.mark.parametrize("days", [-1, 31, True, 2.5])
def test_the_service_refuses_a_period_out_of_bounds(cast, days):
    with pytest.raises(InvalidInput) as refused:
        retention_settings_update(actor=cast.admin, erasure_cooling_off_days=days)
    assert [error.field for error in refused.value.errors] == ["erasure_cooling_off_days"]
    assert not RetentionSettings.objects.exists()
    with pytest.raises(NotFound):
        retention_settings_update(actor=cast.manager, erasure_cooling_off_days=1)


def test_setting_one_value_keeps_the_other(cast):
    retention_settings_update(actor=cast.admin, months=6)
    retention_settings_update(actor=cast.admin, erasure_cooling_off_days=2)
    row = RetentionSettings.objects.get()
    assert (row.ended_relationship_private_data_months, row.erasure_cooling_off_days) == (6, 2)
