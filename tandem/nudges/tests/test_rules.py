"""Every rule: due, not due, turned off, and with its timing changed."""

import datetime

from django.utils import timezone

from tandem.agreements.models import Agreement, AgreementVersion
from tandem.goals.tests.factories import GoalFactory, MilestoneFactory
from tandem.health.models import RelationshipHealth
from tandem.health.services import health_refresh
from tandem.journeys.models import Step
from tandem.journeys.services import journey_ensure
from tandem.meetings.models import CheckIn, Meeting, MeetingStatus
from tandem.meetings.tests.factories import schedule
from tandem.nudges.services import nudges_due
from tandem.nudges.tests.conftest import configure, keys, later
from tandem.participants.models import Participant
from tandem.programs.models import Program
from tandem.relationships.models import Relationship, RelationshipStatus


def _pair_keys(rule: str, relationship: Relationship, period: str) -> list[str]:
    return sorted(
        f"{rule}:{relationship.pk}:{user_id}:{period}"
        for user_id in (relationship.mentor.user_id, relationship.mentee.user_id)
    )


def _both_pairs(rule: str, pair, period_of) -> list[str]:
    return sorted(
        _pair_keys(rule, pair.relationship, period_of(pair.relationship))
        + _pair_keys(rule, pair.other_relationship, period_of(pair.other_relationship))
    )


def _activated(relationship: Relationship) -> str:
    return relationship.activated_at.date().isoformat()


def test_welcome(cast):
    # given: four people enrolled just now (the cast's pair has not started)
    people = list(Participant.objects.order_by("pk"))
    expected = sorted(
        f"welcome:{p.pk}:{p.user_id}:{p.enrolled_at.date().isoformat()}" for p in people
    )
    # then: due at once, no longer a week later, later with a later timing, never when off
    assert keys("welcome", later(seconds=1)) == expected
    assert keys("welcome", later(days=8)) == []
    configure(cast, "welcome", timing=48)
    assert keys("welcome", later(hours=47)) == []
    assert keys("welcome", later(hours=49)) == expected
    configure(cast, "welcome", enabled=False)
    assert keys("welcome", later(hours=49)) == []


def test_welcome_skips_people_not_enrolled(cast):
    # given
    Participant.objects.filter(pk=cast.mentee_participant.pk).update(status="pending")
    # when
    due = keys("welcome", later(seconds=1))
    # then
    assert [key.split(":")[1] for key in due] == [str(cast.mentor_participant.pk)]


def test_match_announced(pair):
    # given
    def created(relationship):
        return relationship.created_at.date().isoformat()

    expected = _both_pairs("match_announced", pair, created)
    # then
    assert keys("match_announced", later(seconds=1)) == expected
    assert keys("match_announced", later(days=8)) == []
    configure(pair.cast, "match_announced", timing=24)
    assert keys("match_announced", later(hours=23)) == []
    assert keys("match_announced", later(hours=25)) == expected
    configure(pair.cast, "match_announced", enabled=False)
    assert keys("match_announced", later(hours=25)) == []


def test_agreement_unsigned(pair):
    # given: the other pair has signed
    agreement = Agreement.objects.create(
        relationship=pair.other_relationship,
        cadence="monthly",
        duration_months=6,
        confidentiality="Ours.",
    )
    now = timezone.now()
    AgreementVersion.objects.create(
        agreement=agreement,
        version=1,
        content={},
        mentor_signed_at=now,
        mentee_signed_at=now,
        created_at=now,
    )
    expected = _pair_keys("agreement_unsigned", pair.relationship, _activated(pair.relationship))
    # then: due after 7 days (default) for the unsigned pair only
    assert keys("agreement_unsigned", later(days=6)) == []
    assert keys("agreement_unsigned", later(days=7, seconds=1)) == expected
    configure(pair.cast, "agreement_unsigned", timing=10)
    assert keys("agreement_unsigned", later(days=9)) == []
    assert keys("agreement_unsigned", later(days=10, seconds=1)) == expected
    configure(pair.cast, "agreement_unsigned", enabled=False)
    assert keys("agreement_unsigned", later(days=30)) == []


def test_no_meeting_scheduled(pair):
    # given: the other pair booked a meeting; a cancelled one does not count
    schedule(pair.other_relationship)
    cancelled = schedule(pair.relationship)
    Meeting.objects.filter(pk=cancelled.pk).update(
        status=MeetingStatus.CANCELLED, cancelled_at=timezone.now()
    )
    expected = _pair_keys("no_meeting_scheduled", pair.relationship, _activated(pair.relationship))
    # then
    assert keys("no_meeting_scheduled", later(days=13)) == []
    assert keys("no_meeting_scheduled", later(days=14, seconds=1)) == expected
    configure(pair.cast, "no_meeting_scheduled", timing=3)
    assert keys("no_meeting_scheduled", later(days=3, seconds=1)) == expected
    configure(pair.cast, "no_meeting_scheduled", enabled=False)
    assert keys("no_meeting_scheduled", later(days=30)) == []


def test_meeting_reminder_attaches_the_invitation(pair):
    # given
    meeting = schedule(pair.relationship, days=3)
    period = meeting.starts_at.strftime("%Y%m%dT%H%MZ")
    expected = sorted(
        f"meeting_reminder:{meeting.pk}:{user.pk}:{period}" for user in (pair.mentor, pair.mentee)
    )

    def before(**delta: float) -> datetime.datetime:
        return meeting.starts_at - datetime.timedelta(**delta)

    # when
    due = nudges_due(now=before(hours=23), rule="meeting_reminder")
    # then
    assert sorted(nudge.key for nudge in due) == expected
    attachment = due[0].attachments[0]
    assert (attachment.filename, attachment.mimetype) == ("invite.ics", "text/calendar")
    assert f"UID:{meeting.uid}" in attachment.content
    assert due[0].url == f"/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/"
    assert keys("meeting_reminder", before(hours=25)) == []
    assert keys("meeting_reminder", meeting.starts_at + datetime.timedelta(minutes=1)) == []
    configure(pair.cast, "meeting_reminder", timing=48)
    assert keys("meeting_reminder", before(hours=47)) == expected
    configure(pair.cast, "meeting_reminder", enabled=False)
    assert keys("meeting_reminder", before(hours=1)) == []


def test_meeting_reminder_after_a_reschedule_is_a_new_period(pair):
    # given
    meeting = schedule(pair.relationship, days=3)
    first = keys("meeting_reminder", meeting.starts_at - datetime.timedelta(hours=1))
    # when
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at + datetime.timedelta(days=1)
    )
    meeting.refresh_from_db()
    second = keys("meeting_reminder", meeting.starts_at - datetime.timedelta(hours=1))
    # then
    assert len(first) == len(second) == 2
    assert set(first).isdisjoint(second)


def test_checkin_request_asks_who_has_not_checked_in(pair):
    # given: a held meeting; the mentor checked in already
    meeting = schedule(pair.relationship, days=3)
    held_at = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD, held_at=held_at)
    CheckIn.objects.create(meeting=meeting, user=pair.mentor, usefulness=4)
    expected = [f"checkin_request:{meeting.pk}:{pair.mentee.pk}:held"]
    # then
    assert keys("checkin_request", later(hours=1)) == []
    assert keys("checkin_request", later(hours=2, seconds=1)) == expected
    assert keys("checkin_request", later(days=8)) == []
    configure(pair.cast, "checkin_request", timing=0)
    assert keys("checkin_request", later(seconds=1)) == expected
    configure(pair.cast, "checkin_request", enabled=False)
    assert keys("checkin_request", later(hours=3)) == []


def test_goal_and_milestone_due_soon(pair, today):
    # given
    goal = GoalFactory(relationship=pair.relationship, target_on=today + datetime.timedelta(10))
    milestone = MilestoneFactory(goal=goal, due_on=today + datetime.timedelta(3))
    MilestoneFactory(goal=goal, due_on=today + datetime.timedelta(2), done_at=timezone.now())
    GoalFactory(
        relationship=pair.other_relationship,
        status="dropped",
        target_on=today + datetime.timedelta(2),
    )
    milestone_keys = sorted(
        f"goal_due_soon:milestone-{milestone.pk}:{user.pk}:{milestone.due_on.isoformat()}"
        for user in (pair.mentor, pair.mentee)
    )
    goal_keys = sorted(
        f"goal_due_soon:goal-{goal.pk}:{user.pk}:{goal.target_on.isoformat()}"
        for user in (pair.mentor, pair.mentee)
    )
    now = timezone.now()
    # then: 7 days ahead by default
    assert keys("goal_due_soon", now) == milestone_keys
    configure(pair.cast, "goal_due_soon", timing=14)
    assert keys("goal_due_soon", now) == sorted(goal_keys + milestone_keys)
    configure(pair.cast, "goal_due_soon", timing=1)
    assert keys("goal_due_soon", now) == []
    configure(pair.cast, "goal_due_soon", enabled=False, timing=14)
    assert keys("goal_due_soon", now) == []


def test_inactivity_nudges_both_then_escalates_to_the_managers(pair):
    # given: the pair started and was last active three weeks and a day ago, never met, having
    # agreed to meet every two weeks; the other pair is busy
    Program.objects.filter(pk=pair.cast.program.pk).update(cadence="fortnightly")
    since = timezone.now() - datetime.timedelta(weeks=3, days=1)
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        last_activity_at=since, activated_at=since
    )
    period = since.date().isoformat()
    now = timezone.now()
    health_refresh(now=now)
    # then: the pair is nudged; its health is not at risk yet, so the managers are not told
    assert keys("inactivity", now) == _pair_keys("inactivity", pair.relationship, period)
    assert RelationshipHealth.objects.get(relationship=pair.relationship).bucket != "at_risk"
    assert keys("inactivity_escalation", now) == []
    configure(pair.cast, "inactivity_escalation", timing=3)
    assert keys("inactivity_escalation", now) == []
    # when: three weeks later still nothing, and the scheduler refreshed the health
    health_refresh(now=later(weeks=3))
    # then: at risk, so the managers hear, with the health's reasons
    escalated = [f"inactivity_escalation:{pair.relationship.pk}:{pair.cast.manager.pk}:{period}"]
    assert keys("inactivity_escalation", later(weeks=3)) == escalated
    (nudge,) = nudges_due(now=later(weeks=3), rule="inactivity_escalation")
    assert "and their health is at risk (no meeting held in 43 days since the start; " in (
        nudge.text
    )
    assert nudge.url == f"/programs/{pair.cast.program.pk}/health/?bucket=at_risk"
    configure(pair.cast, "inactivity_escalation", timing=7)
    assert keys("inactivity_escalation", later(weeks=3)) == []
    configure(pair.cast, "inactivity", timing=4)
    assert keys("inactivity", now) == []
    configure(pair.cast, "inactivity_escalation", enabled=False, timing=3)
    assert keys("inactivity_escalation", later(weeks=3)) == []


def test_escalation_follows_the_health_bucket_not_the_quiet_alone(pair):
    # given: both pairs quiet for seven weeks; only one is at risk by its stored health
    since = timezone.now() - datetime.timedelta(weeks=7)
    Relationship.objects.update(last_activity_at=since, activated_at=since)
    now = timezone.now()
    health_refresh(now=now)
    RelationshipHealth.objects.filter(relationship=pair.other_relationship).update(
        bucket="needs_checkin"
    )
    # then
    assert keys("inactivity_escalation", now) == [
        f"inactivity_escalation:{pair.relationship.pk}:{pair.cast.manager.pk}:"
        f"{since.date().isoformat()}"
    ]


def test_inactivity_after_new_activity_is_a_new_period(pair):
    # given
    first = timezone.now() - datetime.timedelta(weeks=4)
    Relationship.objects.filter(pk=pair.relationship.pk).update(last_activity_at=first)
    before = keys("inactivity", timezone.now())
    # when: they did something a week ago, then went quiet again
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        last_activity_at=first + datetime.timedelta(weeks=1)
    )
    after = [
        key
        for key in keys("inactivity", later(weeks=3))
        if key.startswith(f"inactivity:{pair.relationship.pk}:")
    ]
    # then
    assert len(before) == len(after) == 2
    assert set(before).isdisjoint(after)


def test_midpoint(pair, today):
    # given: started 30 days ago, planned to end in 30 days; the other pair just started
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        started_on=today - datetime.timedelta(30), planned_end_on=today + datetime.timedelta(30)
    )
    expected = _pair_keys("midpoint", pair.relationship, today.isoformat())
    now = timezone.now()
    # then
    assert keys("midpoint", now) == expected
    assert keys("midpoint", now - datetime.timedelta(days=1)) == []
    assert keys("midpoint", now + datetime.timedelta(days=8)) == []
    configure(pair.cast, "midpoint", timing=5)
    assert keys("midpoint", now) == []
    assert keys("midpoint", later(days=5)) == _pair_keys(
        "midpoint", pair.relationship, (today + datetime.timedelta(5)).isoformat()
    )
    configure(pair.cast, "midpoint", enabled=False)
    assert keys("midpoint", later(days=5)) == []


def test_closing(pair, today):
    # given
    end = today + datetime.timedelta(10)
    Relationship.objects.filter(pk=pair.relationship.pk).update(planned_end_on=end)
    expected = _pair_keys("closing", pair.relationship, end.isoformat())
    now = timezone.now()
    # then
    assert keys("closing", now) == expected
    configure(pair.cast, "closing", timing=7)
    assert keys("closing", now) == []
    assert keys("closing", later(days=3)) == expected
    configure(pair.cast, "closing", enabled=False)
    assert keys("closing", later(days=3)) == []


def test_paused_pairs_are_left_alone(pair):
    # given
    Relationship.objects.update(status=RelationshipStatus.PAUSED)
    # then
    for rule in ("agreement_unsigned", "no_meeting_scheduled", "inactivity", "closing"):
        assert keys(rule, later(days=100)) == []


def test_manager_digest(pair):
    # given: a Wednesday; one pair at risk by its health (active for 7 weeks, nothing held),
    # the other too early to tell
    wednesday = datetime.datetime(2030, 1, 9, 9, 0, tzinfo=datetime.UTC)
    Relationship.objects.filter(pk=pair.relationship.pk).update(
        activated_at=wednesday - datetime.timedelta(weeks=7)
    )
    Relationship.objects.filter(pk=pair.other_relationship.pk).update(
        activated_at=wednesday - datetime.timedelta(weeks=1)
    )
    Participant.objects.update(enrolled_at=wednesday - datetime.timedelta(days=2))
    health_refresh(now=wednesday)
    # when
    due = nudges_due(now=wednesday, rule="manager_digest")
    # then
    assert [nudge.key for nudge in due] == [
        f"manager_digest:{pair.cast.program.pk}:{pair.cast.manager.pk}:2030-W02"
    ]
    assert due[0].text == (
        "This week in Leadership cohort:\n"
        "- new enrolments in the last 7 days: 4\n"
        "- not matched yet: 0 mentees, 0 mentors\n"
        "- pairs at risk: 1, needing a check-in: 0 (see Pair health)"
    )
    configure(pair.cast, "manager_digest", timing=4)  # Thursday
    assert keys("manager_digest", wednesday) == []
    assert len(keys("manager_digest", wednesday + datetime.timedelta(days=1))) == 1
    configure(pair.cast, "manager_digest", enabled=False)
    assert keys("manager_digest", wednesday + datetime.timedelta(days=1)) == []


def test_journey_step_due(pair, today):
    # given: the programme's default journey; both pairs started today
    journey_ensure(program=pair.cast.program)
    first = Step.objects.filter(stage__journey__program=pair.cast.program).order_by(
        "stage__order", "order"
    )[0]
    due_on = today + datetime.timedelta(first.due_offset_days)
    expected = sorted(
        f"journey_step_due:{relationship.pk}-{first.pk}:{user_id}:{due_on.isoformat()}"
        for relationship in (pair.relationship, pair.other_relationship)
        for user_id in (relationship.mentor.user_id, relationship.mentee.user_id)
    )

    def first_step(now: datetime.datetime) -> list[str]:
        return [key for key in keys("journey_step_due", now) if f"-{first.pk}:" in key]

    # then: 3 days ahead by default, and for a week after it came
    assert first_step(later(days=first.due_offset_days - 4)) == []
    assert first_step(later(days=first.due_offset_days - 3)) == expected
    assert first_step(later(days=first.due_offset_days + 8)) == []
    configure(pair.cast, "journey_step_due", timing=10)
    assert first_step(later(days=first.due_offset_days - 10)) == expected
    configure(pair.cast, "journey_step_due", enabled=False)
    assert keys("journey_step_due", later(days=first.due_offset_days)) == []
