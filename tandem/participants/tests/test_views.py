import csv
import datetime
import io

import pytest
from django.urls import reverse

from tandem.accounts.tests.factories import UserFactory
from tandem.participants.models import Answer, Participant, ParticipantStatus
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import ProgramAccess, QuestionKind
from tandem.programs.tests.factories import EnrollmentQuestionFactory, ProgramFactory

HTMX = {"HX-Request": "true"}


def _state() -> tuple[list[dict], list[dict]]:
    return (
        list(Participant.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
    )


# --- home --------------------------------------------------------------------------------


def test_home_needs_sign_in(client):
    # when
    response = client.get(reverse("home"))
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_home_for_a_new_member_shows_what_to_do(cast, client):
    # given
    client.force_login(cast.member)
    # when
    response = client.get(reverse("home"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "You have not joined a programme yet." in html
    assert "Leadership cohort" in html
    assert reverse("participants:enroll", args=[cast.program.pk]) in html
    assert "Manage programmes</a>" not in html.split("<main")[1]


def test_home_shows_my_programmes_with_role_status_and_withdraw(cast, client):
    # given
    client.force_login(cast.mentor)
    # when
    response = client.get(reverse("home"))
    # then
    html = response.content.decode()
    assert "Leadership cohort" in html
    assert "Mentor" in html
    assert "Enrolled" in html
    assert "up to 2 mentees" in html
    assert reverse("participants:withdraw", args=[cast.mentor_participant.pk]) in html
    assert "No programme is taking people right now." in html


def test_home_links_managers_to_manage_programmes(cast, client):
    # given
    client.force_login(cast.manager)
    # when
    response = client.get(reverse("home"))
    # then
    main = response.content.decode().split("<main")[1]
    assert f'href="{reverse("programs:list")}">Manage programmes</a>' in main


def test_home_query_budget(cast, client, django_assert_max_num_queries):
    # given
    for index in range(12):
        ParticipantFactory(
            program=ProgramFactory(organization=cast.org, name=f"Joined {index:02}"),
            user=cast.member,
        )
        ProgramFactory(organization=cast.org, name=f"Open {index:02}")
    client.force_login(cast.member)
    # when (the seventh: the self-matching requests waiting on the person)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"))
    # then
    html = response.content.decode()
    assert html.count("Leave programme") == 12
    assert html.count(">Enrol</a>") == 13


# --- enrolment ---------------------------------------------------------------------------


def test_enrol_page_asks_for_a_role_first_and_shows_the_profile(cast, client):
    # given
    client.force_login(cast.member)
    url = reverse("participants:enroll", args=[cast.program.pk])
    # when
    response = client.get(url)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "How do you want to take part?" in html
    assert "Choose a role to see this programme's questions." in html
    assert "Engineering" in html
    assert f'href="{reverse("people:profile")}?next=/programs/{cast.program.pk}/enroll/"' in html


def test_enrol_page_for_a_role_shows_its_questions_only(cast, client):
    # given
    EnrollmentQuestionFactory(program=cast.program, prompt="What do you want to learn?")
    EnrollmentQuestionFactory(program=cast.program, prompt="How many years?", audience="mentor")
    client.force_login(cast.member)
    # when
    response = client.get(
        reverse("participants:enroll", args=[cast.program.pk]), {"role": "mentee"}, headers=HTMX
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "What do you want to learn?" in html
    assert "How many years?" not in html
    assert "Enrol as a mentee" in html


def test_enrol_as_mentor_with_answers(cast, client):
    # given
    question = EnrollmentQuestionFactory(
        program=cast.program,
        prompt="Topics?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices=["Career", "Craft"],
        is_required=True,
    )
    client.force_login(cast.member)
    # when
    response = client.post(
        reverse("participants:enroll", args=[cast.program.pk]),
        {"role": "mentor", "capacity": "3", f"answers.{question.pk}": ["Craft"]},
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    row = Participant.objects.get(user=cast.member)
    assert (row.role, row.status, row.capacity) == ("mentor", "active", 3)
    assert list(row.answers.values_list("value", flat=True)) == [["Craft"]]
    follow = client.get(reverse("home")).content.decode()
    assert "You are enrolled in Leadership cohort as a mentor." in follow


def test_enrol_errors_are_shown_on_their_fields(cast, client):
    # given
    question = EnrollmentQuestionFactory(
        program=cast.program, prompt="What do you want to learn?", is_required=True
    )
    client.force_login(cast.member)
    # when
    response = client.post(
        reverse("participants:enroll", args=[cast.program.pk]),
        {"role": "mentor", "capacity": "0", f"answers.{question.pk}": ""},
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "&#x27;What do you want to learn?&#x27; is required." in html
    assert "A mentor&#x27;s capacity must be at least 1 mentee." in html
    assert f'id="id_answers.{question.pk}_error"' in html
    assert not Participant.objects.filter(user=cast.member).exists()


def test_enrol_application_sends_an_application(cast, client):
    # given
    cast.program.access = ProgramAccess.APPLICATION
    cast.program.save(update_fields=["access"])
    client.force_login(cast.member)
    url = reverse("participants:enroll", args=[cast.program.pk])
    assert "Why do you want to join?" in client.get(url, {"role": "mentee"}).content.decode()
    # when
    response = client.post(url, {"role": "mentee", "motivation": "To lead better"}, follow=True)
    # then
    assert "Your application to Leadership cohort is awaiting approval" in response.content.decode()
    row = Participant.objects.get(user=cast.member)
    assert (row.status, row.motivation) == ("pending", "To lead better")


def test_enrol_page_when_the_window_is_closed_says_so(cast, client):
    # given
    cast.program.enrollment_closes_on = datetime.date(2020, 3, 1)
    cast.program.save(update_fields=["enrollment_closes_on"])
    client.force_login(cast.member)
    url = reverse("participants:enroll", args=[cast.program.pk])
    # when
    page = client.get(url, {"role": "mentee"})
    posted = client.post(url, {"role": "mentee"})
    # then
    assert "Enrolment for Leadership cohort closed on 1 March 2020." in page.content.decode()
    assert '<form method="post" action="/programs' not in page.content.decode()
    assert posted.status_code == 400
    assert not Participant.objects.filter(user=cast.member).exists()


def test_enrol_page_when_already_enrolled(cast, client):
    # given
    client.force_login(cast.mentee)
    # when
    response = client.get(reverse("participants:enroll", args=[cast.program.pk]))
    # then
    assert "You are already in Leadership cohort as a mentee (enrolled)." in (
        response.content.decode()
    )


def test_enrol_invited_person_completes_in_the_invited_role(cast, client):
    # given
    cast.program.access = ProgramAccess.INVITATION
    cast.program.save(update_fields=["access"])
    invited = ParticipantFactory(
        program=cast.program,
        user=cast.member,
        role="mentor",
        capacity=1,
        status=ParticipantStatus.INVITED,
        enrolled_at=None,
    )
    client.force_login(cast.member)
    url = reverse("participants:enroll", args=[cast.program.pk])
    # when
    page = client.get(url)
    response = client.post(url, {"role": "mentee", "capacity": "2"})
    # then
    assert "You were invited to join as a <strong>mentor</strong>." in page.content.decode()
    assert response.status_code == 302
    row = Participant.objects.get(pk=invited.pk)
    assert (row.status, row.role, row.capacity) == ("active", "mentor", 2)


@pytest.mark.parametrize(("actor_name", "status"), [("outsider", 404), ("member", 404)])
def test_enrol_page_hides_other_orgs_and_drafts(cast, client, actor_name, status):
    # given
    draft = ProgramFactory(organization=cast.org, status="draft")
    client.force_login(cast.by_name(actor_name))
    target = cast.program if actor_name == "outsider" else draft
    # when
    response = client.post(reverse("participants:enroll", args=[target.pk]), {"role": "mentee"})
    # then
    assert response.status_code == status
    assert not Participant.objects.filter(user=cast.by_name(actor_name)).exists()


# --- withdraw from home ------------------------------------------------------------------


def test_member_leaves_a_programme_from_home(cast, client):
    # given
    client.force_login(cast.mentee)
    # when
    response = client.post(
        reverse("participants:withdraw", args=[cast.mentee_participant.pk]),
        {"reason": "New job"},
        follow=True,
    )
    # then
    assert "You have left Leadership cohort." in response.content.decode()
    row = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert (row.status, row.withdrawal_reason) == ("withdrawn", "New job")


def test_someone_else_cannot_withdraw_a_participant_from_the_page(cast, client):
    # given
    before = _state()
    client.force_login(cast.mentor)
    # when
    response = client.post(reverse("participants:withdraw", args=[cast.mentee_participant.pk]))
    # then
    assert response.status_code == 404
    assert _state() == before


# --- the manager's page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    [
        ("outsider", 404),
        ("member", 403),
        ("mentee", 403),
        ("mentor", 403),
        ("other_manager", 403),
        ("manager", 200),
        ("admin", 200),
    ],
)
def test_participants_page_matrix(cast, client, actor_name, status):
    # given
    client.force_login(cast.by_name(actor_name))
    # when
    response = client.get(reverse("participants:program_participants", args=[cast.program.pk]))
    # then
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "mentor@northwind.test" in html
        assert "mentee@northwind.test" in html
        assert "2 participants." in html


def test_participants_page_filters_and_htmx_refresh(cast, client):
    # given
    sales = UserFactory(organization=cast.org, first_name="Zoë", last_name="Quill")
    ProfileFactory(user=sales, department="Sales")
    ParticipantFactory(program=cast.program, user=sales, status=ParticipantStatus.PENDING)
    client.force_login(cast.manager)
    url = reverse("participants:program_participants", args=[cast.program.pk])
    # when
    full = client.get(url, {"department": "Sales"})
    partial = client.get(url, {"q": "quill"}, headers={**HTMX, "HX-Target": "participants-table"})
    none = client.get(url, {"status": "declined"})
    # then
    full_html = full.content.decode()
    assert "Zoë" in full_html
    assert "mentor@northwind.test" not in full_html
    partial_html = partial.content.decode()
    assert partial_html.startswith('<div id="participants-table"')
    assert "Zoë" in partial_html
    assert "mentee@northwind.test" not in partial_html
    assert "1 participant matches the filters." in partial_html
    assert "Nobody matches these filters." in none.content.decode()


def test_participants_page_empty_state(cast, client):
    # given
    empty = ProgramFactory(organization=cast.org, name="Fresh", managers=[cast.manager])
    client.force_login(cast.manager)
    # when
    response = client.get(reverse("participants:program_participants", args=[empty.pk]))
    # then
    assert "Nobody has joined Fresh yet." in response.content.decode()


def test_participants_page_is_paginated_within_a_query_budget(
    cast, client, django_assert_max_num_queries
):
    # given
    for _ in range(40):
        ParticipantFactory(
            program=cast.program, user=ProfileFactory(user__organization=cast.org).user
        )
    client.force_login(cast.manager)
    url = reverse("participants:program_participants", args=[cast.program.pk])
    # when
    with django_assert_max_num_queries(10):
        first = client.get(url)
    second = client.get(url, {"after": first.context["page"].next_cursor})
    # then 42 people in pages of 25, the second reached by the first's "Next" link and
    # linking back to it
    assert first.content.decode().count('<tr id="participant-') == 25
    assert second.content.decode().count('<tr id="participant-') == 17
    assert "42 participants." in second.content.decode()
    assert 'data-testid="previous-page"' in second.content.decode()
    assert 'data-testid="next-page"' not in second.content.decode()


def test_manager_enrols_someone_directly_from_the_page(cast, client):
    # given
    client.force_login(cast.manager)
    url = reverse("participants:program_participants", args=[cast.program.pk])
    # when
    response = client.post(url, {"email": "member@northwind.test", "role": "mentor"}, follow=True)
    # then
    assert f"{cast.member} is enrolled as a mentor." in response.content.decode()
    row = Participant.objects.get(user=cast.member)
    assert (row.status, row.role, row.capacity) == ("active", "mentor", 1)


def test_manager_add_form_says_why_it_failed(cast, client):
    # given
    before = _state()
    client.force_login(cast.manager)
    url = reverse("participants:program_participants", args=[cast.program.pk])
    # when
    unknown = client.post(url, {"email": "nobody@northwind.test", "role": "mentee"})
    duplicate = client.post(url, {"email": "mentor@northwind.test", "role": "mentee"})
    # then
    assert unknown.status_code == 400
    assert "No one in your organisation has the email nobody@northwind.test." in (
        unknown.content.decode()
    )
    assert duplicate.status_code == 400
    assert f"{cast.mentor} is already enrolled in Leadership cohort as a mentor." in (
        duplicate.content.decode()
    )
    assert _state() == before


def test_member_search_offers_people_not_yet_in_the_programme(cast, client):
    # given
    client.force_login(cast.manager)
    url = reverse("participants:member_search", args=[cast.program.pk])
    # when
    response = client.get(url, {"email": "northwind"})
    # then
    html = response.content.decode()
    assert 'value="member@northwind.test"' in html
    assert "mentor@northwind.test" not in html
    assert "globex" not in html


def test_approve_and_decline_update_the_row_with_htmx(cast, client):
    # given
    first = ParticipantFactory(
        program=cast.program, user=cast.member, status=ParticipantStatus.PENDING
    )
    second = ParticipantFactory(
        program=cast.program,
        user=ProfileFactory(user__organization=cast.org).user,
        status=ParticipantStatus.PENDING,
    )
    client.force_login(cast.manager)
    # when
    approved = client.post(reverse("participants:approve", args=[first.pk]), headers=HTMX)
    declined = client.post(
        reverse("participants:decline", args=[second.pk]), {"note": "Full"}, headers=HTMX
    )
    again = client.post(reverse("participants:approve", args=[first.pk]), headers=HTMX)
    # then
    assert approved.content.decode().startswith(f'<tr id="participant-{first.pk}">')
    assert "Enrolled" in approved.content.decode()
    assert "Declined" in declined.content.decode()
    assert "their status is &#x27;enrolled&#x27;" in again.content.decode()
    assert Participant.objects.get(pk=first.pk).status == "active"
    second.refresh_from_db()
    assert (second.status, second.decision_note, second.decided_by_id) == (
        "declined",
        "Full",
        cast.manager.pk,
    )


def test_approve_without_htmx_redirects_back_with_a_message(cast, client):
    # given
    pending = ParticipantFactory(
        program=cast.program, user=cast.member, status=ParticipantStatus.PENDING
    )
    client.force_login(cast.admin)
    # when
    response = client.post(reverse("participants:approve", args=[pending.pk]), follow=True)
    # then
    assert f"{cast.member} is now enrolled." in response.content.decode()
    assert Participant.objects.get(pk=pending.pk).status == "active"


def test_participant_cannot_approve_themself_on_the_page(cast, client):
    # given
    pending = ParticipantFactory(
        program=cast.program, user=cast.member, status=ParticipantStatus.PENDING
    )
    before = _state()
    client.force_login(cast.member)
    # when
    response = client.post(reverse("participants:approve", args=[pending.pk]))
    # then
    assert response.status_code == 403
    assert _state() == before


def test_manager_withdraws_someone_with_htmx(cast, client):
    # given
    client.force_login(cast.manager)
    # when
    response = client.post(
        reverse("participants:withdraw", args=[cast.mentee_participant.pk]),
        {"reason": "Left the company"},
        headers=HTMX,
    )
    # then
    assert "Withdrawn" in response.content.decode()
    row = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert (row.status, row.withdrawal_reason) == ("withdrawn", "Left the company")


# --- export ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"), [("outsider", 404), ("mentor", 403), ("manager", 200)]
)
def test_export_page_matrix(cast, client, actor_name, status):
    # given
    client.force_login(cast.by_name(actor_name))
    # when
    response = client.get(
        reverse("participants:program_participants_export", args=[cast.program.pk])
    )
    # then
    assert response.status_code == status


def test_export_csv_with_answers_within_a_query_budget(cast, client, django_assert_max_num_queries):
    # given
    question = EnrollmentQuestionFactory(program=cast.program, prompt="Goal — année?")
    for index in range(30):
        participant = ParticipantFactory(
            program=cast.program, user=ProfileFactory(user__organization=cast.org).user
        )
        Answer.objects.create(participant=participant, question=question, value=f"Goal {index}")
    client.force_login(cast.manager)
    # when
    with django_assert_max_num_queries(9):
        response = client.get(
            reverse("participants:program_participants_export", args=[cast.program.pk])
        )
    # then
    assert response["Content-Disposition"].startswith(
        'attachment; filename="leadership-cohort-participants-'
    )
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Goal — année?"
    assert len(rows) == 33
    assert sorted(row[-1] for row in rows[1:] if row[-1]) == sorted(
        f"Goal {index}" for index in range(30)
    )


# --- admin -------------------------------------------------------------------------------


def test_admin_action_approves_through_the_service(cast, client):
    # given an org admin who is also platform staff
    cast.admin.is_staff = True
    cast.admin.is_superuser = True
    cast.admin.save(update_fields=["is_staff", "is_superuser"])
    pending = ParticipantFactory(
        program=cast.program, user=cast.member, status=ParticipantStatus.PENDING
    )
    client.force_login(cast.admin)
    # when
    response = client.post(
        reverse("admin:participants_participant_changelist"),
        {
            "action": "approve",
            "_selected_action": [str(pending.pk), str(cast.mentee_participant.pk)],
        },
        follow=True,
    )
    # then
    html = response.content.decode()
    assert "1 participant(s) approved." in html
    assert "their status is &#x27;enrolled&#x27;" in html
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by_id) == ("active", cast.admin.pk)
