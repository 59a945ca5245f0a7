"""Every email matching owes is dressed in its programme: the outbox row carries the programme's
id, name and colour as they were when the message was owed (notifications may not look them up)."""

import pytest
from django.core import mail

from tandem.matching.requests.services import (
    match_request_accept,
    match_request_approve,
    match_request_decline,
)
from tandem.matching.runs import services as runs
from tandem.matching.tests.factories import enrol_person
from tandem.matching.tests.requests_world import ask, mentee_in, mentor_in, need_approval
from tandem.notifications.models import OutboxMessage
from tandem.notifications.services import outbox_deliver_batch
from tandem.participants.models import ParticipantRole
from tandem.people.tests.factories import SkillFactory
from tandem.programs import services as program_services
from tandem.programs.tests.factories import ProgramFactory


def _dressed(program):
    return (program.pk, program.name, program.colour)


def _rows():
    return sorted(
        OutboxMessage.objects.values_list(
            "rule", "recipient_id", "program_id", "program_name", "program_colour"
        )
    )


def _request_accepted(cast, program):
    mentee, mentor = mentee_in(program, "Ada"), mentor_in(program, "Grace")
    match_request_accept(actor=mentor.user, request_id=ask(mentee, mentor).pk)
    return {mentee.user_id, mentor.user_id}


def _request_declined(cast, program):
    mentee, mentor = mentee_in(program, "Ada"), mentor_in(program, "Grace")
    match_request_decline(actor=mentor.user, request_id=ask(mentee, mentor).pk, message="Full")
    return {mentee.user_id, mentor.user_id}


def _request_approved(cast, program):
    need_approval(program)
    mentee, mentor = mentee_in(program, "Ada"), mentor_in(program, "Grace")
    match_request_approve(actor=cast.manager, request_id=ask(mentee, mentor).pk)
    return {mentor.user_id, cast.manager.pk, cast.admin.pk}


def _run_published(cast, program, capture):
    python = SkillFactory(organization=cast.org, name="Python")
    ada = enrol_person(program, first_name="Ada", last_name="Lovelace", wants=[python])
    grace = enrol_person(
        program, role=ParticipantRole.MENTOR, first_name="Grace", last_name="H", offers=[python]
    )
    with capture(execute=True):
        run = runs.match_run_start(actor=cast.manager, program_id=program.pk, objective="total")
    runs.match_run_publish(actor=cast.manager, run_id=run.pk)
    return {ada.user_id, grace.user_id}


SCENARIOS = ["accepted", "declined", "approved", "published"]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("colour", ["#1A7F37", "#0d6efd"])
def test_every_matching_email_carries_its_programme(
    cast, django_capture_on_commit_callbacks, scenario, colour
):
    # given a programme of the cast's organisation with its own name and colour, and another
    # programme whose look must not leak into these emails
    ProgramFactory(organization=cast.org, name="Other cohort", colour="#aa3300")
    program = ProgramFactory(
        organization=cast.org, name=f"Engineering {scenario}", managers=[cast.manager]
    )
    program = program_services.program_update(actor=cast.manager, program=program, colour=colour)
    # when
    if scenario == "published":
        told = _run_published(cast, program, django_capture_on_commit_callbacks)
    else:
        told = {
            "accepted": _request_accepted,
            "declined": _request_declined,
            "approved": _request_approved,
        }[scenario](cast, program)
    # then every row written is about this programme, as it is now
    rows = _rows()
    assert rows, "the scenario owes emails"
    assert {row[1] for row in rows} <= told
    assert {row[2:] for row in rows} == {_dressed(program)}
    # and each email shows it
    mail.outbox.clear()
    outbox_deliver_batch(worker_id="w1")
    assert mail.outbox
    for message in mail.outbox:
        ((html, _),) = message.alternatives
        assert f"\n--\n{program.name} · Tandem\n" in message.body
        assert f"background:{program.colour}" in html
