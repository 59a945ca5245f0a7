"""Issue 13: self-matching that does not lose the mentee. Each test walks the pages (HTTP) the
way a mentee, a mentor and a manager do, and checks what each of them reads next."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.matching.models import MatchingSettings, MatchRequest, RequestStatus
from tandem.matching.tests.requests_world import ask, mentor_in, skills
from tandem.notifications.models import OutboxMessage
from tandem.relationships.models import Relationship, RelationshipStatus
from tandem.relationships.services import relationship_propose

S = RequestStatus


def _day(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y}"


# --- 2. the home page shows what is pending ----------------------------------------------


def test_the_mentee_home_page_shows_the_request_sent_and_withdraws_it(cast, client):
    # given the mentee asked their mentor from the suggestions page
    client.force_login(cast.mentee)
    client.post(
        reverse("matching:request_create", args=[cast.program.pk]),
        {"mentor_participant_id": cast.mentor_participant.pk, "note": "Hello"},
    )
    sent = MatchRequest.objects.get()
    # when they open the home page
    page = client.get("/").content.decode()
    # then it says who was asked, when, and that the answer is awaited, with a withdraw button
    assert (
        f'Request sent to <span class="fw-semibold">{cast.mentor.display_name}</span> on '
        f"{_day(sent.created_at)}, waiting for their answer." in page
    )
    withdraw = reverse("matching:request_withdraw", args=[sent.pk])
    assert f'action="{withdraw}"' in page
    # when they withdraw from the home page they come back to it
    response = client.post(withdraw, {"next": "/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    sent.refresh_from_db()
    assert sent.status == S.WITHDRAWN
    assert 'data-testid="waiting-requests"' not in client.get("/").content.decode()


def test_the_mentor_home_page_shows_the_request_and_accepts_it(cast, client):
    # given
    waiting = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentor)
    # when
    page = client.get("/").content.decode()
    # then
    assert (
        f'<span class="fw-semibold">{cast.mentee.display_name}</span> asked you to mentor them '
        f"in {cast.program.name}." in page
    )
    accept = reverse("matching:request_accept", args=[waiting.pk])
    decline = reverse("matching:request_decline", args=[waiting.pk])
    assert f'action="{accept}"' in page
    assert f'action="{decline}"' in page
    # when the mentor accepts from the home page
    response = client.post(accept, {"next": "/"})
    # then they stay on it and the pair has started
    assert (response.status_code, response["Location"]) == (302, "/")
    assert Relationship.objects.get().status == RelationshipStatus.ACTIVE


def test_an_answer_never_redirects_off_the_site(cast, client):
    # given
    waiting = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentor)
    # when
    response = client.post(
        reverse("matching:request_decline", args=[waiting.pk]), {"next": "https://evil.test/"}
    )
    # then
    assert response["Location"] == reverse("matching:mentor_dashboard", args=[cast.program.pk])


@pytest.mark.parametrize(
    ("actor_name", "sees"),
    [
        ("outsider", False),
        ("member", False),
        ("mentee", True),
        ("mentor", True),
        ("other_manager", False),
        ("manager", False),
        ("admin", False),
    ],
)
def test_the_waiting_request_is_on_the_home_page_of_its_two_people_only(
    cast, client, actor_name, sees
):
    # given
    ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.by_name(actor_name))
    # when
    page = client.get("/").content.decode()
    # then
    assert ('data-testid="waiting-requests"' in page) is sees


# --- 3. the decline notice ---------------------------------------------------------------


def test_the_decline_notice_names_the_mentor_once_and_offers_the_next_mentors(cast, client):
    # given two more mentors who fit, and the mentee asked the cast's mentor
    wanted = skills(cast.program, "Python", "Negotiation")
    cast.mentee.profile.skills_wanted.set(wanted)
    ada = mentor_in(cast.program, "Ada", offers=wanted)
    bo = mentor_in(cast.program, "Bo", offers=wanted[:1])
    waiting = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentor)
    # when the mentor declines
    client.post(reverse("matching:request_decline", args=[waiting.pk]), {"message": "Full up"})
    # then the mentee's notice names the mentor once and lists who to ask next
    notice = OutboxMessage.objects.get(recipient=cast.mentee, key__endswith=":declined")
    body = notice.text_body
    assert len(re.findall(re.escape(cast.mentor.display_name), body)) == 1
    assert f"{cast.mentor.display_name} declined your request to be your mentor." in body
    assert '"Full up"' in body
    listed = re.findall(r"^- (.+) \((strong|good|possible) fit\)$", body, re.M)
    assert [name for name, _ in listed] == [ada.user.display_name, bo.user.display_name]
    assert notice.url == reverse("matching:suggestions", args=[cast.program.pk])


def test_the_decline_notice_without_anyone_else_says_where_new_mentors_appear(cast, client):
    # given the only mentor
    waiting = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentor)
    # when
    client.post(reverse("matching:request_decline", args=[waiting.pk]))
    # then
    body = OutboxMessage.objects.get(recipient=cast.mentee, key__endswith=":declined").text_body
    assert "Your suggestions page shows any mentor who frees a place or resumes." in body
    assert len(re.findall(re.escape(cast.mentor.display_name), body)) == 1


# --- 4. accepting starts the relationship ------------------------------------------------


@pytest.mark.parametrize(
    ("kickoff", "status"),
    [(None, RelationshipStatus.ACTIVE), (False, RelationshipStatus.ACTIVE), (True, "proposed")],
)
def test_accepting_starts_the_pair_unless_the_programme_asks_for_a_kickoff(
    cast, client, kickoff, status
):
    # given
    if kickoff is not None:
        MatchingSettings.objects.create(
            program=cast.program, accepted_requests_need_kickoff=kickoff
        )
    waiting = ask(cast.mentee_participant, cast.mentor_participant)
    client.force_login(cast.mentor)
    # when
    client.post(reverse("matching:request_accept", args=[waiting.pk]))
    # then
    relationship = Relationship.objects.get()
    assert relationship.status == status
    assert (relationship.started_on is not None) is (status == RelationshipStatus.ACTIVE)
    # and the mentee's hub says what comes next (nothing, or the kick-off)
    client.force_login(cast.mentee)
    hub = client.get(reverse("workspace:detail", args=[relationship.pk])).content.decode()
    if status == RelationshipStatus.ACTIVE:
        assert 'data-testid="next-step"' not in hub
    else:
        assert f"Your turn: start after your kick-off with {cast.mentor.short_name}" in hub
        assert "Start working together" in hub


def test_the_kickoff_setting_is_saved_from_the_settings_api(cast, api_as):
    # when
    response = api_as(cast.manager).put(
        f"programs/{cast.program.pk}/matching/settings",
        {"accepted_requests_need_kickoff": True},
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["accepted_requests_need_kickoff"] is True
    assert MatchingSettings.objects.get(program=cast.program).accepted_requests_need_kickoff


# --- 5. a matched mentee opening "Find a mentor" -----------------------------------------


def test_a_matched_mentee_finding_a_mentor_gets_a_link_to_their_mentor(cast, client):
    # given
    relationship = relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )
    client.force_login(cast.mentee)
    # when
    page = client.get(reverse("matching:suggestions", args=[cast.program.pk])).content.decode()
    # then
    assert f"You already have a mentor in {cast.program.name}." in page
    assert 'data-testid="my-mentors"' in page
    assert f'href="{reverse("workspace:detail", args=[relationship.pk])}"' in page
    assert f"Open your space with {cast.mentor.short_name}" in page


# --- 6. who acts next on a proposed pair -------------------------------------------------


def test_after_a_bulk_publish_each_page_says_who_must_act_next(cast, client):
    # given a pair proposed by a bulk run
    relationship = relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="bulk"
    )
    hub = reverse("workspace:detail", args=[relationship.pk])
    managers_list = reverse("workspace:program_relationships", args=[cast.program.pk])
    waiting = f"Waiting for {cast.mentor.short_name} to accept"
    # then the mentor reads that it is their turn, on the hub and the home page
    client.force_login(cast.mentor)
    for page in (client.get(hub), client.get("/")):
        assert "Your turn: accept or decline" in page.content.decode()
    assert "Accept and start" in client.get(hub).content.decode()
    # and the mentee and the managers read whom they wait for
    client.force_login(cast.mentee)
    for page in (client.get(hub), client.get("/")):
        html = page.content.decode()
        assert waiting in html
        assert "Your turn" not in html
        assert "Accept and start" not in html
    for manager in (cast.manager, cast.admin):
        client.force_login(manager)
        assert waiting in client.get(managers_list).content.decode()
    # when the mentor accepts from the hub, nobody is waited for any more
    client.force_login(cast.mentor)
    client.post(reverse("relationships:status", args=[relationship.pk]), {"action": "start"})
    assert 'data-testid="next-step"' not in client.get(hub).content.decode()
