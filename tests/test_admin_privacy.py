"""No private content on any Django admin page. A superuser walks every registered admin's
changelist, and the change page and the delete confirmation (which lists every related
object) of each of its objects, after the pair wrote distinctive private words everywhere they
can: meeting titles, places, links, notes, agenda, check-ins, journal, self-assessment notes,
messages, feedback, agreement, goals, milestones, actions, match-request notes and replies,
survey answers."""

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.accounts.tests.factories import UserFactory
from tandem.actions.tests.factories import ActionItemFactory
from tandem.agreements.tests.factories import fill_in
from tandem.assessments.services import assessment_submit
from tandem.assessments.tests.factories import all_scores
from tandem.conversations.services import message_post
from tandem.feedback.services import feedback_give
from tandem.goals.tests.factories import GoalFactory, MilestoneFactory
from tandem.journals.services import journal_entry_create, journal_entry_share
from tandem.matching.models import MatchRequest
from tandem.meetings.models import CheckIn
from tandem.meetings.services import agenda_item_add, meeting_notes_update
from tandem.meetings.tests.factories import schedule
from tandem.surveys.services import response_submit, survey_create
from tandem.surveys.tests.factories import invite

# Every private string the pair writes, by where it was written. Lower case and one word, so
# it survives every cleaning (journal tags are lower-cased) and is found wherever it leaks.
PRIVATE = {
    kind: f"zq{kind}private"
    for kind in [
        "meetingtitle",
        "meetinglocation",
        "meetingvideo",
        "meetingnotes",
        "agenda",
        "checkin",
        "journaltext",
        "journaltag",
        "assessmentnote",
        "message",
        "feedback",
        "agreement",
        "goal",
        "milestone",
        "action",
        "requestnote",
        "requestreply",
        "surveytext",
    ]
}


@pytest.fixture
def private_everywhere(pair):
    relationship, mentor, mentee = pair.relationship, pair.mentor, pair.mentee
    rid = relationship.pk
    meeting = schedule(
        relationship,
        title=PRIVATE["meetingtitle"],
        location=PRIVATE["meetinglocation"],
        video_url=f"https://meet.example.com/{PRIVATE['meetingvideo']}",
        agenda=[PRIVATE["agenda"] + "1"],
    )
    agenda_item_add(
        actor=mentee, relationship_id=rid, meeting_id=meeting.pk, text=PRIVATE["agenda"]
    )
    meeting_notes_update(
        actor=mentor, relationship_id=rid, meeting_id=meeting.pk, notes=PRIVATE["meetingnotes"]
    )
    CheckIn.objects.create(
        meeting=meeting, user=mentee, usefulness=2, practise_next=PRIVATE["checkin"]
    )
    entry = journal_entry_create(
        actor=mentee,
        relationship_id=rid,
        text=PRIVATE["journaltext"],
        tags=[PRIVATE["journaltag"]],
        mood="stuck",
    )
    journal_entry_share(actor=mentee, relationship_id=rid, entry_id=entry.pk)
    scores = all_scores(relationship, 2)
    assessment_submit(
        actor=mentee,
        relationship_id=rid,
        moment="start",
        ratings=scores,
        notes=dict.fromkeys(scores, PRIVATE["assessmentnote"]),
    )
    message_post(actor=mentee, relationship_id=rid, body=PRIVATE["message"])
    feedback_give(
        actor=mentee,
        relationship_id=rid,
        what_helped=PRIVATE["feedback"],
        what_to_change=PRIVATE["feedback"],
        usefulness=3,
    )
    fill_in(relationship, by=mentee, goals_summary=PRIVATE["agreement"])
    goal = GoalFactory(relationship=relationship, title=PRIVATE["goal"])
    MilestoneFactory(goal=goal, title=PRIVATE["milestone"])
    ActionItemFactory(relationship=relationship, title=PRIVATE["action"])
    MatchRequest.objects.create(
        program=pair.cast.program,
        mentee=pair.cast.mentee_participant,
        mentor=pair.cast.mentor_participant,
        note=PRIVATE["requestnote"],
        response_message=PRIVATE["requestreply"],
        status="declined",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    survey = survey_create(
        actor=pair.cast.manager,
        program_id=pair.cast.program.pk,
        title="Pulse",
        trigger="halfway",
        definition={
            "intro": "",
            "questions": [
                {"key": "why", "type": "text", "text": "Why?", "required": True},
                {"key": "fit", "type": "pairing_fit", "text": "Fit?", "required": True},
            ],
        },
    )
    response_submit(
        actor=mentee,
        invitation_id=invite(survey, relationship, mentee).pk,
        answers={"why": PRIVATE["surveytext"], "fit": "good_fit"},
    )
    return pair


def _leaks(html: str) -> list[str]:
    lowered = html.lower()
    return [kind for kind, secret in PRIVATE.items() if secret in lowered]


def _admin_pages(superuser) -> list[str]:
    """Every admin URL the superuser can open: the index, each changelist, and for each object
    its change page, history and, where deleting is allowed, the
    delete confirmation."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    urls = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        for obj in model_admin.get_queryset(request):
            urls.append(reverse(f"{prefix}_change", args=[obj.pk]))
            urls.append(reverse(f"{prefix}_history", args=[obj.pk]))
            if model_admin.has_delete_permission(request, obj):
                urls.append(reverse(f"{prefix}_delete", args=[obj.pk]))
    return urls


def test_no_admin_page_shows_private_content(private_everywhere, client):
    # given a superuser, and private words in every place the pair can write
    superuser = UserFactory(
        organization=private_everywhere.cast.org,
        role=Role.ORG_ADMIN,
        is_staff=True,
        is_superuser=True,
    )
    client.force_login(superuser)
    urls = _admin_pages(superuser)
    # (the walk reaches the meetings' and the match requests' own pages)
    assert any("/admin/meetings/meeting/" in url and url.endswith("/change/") for url in urls)
    assert any("/admin/matching/matchrequest/" in url and url.endswith("/change/") for url in urls)
    assert any("/admin/surveys/survey/" in url and url.endswith("/change/") for url in urls)
    assert any(
        "/admin/surveys/surveyinvitation/" in url and url.endswith("/change/") for url in urls
    )
    # when every page is opened
    leaks = {}
    for url in urls:
        response = client.get(url)
        # then it answers
        assert response.status_code == 200, url
        found = _leaks(response.content.decode())
        if found:
            leaks[url] = found
    # and no page holds any private word
    assert leaks == {}


@pytest.mark.parametrize("kind", sorted(PRIVATE))
def test_every_private_string_was_really_written(private_everywhere, kind):
    # Guards the walk above against passing because a seed silently went nowhere: every
    # private string is in the database, through the models that read it.
    from django.apps import apps

    secret = PRIVATE[kind]
    found = False
    for model in apps.get_models():
        if model._meta.app_label not in {
            "meetings",
            "journals",
            "assessments",
            "conversations",
            "feedback",
            "agreements",
            "goals",
            "actions",
            "matching",
            "surveys",
        }:
            continue
        for row in model.objects.all():
            values = [getattr(row, field.attname) for field in model._meta.concrete_fields]
            if any(secret in str(value).lower() for value in values):
                found = True
    assert found, kind


def test_no_survey_answer_is_in_the_admin():
    # Which choice a person picked is theirs as much as their free text: responses and
    # answers have no admin page at all (invitations show only whether one was answered).
    from tandem.surveys.models import SurveyAnswer, SurveyResponse

    assert not admin.site.is_registered(SurveyResponse)
    assert not admin.site.is_registered(SurveyAnswer)
