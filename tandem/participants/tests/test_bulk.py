"""Bulk actions: a preview of exactly what will happen, then one transaction, or nothing."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES
from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.participants.bulk import BulkAction, BulkRequest, bulk_preview
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.participants.services import participant_approve
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.models import Profile
from tandem.programs.models import ProgramAccess
from tandem.programs.tests.factories import ProgramFactory

S = ParticipantStatus


def snapshot():
    return sorted(Participant.objects.values_list("pk", "program_id", "user_id", "status", "role"))


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def program_bulk_url(program):
    return reverse("participants:program_participants_bulk", args=[program.pk])


def pending(program, count):
    return [ParticipantFactory(program=program, status=S.PENDING) for _ in range(count)]


def preview_then_confirm(client, url, data):
    preview = client.post(url, data)
    assert preview.status_code == 200
    return preview, client.post(
        url, {**data, "fingerprint": preview.context["outcome"].fingerprint}
    )


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTOR_NAMES)
@pytest.mark.parametrize("confirm", [False, True])
def test_only_the_programmes_managers_act_on_its_participants(cast, client, name, confirm):
    # given a pending application
    (application,) = pending(cast.program, 1)
    actor = cast.by_name(name)
    if actor:
        client.force_login(actor)
    before = snapshot()
    data = {"action": "approve", "ids": [application.pk]}
    if confirm:
        data["fingerprint"] = "not-the-preview"
    # when
    response = client.post(program_bulk_url(cast.program), data)
    # then nobody changed anything: a preview, a refusal, or a confirm that is not the preview
    expected = {"anonymous": 302, "outsider": 404, "other_manager": 403, "member": 403}
    expected |= {"mentor": 403, "mentee": 403}
    assert response.status_code == expected.get(name, 409 if confirm else 200)
    assert snapshot() == before


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_only_the_org_admin_adds_people_from_the_directory(cast, client, name):
    actor = cast.by_name(name)
    if actor:
        client.force_login(actor)
    before = snapshot()
    response = client.post(
        reverse("participants:people_bulk"),
        {"ids": [cast.member.pk], "target_program": cast.program.pk, "role": "mentee"},
    )
    # (the outsider is Globex's admin: Northwind's people and programme are not found)
    assert response.status_code == {"anonymous": 302, "admin": 200}.get(name, 404)
    assert snapshot() == before


# --- approve ------------------------------------------------------------------------------


def test_approve_previews_names_and_skips_then_approves_in_one_go(cast, client):
    # given three applications and an active mentee, all ticked
    applications = pending(cast.program, 3)
    ids = [p.pk for p in applications] + [cast.mentee_participant.pk]
    client.force_login(cast.manager)
    before = snapshot()
    # when the manager previews
    preview = client.post(program_bulk_url(cast.program), {"action": "approve", "ids": ids})
    # then the page says who will be approved and who is skipped and why; nothing changed
    outcome = preview.context["outcome"]
    assert {row.user_id for row in outcome.done} == {p.user_id for p in applications}
    assert [(row.user_id, row.outcome) for row in outcome.skipped] == [
        (cast.mentee.pk, "Enrolled, not an application to approve.")
    ]
    assert "3 will be approved, 1 skipped." in preview.content.decode()
    assert snapshot() == before
    # when they confirm
    response = client.post(
        program_bulk_url(cast.program),
        {"action": "approve", "ids": ids, "fingerprint": outcome.fingerprint},
    )
    # then exactly those three are active, and the message names them and the skipped one
    assert response.status_code == 302
    assert set(Participant.objects.filter(pk__in=ids).values_list("pk", "status")) == {
        (p.pk, S.ACTIVE) for p in applications
    } | {(cast.mentee_participant.pk, S.ACTIVE)}
    messages = texts(response)
    assert messages[0].startswith("3 approved: ")
    assert messages[1] == f"1 skipped: {cast.mentee} (Enrolled, not an application to approve.)"


def test_a_change_since_the_preview_keeps_nothing_and_previews_again(cast, client):
    # given a preview of two applications
    first, second = pending(cast.program, 2)
    client.force_login(cast.manager)
    data = {"action": "approve", "ids": [first.pk, second.pk]}
    fingerprint = client.post(program_bulk_url(cast.program), data).context["outcome"].fingerprint
    # and another manager approves one of them meanwhile
    participant_approve(actor=cast.admin, participant_id=first.pk)
    before = snapshot()
    # when the manager confirms the old preview
    response = client.post(program_bulk_url(cast.program), {**data, "fingerprint": fingerprint})
    # then nothing is kept and the new preview shows
    assert response.status_code == 409
    assert snapshot() == before
    assert [row.user_id for row in response.context["outcome"].done] == [second.user_id]
    assert "Something changed since the preview" in response.content.decode()


def test_another_programmes_participant_cannot_be_slipped_in(cast, client):
    other = ParticipantFactory(program=ProgramFactory(organization=cast.org), status=S.PENDING)
    client.force_login(cast.manager)
    before = snapshot()
    response = client.post(program_bulk_url(cast.program), {"action": "approve", "ids": [other.pk]})
    assert response.status_code == 404
    assert "1 of the people chosen is not in Leadership cohort." in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "approve"}, "Tick at least one person."),
        ({"action": "dance", "ids": ["1"]}, "Choose an action from"),
        ({"action": "approve", "ids": ["x"]}, "The people chosen are not valid ids."),
        ({"action": "move", "ids": ["1"]}, "Choose the programme."),
        (
            {"action": "move", "ids": ["1"], "target_program": "y"},
            "&#x27;y&#x27; is not a programme.",
        ),
    ],
)
def test_bad_input_says_what_is_wrong_and_changes_nothing(cast, client, data, message):
    client.force_login(cast.manager)
    before = snapshot()
    response = client.post(program_bulk_url(cast.program), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


# --- move ---------------------------------------------------------------------------------


def test_move_withdraws_here_and_places_there_with_the_same_role(cast, client):
    # given a second programme the manager runs, where the mentor already is
    target = ProgramFactory(organization=cast.org, name="Sales academy", managers=[cast.manager])
    ParticipantFactory(program=target, user=cast.mentor, role=ParticipantRole.MENTOR)
    client.force_login(cast.manager)
    data = {
        "action": "move",
        "ids": [cast.mentee_participant.pk, cast.mentor_participant.pk],
        "target_program": target.pk,
    }
    # when
    preview, response = preview_then_confirm(client, program_bulk_url(cast.program), data)
    # then the preview said it, and it happened
    outcome = preview.context["outcome"]
    assert [row.outcome for row in outcome.done] == [
        "withdrawn from Leadership cohort, enrolled in Sales academy as a mentee"
    ]
    assert outcome.skipped[0].user_id == cast.mentor.pk
    assert "already enrolled in Sales academy" in outcome.skipped[0].outcome
    assert response.status_code == 302
    assert set(
        Participant.objects.filter(user=cast.mentee).values_list("program_id", "status", "role")
    ) == {(cast.program.pk, S.WITHDRAWN, "mentee"), (target.pk, S.ACTIVE, "mentee")}
    cast.mentor_participant.refresh_from_db()
    assert cast.mentor_participant.status == S.ACTIVE


def test_a_move_into_a_programme_the_manager_does_not_run_is_refused(cast, client):
    target = ProgramFactory(organization=cast.org, name="Sales academy")
    client.force_login(cast.manager)
    before = snapshot()
    response = client.post(
        program_bulk_url(cast.program),
        {"action": "move", "ids": [cast.mentee_participant.pk], "target_program": target.pk},
    )
    assert response.status_code == 403
    assert snapshot() == before


# --- add from the directory ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("access", "verb"),
    [(ProgramAccess.OPEN, "enrolled in"), (ProgramAccess.INVITATION, "invited to")],
)
def test_the_directory_adds_people_after_choosing_and_previewing(cast, client, access, verb):
    # given two people outside the programme and the mentee already in it
    target = ProgramFactory(organization=cast.org, name="Sales academy", access=access)
    newcomer = UserFactory(organization=cast.org, email="new@northwind.test")
    ids = [cast.member.pk, newcomer.pk, cast.mentee.pk]
    ParticipantFactory(program=target, user=cast.mentee)
    client.force_login(cast.admin)
    url = reverse("participants:people_bulk")
    # when the admin sends the ticked people from the directory
    choose = client.post(url, {"ids": ids})
    # then they are asked which programme and role first
    assert choose.status_code == 200
    assert choose.context["choose"] is True
    # when they preview and confirm
    data = {"ids": ids, "target_program": target.pk, "role": "mentor"}
    preview, response = preview_then_confirm(client, url, data)
    # then
    outcome = preview.context["outcome"]
    assert {row.user_id: row.outcome for row in outcome.done} == {
        cast.member.pk: f"{verb} Sales academy as a mentor",
        newcomer.pk: f"{verb} Sales academy as a mentor",
    }
    assert [row.user_id for row in outcome.skipped] == [cast.mentee.pk]
    assert response["Location"] == reverse("people:list")
    status = S.INVITED if access == ProgramAccess.INVITATION else S.ACTIVE
    assert set(Participant.objects.filter(program=target).values_list("user_id", "status")) == {
        (cast.member.pk, status),
        (newcomer.pk, status),
        (cast.mentee.pk, S.ACTIVE),
    }


def test_the_directory_with_nobody_ticked_says_so(cast, client):
    client.force_login(cast.admin)
    response = client.post(reverse("participants:people_bulk"), {})
    assert response.status_code == 400
    assert "Tick at least one person in the directory first." in response.content.decode()


def test_another_organisations_people_are_not_found(cast, client):
    client.force_login(cast.admin)
    before = snapshot()
    response = client.post(
        reverse("participants:people_bulk"),
        {"ids": [cast.outsider.pk], "target_program": cast.program.pk, "role": "mentee"},
    )
    assert "1 of the people chosen is not in your organisation." in response.content.decode()
    assert snapshot() == before


# --- the preview is what happens ----------------------------------------------------------


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(statuses=st.lists(st.sampled_from(list(S)), min_size=1, max_size=6))
def test_the_preview_is_exactly_what_the_confirm_does(cast, client, statuses):
    # given participants in any statuses
    program = ProgramFactory(organization=cast.org, managers=[cast.manager])
    chosen = [ParticipantFactory(program=program, status=status) for status in statuses]
    request = BulkRequest(
        action=BulkAction.APPROVE, ids=tuple(p.pk for p in chosen), program_id=program.pk
    )
    # when the manager previews (nothing changes) and confirms
    before = snapshot()
    outcome = bulk_preview(actor=cast.manager, request=request)
    assert snapshot() == before
    client.force_login(cast.manager)
    client.post(
        program_bulk_url(program),
        {"action": "approve", "ids": request.ids, "fingerprint": outcome.fingerprint},
    )
    # then exactly the previewed people changed, from pending to active
    after = dict(Participant.objects.filter(program=program).values_list("user_id", "status"))
    done = {row.user_id for row in outcome.done}
    assert done == {p.user_id for p in chosen if p.status == S.PENDING}
    for participant in chosen:
        expected = S.ACTIVE if participant.user_id in done else participant.status
        assert after[participant.user_id] == expected


def test_the_participants_page_costs_the_same_for_50_or_500(cast, client):
    # given
    client.force_login(cast.manager)
    url = reverse("participants:program_participants", args=[cast.program.pk])

    def grow(count, prefix):
        users = User.objects.bulk_create(
            User(organization=cast.org, email=f"{prefix}{n}@northwind.test", last_name=f"P{n}")
            for n in range(count)
        )
        Profile.objects.bulk_create(Profile(user=user, department="Ops") for user in users)
        Participant.objects.bulk_create(
            Participant(program=cast.program, user=user, role=ParticipantRole.MENTEE)
            for user in users
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"page": 2, "department": "Ops"}).status_code == 200
        return len(captured)

    grow(50, "first")
    small = queries()
    grow(450, "second")
    # when / then
    assert queries() == small
