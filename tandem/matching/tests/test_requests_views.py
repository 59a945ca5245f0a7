"""Self-matching pages: suggestions, the mentor's page, approvals; their forms and budgets."""

import pytest
from django.urls import reverse

from tandem.matching.models import MatchingSettings, MatchRequest, RequestStatus, SuggestionDecline
from tandem.matching.requests.services import match_request_accept
from tandem.matching.tests.requests_world import (
    ask,
    mentee_in,
    mentor_in,
    need_approval,
    request_rows,
    skills,
    statuses,
)
from tandem.participants.models import Participant
from tandem.relationships.models import Relationship
from tandem.relationships.services import relationship_propose

S = RequestStatus


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- suggestions -------------------------------------------------------------------------


def test_suggestions_need_sign_in(cast, client):
    # when
    url = reverse("matching:suggestions", args=[cast.program.pk])
    response = client.get(url)
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize(
    ("actor_name", "status"),
    [("outsider", 404), ("member", 403), ("mentor", 403), ("manager", 403), ("mentee", 200)],
)
def test_suggestions_page_is_for_the_programmes_mentees(cast, client, actor_name, status):
    # given
    client.force_login(cast.by_name(actor_name))
    # when
    response = client.get(reverse("matching:suggestions", args=[cast.program.pk]))
    # then
    assert response.status_code == status


def test_suggestions_page_shows_score_reasons_and_a_request_form(cast, client):
    # given
    wanted = skills(cast.program, "Python")
    cast.mentee.profile.skills_wanted.set(wanted)
    ada = mentor_in(cast.program, "Ada", offers=wanted)
    client.force_login(cast.mentee)
    # when
    response = client.get(reverse("matching:suggestions", args=[cast.program.pk]))
    # then
    html = response.content.decode()
    suggestions = response.context["suggestions"]
    assert suggestions[0].mentor.pk == ada.pk
    assert "Ada Mentor" in html
    for reason in suggestions[0].reasons:
        assert reason in html
    assert f'value="{ada.pk}"' in html
    assert reverse("matching:request_create", args=[cast.program.pk]) in html
    assert "Send request to Ada Mentor" in html


def test_suggestions_page_explains_when_self_matching_is_off(cast, client):
    # given
    MatchingSettings.objects.create(program=cast.program, allow_self_matching=False)
    client.force_login(cast.mentee)
    # when
    response = client.get(reverse("matching:suggestions", args=[cast.program.pk]))
    # then
    assert response.status_code == 200
    assert "mentees do not choose a mentor themselves" in response.content.decode()


def test_asking_from_the_page(cast, client):
    # given
    client.force_login(cast.mentee)
    # when
    response = client.post(
        reverse("matching:request_create", args=[cast.program.pk]),
        {"mentor_participant_id": cast.mentor_participant.pk, "note": "Hello!"},
        follow=True,
    )
    # then
    created = MatchRequest.objects.get()
    assert (created.mentor_id, created.note, created.status) == (
        cast.mentor_participant.pk,
        "Hello!",
        S.PENDING,
    )
    assert _messages(response) == [
        f"Your request is on its way to {cast.mentor}. You will get an email when they answer."
    ]
    html = response.content.decode()
    assert f"Withdraw request to {cast.mentor}" in html
    assert "Requested — waiting for the mentor" in html


def test_asking_when_approval_is_needed_says_so(cast, client):
    # given
    need_approval(cast.program)
    client.force_login(cast.mentee)
    # when
    response = client.post(
        reverse("matching:request_create", args=[cast.program.pk]),
        {"mentor_participant_id": cast.mentor_participant.pk},
        follow=True,
    )
    # then
    assert _messages(response) == [
        f"Your request to {cast.mentor} is with Leadership cohort's managers for approval first."
    ]
    assert statuses()[0][1] == S.AWAITING_APPROVAL


def test_a_refused_request_is_shown_and_changes_nothing(cast, client):
    # given
    for name in ("Ada", "Bo", "Cy"):
        ask(cast.mentee_participant, mentor_in(cast.program, name))
    before = request_rows()
    client.force_login(cast.mentee)
    # when
    response = client.post(
        reverse("matching:request_create", args=[cast.program.pk]),
        {"mentor_participant_id": cast.mentor_participant.pk},
        follow=True,
    )
    # then
    assert _messages(response) == [
        "You already have 3 open requests, the most you can have at once. Withdraw one or wait "
        "for an answer before asking another mentor."
    ]
    assert request_rows() == before


def test_withdrawing_from_the_page(cast, client):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentee)
    # when
    response = client.post(reverse("matching:request_withdraw", args=[created.pk]), follow=True)
    # then
    assert _messages(response) == [f"You withdrew your request to {cast.mentor}."]
    assert statuses() == [(created.pk, S.WITHDRAWN)]


def test_suggestions_page_query_budget(cast, client, django_assert_max_num_queries):
    # given fifteen mentors and two open requests
    wanted = skills(cast.program, "Python", "Rust", "Go")
    cast.mentee.profile.skills_wanted.set(wanted)
    mentors = [
        mentor_in(cast.program, f"Mentor{index}", offers=wanted[: index % 3 + 1])
        for index in range(15)
    ]
    for mentor in mentors[:2]:
        ask(cast.mentee_participant, mentor)
    client.force_login(cast.mentee)
    # when
    with django_assert_max_num_queries(18):
        response = client.get(reverse("matching:suggestions", args=[cast.program.pk]))
    # then
    assert len(response.context["suggestions"]) == 10


# --- the mentor's page -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "status"),
    [("outsider", 404), ("member", 403), ("mentee", 403), ("manager", 403), ("mentor", 200)],
)
def test_mentor_page_is_for_the_programmes_mentors(cast, client, actor_name, status):
    # given
    client.force_login(cast.by_name(actor_name))
    # when
    response = client.get(reverse("matching:mentor_dashboard", args=[cast.program.pk]))
    # then
    assert response.status_code == status


def test_mentor_page_lists_waiting_requests_places_and_controls(cast, client):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant, "Please mentor me")
    client.force_login(cast.mentor)
    # when
    response = client.get(reverse("matching:mentor_dashboard", args=[cast.program.pk]))
    # then
    html = response.content.decode()
    assert [row["request"].pk for row in response.context["incoming"]] == [created.pk]
    assert "Please mentor me" in html
    assert f"Accept {cast.mentee}" in html
    assert f"Decline {cast.mentee}" in html
    assert "0</strong> of <strong>2</strong> mentee places taken" in html
    assert "Pause new mentees" in html
    assert reverse("matching:mentor_capacity", args=[cast.program.pk]) in html


def test_mentor_page_hides_requests_from_mentees_matched_another_way(cast, client):
    # given two mentees asked; one was then paired by a manager with someone else
    waiting = ask(cast.mentee_participant, cast.mentor_participant)
    other = mentee_in(cast.program, "Ann")
    ask(other, cast.mentor_participant)
    relationship_propose(mentor=mentor_in(cast.program, "Ada"), mentee=other, source="manual")
    client.force_login(cast.mentor)
    # when
    response = client.get(reverse("matching:mentor_dashboard", args=[cast.program.pk]))
    # then
    assert [row["request"].pk for row in response.context["incoming"]] == [waiting.pk]


def test_accepting_from_the_mentor_page(cast, client):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentor)
    # when
    response = client.post(
        reverse("matching:request_accept", args=[created.pk]), {"message": "Welcome"}, follow=True
    )
    # then
    assert _messages(response) == [f"You are now {cast.mentee}'s mentor. We emailed you both."]
    assert statuses() == [(created.pk, S.ACCEPTED)]
    assert Relationship.objects.count() == 1
    assert "1</strong> of <strong>2</strong> mentee places taken" in response.content.decode()


def test_declining_for_good_from_the_mentor_page(cast, client):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentor)
    # when
    response = client.post(
        reverse("matching:request_decline", args=[created.pk]),
        {"message": "Not now", "do_not_suggest_again": "on"},
        follow=True,
    )
    # then
    assert _messages(response) == [f"You declined {cast.mentee}'s request."]
    assert statuses() == [(created.pk, S.DECLINED)]
    assert SuggestionDecline.objects.count() == 1


def test_a_mentee_posting_accept_is_forbidden_and_nothing_changes(cast, client):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    other_mentor = mentor_in(cast.program, "Ada")
    before = request_rows()
    # when
    client.force_login(cast.mentee)
    as_mentee = client.post(reverse("matching:request_accept", args=[created.pk]))
    client.force_login(other_mentor.user)
    as_other_mentor = client.post(reverse("matching:request_accept", args=[created.pk]))
    # then
    assert (as_mentee.status_code, as_other_mentor.status_code) == (403, 404)
    assert request_rows() == before
    assert Relationship.objects.count() == 0


def test_pausing_and_resuming_from_the_mentor_page(cast, client):
    # given
    client.force_login(cast.mentor)
    url = reverse("matching:mentor_availability", args=[cast.program.pk])
    # when
    paused = client.post(url, {"accepting": "false"}, follow=True)
    # then
    assert _messages(paused) == ["Paused: you will not be suggested to mentees until you resume."]
    assert Participant.objects.get(pk=cast.mentor_participant.pk).is_accepting_mentees is False
    assert "Resume taking mentees" in paused.content.decode()
    # when
    resumed = client.post(url, {"accepting": "true"}, follow=True)
    # then
    assert _messages(resumed) == ["You are taking new mentees again."]
    assert Participant.objects.get(pk=cast.mentor_participant.pk).is_accepting_mentees is True


def test_changing_capacity_from_the_mentor_page(cast, client):
    # given one mentee already matched
    created = ask(cast.mentee_participant, cast.mentor_participant)
    match_request_accept(actor=cast.mentor, request_id=created.pk)
    client.force_login(cast.mentor)
    url = reverse("matching:mentor_capacity", args=[cast.program.pk])
    # when
    raised = client.post(url, {"capacity": "4"}, follow=True)
    refused = client.post(url, {"capacity": "0"}, follow=True)
    # then
    assert _messages(raised) == ["You now take up to 4 mentees."]
    assert _messages(refused) == ["Ensure this value is greater than or equal to 1."]
    assert Participant.objects.get(pk=cast.mentor_participant.pk).capacity == 4


def test_mentor_page_query_budget(cast, client, django_assert_max_num_queries):
    # given fifteen mentees waiting for the mentor
    cast.mentor_participant.capacity = 20
    cast.mentor_participant.save(update_fields=["capacity"])
    for index in range(15):
        ask(mentee_in(cast.program, f"Mentee{index}"), cast.mentor_participant)
    client.force_login(cast.mentor)
    # when
    with django_assert_max_num_queries(8):
        response = client.get(reverse("matching:mentor_dashboard", args=[cast.program.pk]))
    # then
    assert len(response.context["incoming"]) == 15


# --- approvals ---------------------------------------------------------------------------


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
def test_approvals_page_is_for_the_programmes_managers(cast, client, actor_name, status):
    # given
    client.force_login(cast.by_name(actor_name))
    # when
    response = client.get(reverse("matching:approvals", args=[cast.program.pk]))
    # then
    assert response.status_code == status


def test_a_manager_approves_from_the_page(cast, client):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant, "Hi")
    client.force_login(cast.manager)
    # when
    page = client.get(reverse("matching:approvals", args=[cast.program.pk]))
    response = client.post(reverse("matching:request_approve", args=[created.pk]), follow=True)
    # then
    assert f"Approve {cast.mentee}'s request to {cast.mentor}" in page.content.decode()
    assert _messages(response) == [
        f"Approved {cast.mentee} → {cast.mentor}: the mentor has been asked."
    ]
    assert statuses() == [(created.pk, S.PENDING)]


def test_a_manager_rejects_from_the_page(cast, client):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.admin)
    # when
    response = client.post(reverse("matching:request_reject", args=[created.pk]), follow=True)
    # then
    assert _messages(response) == [f"Rejected {cast.mentee} → {cast.mentor}."]
    assert statuses() == [(created.pk, S.DECLINED)]


def test_a_mentor_cannot_approve(cast, client):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentor)
    # when
    response = client.post(reverse("matching:request_approve", args=[created.pk]))
    # then
    assert response.status_code == 403
    assert statuses() == [(created.pk, S.AWAITING_APPROVAL)]


def test_approvals_page_query_budget(cast, client, django_assert_max_num_queries):
    # given
    need_approval(cast.program)
    for index in range(15):
        ask(mentee_in(cast.program, f"Mentee{index}"), cast.mentor_participant)
    client.force_login(cast.manager)
    # when
    with django_assert_max_num_queries(8):
        response = client.get(reverse("matching:approvals", args=[cast.program.pk]))
    # then
    assert len(response.context["waiting"]) == 15


# --- the home page links here ------------------------------------------------------------


def test_home_links_mentees_to_suggestions_and_mentors_to_their_page(cast, client):
    # when
    client.force_login(cast.mentee)
    mentee_home = client.get(reverse("home")).content.decode()
    client.force_login(cast.mentor)
    mentor_home = client.get(reverse("home")).content.decode()
    # then
    assert reverse("matching:suggestions", args=[cast.program.pk]) in mentee_home
    assert reverse("matching:mentor_dashboard", args=[cast.program.pk]) not in mentee_home
    assert reverse("matching:mentor_dashboard", args=[cast.program.pk]) in mentor_home
    assert reverse("matching:suggestions", args=[cast.program.pk]) not in mentor_home
