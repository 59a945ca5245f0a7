"""A match is announced once: the matching services write the announcement under the key of the
rule `match_announced`, so the scheduler finds it known and sends nothing more."""

import datetime

from django.core import mail
from django.utils import timezone

from tandem.matching.requests.services import match_request_accept
from tandem.matching.runs import services as runs
from tandem.matching.tests.factories import enrol_person
from tandem.matching.tests.requests_world import ask
from tandem.notifications.models import NotificationCategory, OutboxMessage, OutboxStatus
from tandem.notifications.services import notification_preferences_update
from tandem.nudges.rules import RULES_BY_NAME
from tandem.nudges.services import nudges_due, nudges_evaluate
from tandem.participants.models import ParticipantRole
from tandem.people.tests.factories import SkillFactory
from tandem.programs.models import ProgramFormat
from tandem.programs.tests.factories import ProgramFactory

RULE = RULES_BY_NAME["match_announced"]
SOON = datetime.timedelta(minutes=1)


def _keys() -> list[tuple[str, str]]:
    return sorted(OutboxMessage.objects.values_list("key", "status"))


def _publish(cast, capture, **program_fields):  # type: ignore[no-untyped-def]
    program = ProgramFactory(organization=cast.org, managers=[cast.manager], **program_fields)
    python = SkillFactory(organization=cast.org, name="Python")
    mentees = [enrol_person(program, wants=[python]) for _ in range(2)]
    mentor = enrol_person(program, role=ParticipantRole.MENTOR, capacity=2, offers=[python])
    with capture(execute=True):
        run = runs.match_run_start(actor=cast.manager, program_id=program.pk, objective="total")
    with capture(execute=True):
        runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    return mentor, mentees


def test_a_published_pair_is_not_announced_again_by_the_scheduler(
    cast, django_capture_on_commit_callbacks
):
    # given a published run: two pairs with one mentor, four announcements sent
    mentor, mentees = _publish(cast, django_capture_on_commit_callbacks)
    told = sorted(m.to[0] for m in mail.outbox)
    assert told == sorted([mentor.user.email] * 2 + [m.user.email for m in mentees])
    before = _keys()
    # when the scheduler evaluates the rule a minute later
    with django_capture_on_commit_callbacks(execute=True):
        report = nudges_evaluate(now=timezone.now() + SOON, rules=(RULE,))
    # then it finds the four due and every one of their keys already in the outbox
    assert report.due == {"match_announced": 4}
    assert report.enqueued == {"match_announced": 0}
    assert {nudge.key for nudge in nudges_due(now=timezone.now() + SOON, rule=RULE.name)} == {
        key for key, _ in before
    }
    assert _keys() == before
    assert sorted(m.to[0] for m in mail.outbox) == told


def test_a_circle_is_announced_to_its_mentor_once_not_pair_by_pair(
    cast, django_capture_on_commit_callbacks
):
    # given a published group programme: one circle of two, three announcements sent
    mentor, mentees = _publish(cast, django_capture_on_commit_callbacks, format=ProgramFormat.GROUP)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [mentor.user.email, *(m.user.email for m in mentees)]
    )
    before = _keys()
    # when the scheduler evaluates the rule
    with django_capture_on_commit_callbacks(execute=True):
        report = nudges_evaluate(now=timezone.now() + SOON, rules=(RULE,))
    # then the mentor's key of each pair was recorded as covered by the circle's announcement
    assert report.due == {"match_announced": 4}
    assert report.enqueued == {"match_announced": 0}
    assert _keys() == before
    assert [status for key, status in before if ":circle-" not in key].count(
        OutboxStatus.SKIPPED
    ) == 2
    assert len(mail.outbox) == 3


def test_an_accepted_request_is_not_announced_again_by_the_scheduler(
    cast, django_capture_on_commit_callbacks
):
    # given the mentee, who chose in-app only for announcements, asked and the mentor accepted
    notification_preferences_update(
        actor=cast.mentee, channels={NotificationCategory.WELCOME: "in_app"}
    )
    chosen = ask(cast.mentee_participant, cast.mentor_participant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        match_request_accept(actor=cast.mentor, request_id=chosen.pk)
    assert [m.to for m in mail.outbox] == [[cast.mentor.email]]
    before = _keys()
    # when the scheduler evaluates the rule
    with django_capture_on_commit_callbacks(execute=True):
        report = nudges_evaluate(now=timezone.now() + SOON, rules=(RULE,))
    # then nothing new: no second email to the mentor, no email at all to the mentee
    assert report.due == {"match_announced": 2}
    assert report.enqueued == {"match_announced": 0}
    assert _keys() == before
    assert [m.to for m in mail.outbox] == [[cast.mentor.email]]
