"""The survey rules: each survey sent once per occasion when it falls due, and one reminder."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.meetings.services import meeting_record_held
from tandem.meetings.tests.factories import schedule, started
from tandem.notifications.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    QuietHours,
)
from tandem.nudges.rules import RULES_BY_NAME
from tandem.nudges.services import nudges_due, nudges_evaluate
from tandem.nudges.tests.conftest import configure
from tandem.participants.models import ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.programs.models import Program, ProgramStatus
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.surveys.models import Survey, SurveyInvitation
from tandem.surveys.services import response_submit, surveys_add_defaults
from tandem.surveys.templates_data import SHIPPED

SURVEY_RULES = (RULES_BY_NAME["survey_sent"], RULES_BY_NAME["survey_reminder"])


def _invitations() -> list[tuple[str, int, int, str]]:
    return sorted(
        SurveyInvitation.objects.values_list(
            "survey__template_key", "relationship_id", "user_id", "occasion"
        )
    )


def _activated(relationship: Relationship, days_ago: float, now: datetime.datetime) -> None:
    Relationship.objects.filter(pk=relationship.pk).update(
        activated_at=now - datetime.timedelta(days=days_ago)
    )


def _both(key: str, relationship: Relationship, occasion: str) -> list[tuple[str, int, int, str]]:
    return sorted(
        (key, relationship.pk, user_id, occasion)
        for user_id in (relationship.mentor.user_id, relationship.mentee.user_id)
    )


def test_a_programme_starts_with_the_shipped_surveys(pair):
    # when
    nudges_due(now=timezone.now(), rule="survey_sent")
    # then
    assert sorted(Survey.objects.values_list("program_id", "template_key")) == sorted(
        (pair.cast.program.pk, shipped.template_key) for shipped in SHIPPED
    )


def test_evaluating_twice_invites_and_enqueues_once(pair):
    # given: the pair was matched 31 days ago (the first pulse is due)
    now = timezone.now()
    _activated(pair.relationship, 31, now)
    # when
    first = nudges_evaluate(now=now, rules=SURVEY_RULES)
    invitations = _invitations()
    keys = sorted(OutboxMessage.objects.filter(rule="survey_sent").values_list("key", flat=True))
    second = nudges_evaluate(now=now, rules=SURVEY_RULES)
    # then
    assert invitations == _both("pulse", pair.relationship, "day-30")
    assert first.enqueued["survey_sent"] == 2
    assert second.enqueued["survey_sent"] == 0
    assert _invitations() == invitations
    ids = SurveyInvitation.objects.values_list("pk", "user_id")
    assert keys == sorted(f"survey_sent:{pk}:{user}:day-30" for pk, user in ids)
    assert (
        sorted(OutboxMessage.objects.filter(rule="survey_sent").values_list("key", flat=True))
        == keys
    )


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        (29, []),
        (30, ["day-30"]),
        (36, ["day-30"]),  # within the week a late survey is still sent
        (38, []),
        (90, ["day-90", "nps"]),
        (150, ["day-150"]),
        (157, []),
    ],
)
def test_pulse_after_30_days_then_every_60_and_nps_at_90(pair, days_ago, expected):
    # given
    now = timezone.now()
    _activated(pair.relationship, days_ago + 0.01, now)
    # when
    nudges_due(now=now, rule="survey_sent")
    # then
    wanted = []
    for occasion in expected:
        if occasion == "nps":
            wanted += _both("nps", pair.relationship, "day-90")
        else:
            wanted += _both("pulse", pair.relationship, occasion)
    assert _invitations() == sorted(wanted)


def test_pairing_fit_after_the_first_meeting_is_held(pair):
    # given: a meeting held
    meeting = started(schedule(pair.relationship), hours_ago=2)
    meeting_record_held(
        actor=pair.mentor, relationship_id=pair.relationship.pk, meeting_id=meeting.pk
    )
    now = timezone.now()
    # then: due a day later (the template's offset), not before
    nudges_due(now=now, rule="survey_sent")
    assert _invitations() == []
    nudges_due(now=now + datetime.timedelta(days=1, hours=1), rule="survey_sent")
    assert _invitations() == _both("pairing_fit", pair.relationship, "first-meeting")


def test_midpoint_survey_half_way(pair):
    today = timezone.now().date()
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        started_on=today - datetime.timedelta(30), planned_end_on=today + datetime.timedelta(30)
    )
    nudges_due(now=timezone.now(), rule="survey_sent")
    assert _invitations() == _both("midpoint", pair.relationship, "halfway")


def test_closing_surveys_when_it_ends_mentor_and_mentee_variants(pair):
    # given: the relationship ended an hour ago
    now = timezone.now()
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        status=RelationshipStatus.ENDED, closed_at=now - datetime.timedelta(hours=1)
    )
    # when
    nudges_due(now=now, rule="survey_sent")
    # then
    assert _invitations() == sorted(
        [
            ("closing_mentor", pair.relationship.pk, pair.mentor.pk, "end"),
            ("closing_mentee", pair.relationship.pk, pair.mentee.pk, "end"),
        ]
    )


def test_a_programme_that_turned_surveys_off_gets_nothing(pair):
    now = timezone.now()
    _activated(pair.relationship, 31, now)
    configure(pair.cast, "survey_sent", enabled=False)
    assert nudges_due(now=now, rule="survey_sent") == []
    assert _invitations() == []


def test_a_draft_programme_gets_nothing(pair):
    now = timezone.now()
    _activated(pair.relationship, 31, now)
    Program.objects.filter(pk=pair.cast.program.pk).update(status=ProgramStatus.DRAFT)
    assert nudges_due(now=now, rule="survey_sent") == []
    assert _invitations() == []


def test_one_reminder_to_who_has_not_answered(pair):
    # given: both invited to the first pulse; the mentee answered
    now = timezone.now()
    _activated(pair.relationship, 31, now)
    nudges_evaluate(now=now, rules=SURVEY_RULES)
    by_user = dict(SurveyInvitation.objects.values_list("user_id", "pk"))
    response_submit(
        actor=pair.mentee,
        invitation_id=by_user[pair.mentee.pk],
        answers={"progress": 4, "rhythm": "Once"},
    )
    # when: four days later, twice
    later = now + datetime.timedelta(days=4, minutes=1)
    nudges_evaluate(now=later, rules=SURVEY_RULES)
    nudges_evaluate(now=later + datetime.timedelta(hours=1), rules=SURVEY_RULES)
    # then: the mentor alone, once
    reminders = list(
        OutboxMessage.objects.filter(rule="survey_reminder").values_list("key", flat=True)
    )
    assert reminders == [f"survey_reminder:{by_user[pair.mentor.pk]}:{pair.mentor.pk}:reminder"]
    assert nudges_due(now=now + datetime.timedelta(days=3), rule="survey_reminder") == []


def _pairs(program: Program, count: int, now: datetime.datetime) -> None:
    for _ in range(count):
        mentor = ParticipantFactory(program=program, role=ParticipantRole.MENTOR, capacity=1)
        mentee = ParticipantFactory(program=program, user__organization=program.organization)
        Relationship.objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=RelationshipStatus.ACTIVE,
            source="manual",
            activated_at=now - datetime.timedelta(days=31),
        )


def test_query_count_does_not_depend_on_the_number_of_relationships(cast):
    # given: 3 due pairs, then 30 more, each evaluated at a new moment
    now = timezone.now()
    surveys_add_defaults(program_ids=[cast.program.pk])
    _pairs(cast.program, 3, now)

    def count(at: datetime.datetime) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            report = nudges_evaluate(now=at, rules=SURVEY_RULES[:1])
        return len(queries), report.enqueued["survey_sent"]

    small = count(now)
    SurveyInvitation.objects.all().delete()
    _pairs(cast.program, 30, now)
    large = count(now + datetime.timedelta(minutes=1))
    # then
    assert small[1] == 6
    assert large[1] == 66
    assert large[0] == small[0]


@pytest.mark.parametrize(
    ("channel", "emails", "in_app"),
    [("email", 1, 1), ("in_app", 0, 1), ("off", 0, 0)],
)
def test_sending_follows_each_persons_channel(pair, channel, emails, in_app):
    # given: the mentee chose a channel for the category surveys are sent in
    now = timezone.now()
    _activated(pair.relationship, 31, now)
    category = RULES_BY_NAME["survey_sent"].category
    NotificationPreference.objects.create(user=pair.mentee, category=category, channel=channel)
    # when
    nudges_evaluate(now=now, rules=SURVEY_RULES)
    # then: the invitation exists whatever the channel (it is on "My surveys")
    assert _invitations() == _both("pulse", pair.relationship, "day-30")
    mine = OutboxMessage.objects.filter(rule="survey_sent", recipient=pair.mentee)
    assert mine.count() == 1  # one row whatever the channel: the key says "told"
    assert mine.exclude(status=OutboxStatus.SKIPPED).count() == emails
    assert Notification.objects.filter(user=pair.mentee, category=category).count() == in_app


def test_an_email_waits_for_the_end_of_quiet_hours(pair):
    # given: the mentee's quiet hours cover every hour but one
    now = timezone.now()
    _activated(pair.relationship, 31, now)
    QuietHours.objects.create(
        user=pair.mentee,
        start=(now + datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0),
        end=(now + datetime.timedelta(minutes=59)).time().replace(second=0, microsecond=0),
    )
    # when
    nudges_evaluate(now=now, rules=SURVEY_RULES)
    # then: the mentee's email waits, the mentor's does not
    waits = dict(
        OutboxMessage.objects.filter(rule="survey_sent").values_list("recipient_id", "not_before")
    )
    assert waits[pair.mentee.pk] > now
    assert waits[pair.mentor.pk] <= now + datetime.timedelta(seconds=1)
