"""The self-matching services, one rule at a time: asking, limits, approval, answers, expiry."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tandem.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from tandem.matching.models import MatchingSettings, MatchRequest, RequestStatus, SuggestionDecline
from tandem.matching.requests import selectors
from tandem.matching.requests.services import (
    match_request_accept,
    match_request_approve,
    match_request_create,
    match_request_decline,
    match_request_expire_lapsed,
    match_request_reject,
    match_request_withdraw,
    suggestion_decline_create,
)
from tandem.matching.requests.tasks import match_requests_expire_task
from tandem.matching.tests.factories import PairRuleFactory, enrol_person
from tandem.matching.tests.requests_world import (
    ask,
    mentee_in,
    mentor_in,
    need_approval,
    request_rows,
    statuses,
)
from tandem.notifications.models import (
    Notification,
    NotificationCategory,
    OutboxMessage,
    OutboxStatus,
)
from tandem.notifications.services import notification_preferences_update
from tandem.participants.models import Participant, ParticipantRole, ParticipantStatus
from tandem.participants.services import participant_set_accepting
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.announcements import match_announced_key
from tandem.relationships.models import Relationship, RelationshipSource, RelationshipStatus
from tandem.relationships.services import relationship_propose

S = RequestStatus


def _lapse(*requests: MatchRequest) -> None:
    MatchRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )


def _counts(*participants: Participant) -> list[int]:
    return [Participant.objects.get(pk=p.pk).matched_count for p in participants]


# --- asking ------------------------------------------------------------------------------


def test_a_mentee_asks_a_mentor_who_is_emailed(cast, django_capture_on_commit_callbacks):
    # given
    before = timezone.now()
    expected = selectors.pair_explanation(
        mentee=cast.mentee_participant, mentor=cast.mentor_participant
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        created = ask(cast.mentee_participant, cast.mentor_participant, "  I lead reviews now. ")
    # then
    row = MatchRequest.objects.get()
    assert row.pk == created.pk
    assert (row.program_id, row.mentee_id, row.mentor_id, row.status, row.note) == (
        cast.program.pk,
        cast.mentee_participant.pk,
        cast.mentor_participant.pk,
        S.PENDING,
        "I lead reviews now.",
    )
    assert (row.score, row.reasons) == (expected.score, list(expected.reasons))
    assert row.contributions == {str(k): v for k, v in expected.contributions.items()}
    lower = before + datetime.timedelta(days=14)
    assert lower <= row.expires_at <= timezone.now() + datetime.timedelta(days=14)
    assert row.decided_at is None
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["mentor@northwind.test"],
            f"{cast.mentee} would like you as their mentor in Leadership cohort",
        )
    ]
    assert '"I lead reviews now."' in mail.outbox[0].body
    assert list(OutboxMessage.objects.values_list("key", "category", "url")) == [
        (
            f"match_request:{row.pk}:{cast.mentor.pk}:pending",
            "relationship",
            f"/programs/{cast.program.pk}/matching/mentor/",
        )
    ]


def test_the_expiry_follows_the_programme_setting(cast):
    # given
    MatchingSettings.objects.create(program=cast.program, request_expiry_days=3)
    # when
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # then
    days = (created.expires_at - created.created_at).total_seconds() / 86400
    assert round(days, 3) == 3.0


def test_a_request_waits_for_a_manager_when_the_programme_asks(
    cast, django_capture_on_commit_callbacks
):
    # given
    need_approval(cast.program)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        ask(cast.mentee_participant, cast.mentor_participant)
    # then
    assert [row.status for row in MatchRequest.objects.all()] == [S.AWAITING_APPROVAL]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["manager@northwind.test"],
            f"{cast.mentee} asks for {cast.mentor} as mentor in Leadership cohort: your "
            "approval is needed",
        )
    ]


def test_at_most_three_open_requests(cast):
    # given three requests waiting
    mentors = [mentor_in(cast.program, name) for name in ("Ada", "Bo", "Cy", "Di")]
    for mentor in mentors[:3]:
        ask(cast.mentee_participant, mentor)
    before = request_rows()
    # when
    with pytest.raises(Conflict) as refused:
        ask(cast.mentee_participant, mentors[3])
    # then
    assert refused.value.detail == (
        "You already have 3 open requests, the most you can have at once. Withdraw one or wait "
        "for an answer before asking another mentor."
    )
    assert request_rows() == before


def test_a_withdrawn_request_frees_a_slot(cast):
    # given
    mentors = [mentor_in(cast.program, name) for name in ("Ada", "Bo", "Cy", "Di")]
    first, *_ = [ask(cast.mentee_participant, mentor) for mentor in mentors[:3]]
    match_request_withdraw(actor=cast.mentee, request_id=first.pk)
    # when
    fourth = ask(cast.mentee_participant, mentors[3])
    # then
    assert fourth.status == S.PENDING
    assert selectors.open_request_count(mentee=cast.mentee_participant) == 3


def test_one_open_request_per_pair(cast):
    # given
    ask(cast.mentee_participant, cast.mentor_participant)
    before = request_rows()
    # when
    with pytest.raises(Conflict) as refused:
        ask(cast.mentee_participant, cast.mentor_participant)
    # then
    assert refused.value.detail == (
        f"You have already asked {cast.mentor}; wait for their answer or withdraw it first."
    )
    assert request_rows() == before


def test_a_lapsed_request_is_expired_when_asking_again(cast):
    # given a request past its expiry that the job has not closed yet
    old = ask(cast.mentee_participant, cast.mentor_participant)
    _lapse(old)
    # when
    new = ask(cast.mentee_participant, cast.mentor_participant)
    # then
    assert statuses() == [(old.pk, S.EXPIRED), (new.pk, S.PENDING)]


def test_a_paused_mentor_cannot_be_asked(cast):
    # given
    participant_set_accepting(
        actor=cast.mentor, participant_id=cast.mentor_participant.pk, accepting=False
    )
    # when
    with pytest.raises(Conflict) as refused:
        ask(cast.mentee_participant, cast.mentor_participant)
    # then
    assert refused.value.detail == f"{cast.mentor} is not taking new mentees right now."
    assert MatchRequest.objects.count() == 0


def test_a_full_mentor_cannot_be_asked(cast):
    # given both places taken
    for _ in range(2):
        relationship_propose(
            mentor=cast.mentor_participant,
            mentee=enrol_person(cast.program),
            source=RelationshipSource.MANUAL,
        )
    cast.mentor_participant.refresh_from_db()
    # when
    with pytest.raises(Conflict) as refused:
        ask(cast.mentee_participant, cast.mentor_participant)
    # then
    assert refused.value.detail == f"{cast.mentor} has no mentee places left."
    assert MatchRequest.objects.count() == 0


def _decline_forever(cast):
    SuggestionDecline.objects.create(mentor=cast.mentor_participant, mentee=cast.mentee_participant)


def _exclude(cast):
    PairRuleFactory(mentor=cast.mentor_participant, mentee=cast.mentee_participant)


def _reporting_line(cast):
    profile = cast.mentee.profile
    profile.manager = cast.mentor
    profile.save(update_fields=["manager"])


@pytest.mark.parametrize(
    ("rule", "because"),
    [
        (_decline_forever, "{mentor} has asked not to be suggested to you."),
        (_exclude, "the programme's managers have ruled out pairing you with {mentor}."),
        (_reporting_line, "{mentor} is in your reporting line, so cannot be your mentor."),
    ],
)
def test_a_forbidden_pair_cannot_be_asked(cast, rule, because):
    # given
    rule(cast)
    # when
    with pytest.raises(InvalidInput) as refused:
        ask(cast.mentee_participant, cast.mentor_participant)
    # then
    message = f"You cannot ask {cast.mentor}: " + because.format(mentor=cast.mentor)
    assert refused.value.detail == message
    assert [e.as_dict() for e in refused.value.errors] == [
        {"field": "mentor_participant_id", "message": message}
    ]
    assert MatchRequest.objects.count() == 0


def test_a_mentor_in_the_managers_chain_above_is_forbidden_too(cast):
    # given the mentor manages the mentee's manager
    middle = enrol_person(cast.program, role=ParticipantRole.MENTOR, manager=cast.mentor).user
    profile = cast.mentee.profile
    profile.manager = middle
    profile.save(update_fields=["manager"])
    # when / then
    with pytest.raises(InvalidInput, match="is in your reporting line"):
        ask(cast.mentee_participant, cast.mentor_participant)
    assert MatchRequest.objects.count() == 0


def test_a_mentee_who_had_this_mentor_before_cannot_ask_them_again(cast):
    # given an earlier relationship that ended (places given back by hand for the test)
    relationship = relationship_propose(
        mentor=cast.mentor_participant, mentee=cast.mentee_participant, source="manual"
    )
    Relationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    Participant.objects.filter(
        pk__in=[cast.mentor_participant.pk, cast.mentee_participant.pk]
    ).update(matched_count=0)
    # when
    with pytest.raises(InvalidInput) as refused:
        ask(cast.mentee_participant, cast.mentor_participant)
    # then
    assert refused.value.detail == (
        f"You cannot ask {cast.mentor}: you have already been paired with {cast.mentor} here."
    )
    assert MatchRequest.objects.count() == 0


def test_self_matching_off_refuses_requests(cast):
    # given
    MatchingSettings.objects.create(program=cast.program, allow_self_matching=False)
    # when
    with pytest.raises(DomainError) as refused:
        ask(cast.mentee_participant, cast.mentor_participant)
    # then
    assert refused.value.status == 400
    assert refused.value.detail == (
        "In Leadership cohort the programme's managers match mentees with mentors; mentees do "
        "not choose a mentor themselves."
    )
    assert MatchRequest.objects.count() == 0


@pytest.mark.parametrize("actor_name", ["mentor", "member", "manager", "admin"])
def test_only_an_enrolled_mentee_asks(cast, actor_name):
    # when
    with pytest.raises(Forbidden) as refused:
        match_request_create(
            actor=cast.by_name(actor_name),
            program_id=cast.program.pk,
            mentor_participant_id=cast.mentor_participant.pk,
        )
    # then
    assert refused.value.detail == (
        "Only mentees enrolled in Leadership cohort can look for a mentor there."
    )
    assert MatchRequest.objects.count() == 0


def test_a_mentee_who_withdrew_cannot_ask(cast):
    # given
    Participant.objects.filter(pk=cast.mentee_participant.pk).update(
        status=ParticipantStatus.WITHDRAWN
    )
    # when / then
    with pytest.raises(Forbidden):
        ask(cast.mentee_participant, cast.mentor_participant)
    assert MatchRequest.objects.count() == 0


def test_a_mentee_with_a_mentor_cannot_ask(cast):
    # given
    other = mentor_in(cast.program, "Ada")
    relationship_propose(mentor=other, mentee=cast.mentee_participant, source="manual")
    # when
    with pytest.raises(Conflict) as refused:
        ask(cast.mentee_participant, cast.mentor_participant)
    # then
    assert refused.value.detail == "You already have a mentor in Leadership cohort."
    assert MatchRequest.objects.count() == 0


def test_an_unknown_mentor_is_not_found(cast):
    # given a mentee of the programme, and a mentor of another programme
    elsewhere = enrol_person(
        ProgramFactory(organization=cast.org, name="Other"), role=ParticipantRole.MENTOR
    )
    # when / then
    for mentor_id in (elsewhere.pk, cast.mentee_participant.pk, 999_999):
        with pytest.raises(NotFound, match=r"No such mentor in Leadership cohort\."):
            match_request_create(
                actor=cast.mentee, program_id=cast.program.pk, mentor_participant_id=mentor_id
            )
    assert MatchRequest.objects.count() == 0


def test_a_note_too_long_is_invalid(cast):
    # when
    with pytest.raises(InvalidInput) as refused:
        ask(cast.mentee_participant, cast.mentor_participant, "x" * 2001)
    # then
    assert [e.as_dict() for e in refused.value.errors] == [
        {"field": "note", "message": "The note can be at most 2000 characters."}
    ]
    assert MatchRequest.objects.count() == 0


# --- accepting ---------------------------------------------------------------------------


def test_accepting_opens_the_relationship_withdraws_the_rest_and_emails_both(
    cast, django_capture_on_commit_callbacks
):
    # given the mentee asked three mentors (one still awaiting nothing: all pending)
    others = [mentor_in(cast.program, name) for name in ("Ada", "Bo")]
    chosen = ask(cast.mentee_participant, cast.mentor_participant, "Hello")
    rest = [ask(cast.mentee_participant, mentor) for mentor in others]
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        accepted = match_request_accept(actor=cast.mentor, request_id=chosen.pk, message="Yes!")
    # then
    assert accepted.status == S.ACCEPTED
    assert statuses() == [
        (chosen.pk, S.ACCEPTED),
        (rest[0].pk, S.WITHDRAWN),
        (rest[1].pk, S.WITHDRAWN),
    ]
    chosen.refresh_from_db()
    assert chosen.response_message == "Yes!"
    assert chosen.decided_at is not None
    assert [r.response_message for r in MatchRequest.objects.filter(status=S.WITHDRAWN)] == [
        f"Withdrawn automatically: {cast.mentor} became your mentor."
    ] * 2
    relationship = Relationship.objects.get()
    assert (
        relationship.program_id,
        relationship.mentor_id,
        relationship.mentee_id,
        relationship.status,
        relationship.source,
        relationship.match_score,
        relationship.match_explanation,
    ) == (
        cast.program.pk,
        cast.mentor_participant.pk,
        cast.mentee_participant.pk,
        RelationshipStatus.ACTIVE,  # accepting starts the pair (no kick-off asked)
        RelationshipSource.REQUEST,
        chosen.score,
        {"contributions": chosen.contributions, "reasons": chosen.reasons},
    )
    assert _counts(cast.mentor_participant, cast.mentee_participant) == [1, 1]
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("mentee@northwind.test", f"{cast.mentor} accepted your request in Leadership cohort"),
        ("mentor@northwind.test", f"You are now {cast.mentee}'s mentor in Leadership cohort"),
    ]
    assert '"Yes!"' in next(m.body for m in mail.outbox if m.to == ["mentee@northwind.test"])
    # and the two emails are the match's announcement, under the nudge rule's keys (so the
    # rule `match_announced` finds them known and sends nothing more)
    assert sorted(
        OutboxMessage.objects.filter(rule="match_announced").values_list(
            "key", "recipient_id", "category", "status"
        )
    ) == sorted(
        (
            match_announced_key(
                relationship_id=relationship.pk,
                recipient_id=person.pk,
                opened_at=relationship.created_at,
            ),
            person.pk,
            "welcome",
            OutboxStatus.SENT,
        )
        for person in (cast.mentee, cast.mentor)
    )


def test_accepting_tells_a_mentee_who_chose_in_app_only_in_the_app_alone(
    cast, django_capture_on_commit_callbacks
):
    # given the mentee wants match announcements in the app only
    notification_preferences_update(
        actor=cast.mentee, channels={NotificationCategory.WELCOME: "in_app"}
    )
    chosen = ask(cast.mentee_participant, cast.mentor_participant)
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        match_request_accept(actor=cast.mentor, request_id=chosen.pk)
    # then only the mentor is emailed; the mentee has the in-app copy
    assert [m.to for m in mail.outbox] == [["mentor@northwind.test"]]
    assert list(
        Notification.objects.filter(user=cast.mentee, category="welcome").values_list(
            "title", flat=True
        )
    ) == [f"{cast.mentor} accepted your request in Leadership cohort"]
    assert OutboxMessage.objects.get(recipient=cast.mentee, rule="match_announced").status == (
        OutboxStatus.SKIPPED
    )


def test_a_refused_accept_tells_nobody(cast, django_capture_on_commit_callbacks):
    # given
    chosen = ask(cast.mentee_participant, cast.mentor_participant)
    before = list(OutboxMessage.objects.values_list("key", flat=True))
    # when the mentee tries to accept her own request
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Forbidden):
        match_request_accept(actor=cast.mentee, request_id=chosen.pk)
    # then nothing was enqueued
    assert list(OutboxMessage.objects.values_list("key", flat=True)) == before
    assert not OutboxMessage.objects.filter(rule="match_announced").exists()


def test_an_expired_request_cannot_be_accepted(cast):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    _lapse(created)
    before = request_rows()
    # when
    with pytest.raises(Conflict) as refused:
        match_request_accept(actor=cast.mentor, request_id=created.pk)
    # then
    created.refresh_from_db()
    day = timezone.localtime(created.expires_at)
    assert refused.value.detail == (
        f"This request expired on {day.day} {day:%B %Y}; it can no longer be accepted."
    )
    assert request_rows() == before
    assert Relationship.objects.count() == 0
    assert _counts(cast.mentor_participant, cast.mentee_participant) == [0, 0]


def test_an_expired_status_cannot_be_accepted_either(cast):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    _lapse(created)
    match_request_expire_lapsed()
    # when / then
    with pytest.raises(Conflict, match="expired on"):
        match_request_accept(actor=cast.mentor, request_id=created.pk)
    assert statuses() == [(created.pk, S.EXPIRED)]


@pytest.mark.parametrize(
    ("actor_name", "error"),
    [("mentee", Forbidden), ("manager", Forbidden), ("admin", Forbidden), ("member", NotFound)],
)
def test_only_the_mentor_asked_accepts(cast, actor_name, error):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = request_rows()
    # when / then
    with pytest.raises(error):
        match_request_accept(actor=cast.by_name(actor_name), request_id=created.pk)
    assert request_rows() == before
    assert Relationship.objects.count() == 0


def test_another_mentor_cannot_accept_or_even_see_it(cast):
    # given
    other = mentor_in(cast.program, "Ada")
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = request_rows()
    # when / then
    with pytest.raises(NotFound, match=r"No such match request\."):
        match_request_accept(actor=other.user, request_id=created.pk)
    assert request_rows() == before


def test_accepting_when_full_says_so_and_leaves_the_request_pending(cast):
    # given the mentor is asked, then fills both places another way
    created = ask(cast.mentee_participant, cast.mentor_participant)
    for _ in range(2):
        relationship_propose(
            mentor=cast.mentor_participant, mentee=enrol_person(cast.program), source="manual"
        )
    before = request_rows()
    # when
    with pytest.raises(Conflict) as refused:
        match_request_accept(actor=cast.mentor, request_id=created.pk)
    # then
    assert refused.value.detail == f"{cast.mentor} has no mentee places left in this programme."
    assert request_rows() == before
    assert Relationship.objects.filter(mentee=cast.mentee_participant).count() == 0
    assert _counts(cast.mentor_participant, cast.mentee_participant) == [2, 0]


def test_a_request_awaiting_approval_cannot_be_accepted(cast):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when / then
    with pytest.raises(Conflict) as refused:
        match_request_accept(actor=cast.mentor, request_id=created.pk)
    assert refused.value.detail == (
        "This request cannot be accepted: its status is 'awaiting the manager'."
    )
    assert statuses() == [(created.pk, S.AWAITING_APPROVAL)]


def test_a_request_is_accepted_once(cast):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    match_request_accept(actor=cast.mentor, request_id=created.pk)
    # when / then
    with pytest.raises(Conflict, match="its status is 'accepted'"):
        match_request_accept(actor=cast.mentor, request_id=created.pk)
    assert Relationship.objects.count() == 1


# --- declining ---------------------------------------------------------------------------


def test_declining_tells_the_mentee(cast, django_capture_on_commit_callbacks):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        match_request_decline(actor=cast.mentor, request_id=created.pk, message="Too busy.")
    # then
    created.refresh_from_db()
    assert (created.status, created.response_message) == (S.DECLINED, "Too busy.")
    assert SuggestionDecline.objects.count() == 0
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["mentee@northwind.test"],
            f"Your request to {cast.mentor} in Leadership cohort was declined",
        )
    ]
    # and the mentee may ask again later
    assert ask(cast.mentee_participant, cast.mentor_participant).status == S.PENDING


def test_declining_for_good_stops_suggestions_and_requests(cast):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when
    match_request_decline(actor=cast.mentor, request_id=created.pk, do_not_suggest_again=True)
    # then
    assert list(SuggestionDecline.objects.values_list("mentor_id", "mentee_id")) == [
        (cast.mentor_participant.pk, cast.mentee_participant.pk)
    ]
    found = selectors.suggestion_list_for_mentee(actor=cast.mentee, program=cast.program)
    assert [s.mentor.pk for s in found.suggestions] == []
    with pytest.raises(InvalidInput, match="has asked not to be suggested to you"):
        ask(cast.mentee_participant, cast.mentor_participant)


@pytest.mark.parametrize(
    ("actor_name", "error"),
    [("mentee", Forbidden), ("manager", Forbidden), ("member", NotFound)],
)
def test_only_the_mentor_asked_declines(cast, actor_name, error):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = request_rows()
    # when / then
    with pytest.raises(error):
        match_request_decline(actor=cast.by_name(actor_name), request_id=created.pk)
    assert request_rows() == before
    assert SuggestionDecline.objects.count() == 0


def test_a_mentor_declines_a_suggested_mentee_for_good(cast):
    # given a request waiting between them
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when
    decline = suggestion_decline_create(
        actor=cast.mentor,
        program_id=cast.program.pk,
        mentor_participant_id=cast.mentor_participant.pk,
        mentee_participant_id=cast.mentee_participant.pk,
    )
    again = suggestion_decline_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        mentor_participant_id=cast.mentor_participant.pk,
        mentee_participant_id=cast.mentee_participant.pk,
    )
    # then
    assert again.pk == decline.pk
    assert SuggestionDecline.objects.count() == 1
    assert statuses() == [(created.pk, S.DECLINED)]


def test_only_the_mentor_or_a_manager_declines_a_pair(cast):
    # when / then
    for actor in (cast.mentee, cast.member, cast.other_manager):
        with pytest.raises(NotFound):
            suggestion_decline_create(
                actor=actor,
                program_id=cast.program.pk,
                mentor_participant_id=cast.mentor_participant.pk,
                mentee_participant_id=cast.mentee_participant.pk,
            )
    assert SuggestionDecline.objects.count() == 0


# --- withdrawing -------------------------------------------------------------------------


def test_the_mentee_withdraws(cast):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when
    match_request_withdraw(actor=cast.mentee, request_id=created.pk)
    # then
    created.refresh_from_db()
    assert created.status == S.WITHDRAWN
    assert created.decided_at is not None
    with pytest.raises(Conflict, match="its status is 'withdrawn'"):
        match_request_withdraw(actor=cast.mentee, request_id=created.pk)


def test_a_request_awaiting_approval_can_be_withdrawn(cast):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when
    match_request_withdraw(actor=cast.mentee, request_id=created.pk)
    # then
    assert statuses() == [(created.pk, S.WITHDRAWN)]


@pytest.mark.parametrize("actor_name", ["mentor", "manager"])
def test_only_the_mentee_withdraws(cast, actor_name):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when / then
    with pytest.raises(Forbidden, match="who sent it, can withdraw it"):
        match_request_withdraw(actor=cast.by_name(actor_name), request_id=created.pk)
    assert statuses() == [(created.pk, S.PENDING)]


# --- approval ----------------------------------------------------------------------------


def test_a_manager_approves_and_the_mentor_is_asked(cast, django_capture_on_commit_callbacks):
    # given
    need_approval(cast.program, expiry_days=5)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    MatchRequest.objects.filter(pk=created.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        match_request_approve(actor=cast.manager, request_id=created.pk)
    # then
    created.refresh_from_db()
    assert created.status == S.PENDING
    remaining = created.expires_at - timezone.now()
    assert datetime.timedelta(days=4, hours=23) < remaining <= datetime.timedelta(days=5)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["mentor@northwind.test"],
            f"{cast.mentee} would like you as their mentor in Leadership cohort",
        )
    ]
    # and the mentor can now accept
    match_request_accept(actor=cast.mentor, request_id=created.pk)
    assert statuses() == [(created.pk, S.ACCEPTED)]


def test_a_manager_rejects_and_the_mentee_is_told(cast, django_capture_on_commit_callbacks):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        match_request_reject(actor=cast.admin, request_id=created.pk, message="Same team.")
    # then
    created.refresh_from_db()
    assert (created.status, created.response_message) == (S.DECLINED, "Same team.")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["mentee@northwind.test"],
            f"Your request to {cast.mentor} in Leadership cohort was declined",
        )
    ]
    assert "Leadership cohort's managers declined" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("actor_name", "error"),
    [("mentor", Forbidden), ("mentee", Forbidden), ("other_manager", NotFound)],
)
def test_only_the_programmes_managers_approve(cast, actor_name, error):
    # given
    need_approval(cast.program)
    created = ask(cast.mentee_participant, cast.mentor_participant)
    before = request_rows()
    # when / then
    for service in (match_request_approve, match_request_reject):
        with pytest.raises(error):
            service(actor=cast.by_name(actor_name), request_id=created.pk)
    assert request_rows() == before


def test_a_pending_request_needs_no_approval(cast):
    # given
    created = ask(cast.mentee_participant, cast.mentor_participant)
    # when / then
    with pytest.raises(
        Conflict, match="cannot be approved: its status is 'waiting for the mentor'"
    ):
        match_request_approve(actor=cast.manager, request_id=created.pk)
    assert statuses() == [(created.pk, S.PENDING)]


# --- expiry ------------------------------------------------------------------------------


def test_expiry_closes_only_lapsed_open_requests(cast):
    # given two lapsed requests (one awaiting approval), one fresh, one lapsed but decided
    mentees = [mentee_in(cast.program, name) for name in ("Ann", "Ben", "Cat", "Dan")]
    lapsed_pending = ask(mentees[0], cast.mentor_participant)
    fresh = ask(mentees[1], cast.mentor_participant)
    declined = ask(mentees[2], cast.mentor_participant)
    match_request_decline(actor=cast.mentor, request_id=declined.pk)
    need_approval(cast.program)
    lapsed_awaiting = ask(mentees[3], cast.mentor_participant)
    _lapse(lapsed_pending, lapsed_awaiting, declined)
    # when
    expired = match_request_expire_lapsed()
    again = match_request_expire_lapsed()
    # then
    assert (expired, again) == (2, 0)
    assert statuses() == [
        (lapsed_pending.pk, S.EXPIRED),
        (fresh.pk, S.PENDING),
        (declined.pk, S.DECLINED),
        (lapsed_awaiting.pk, S.EXPIRED),
    ]


def test_the_command_expires_and_says_how_many(cast):
    # given
    _lapse(ask(cast.mentee_participant, cast.mentor_participant))
    out = io.StringIO()
    # when
    call_command("expire_match_requests", stdout=out)
    # then
    assert out.getvalue() == "Expired 1 match request.\n"
    assert [row.status for row in MatchRequest.objects.all()] == [S.EXPIRED]


def test_the_command_can_enqueue_the_task(cast):
    # given (tests run tasks inline)
    _lapse(ask(cast.mentee_participant, cast.mentor_participant))
    out = io.StringIO()
    # when
    call_command("expire_match_requests", "--enqueue", stdout=out)
    # then
    assert out.getvalue().startswith("Enqueued the expiry task (")
    assert [row.status for row in MatchRequest.objects.all()] == [S.EXPIRED]


def test_the_task_returns_how_many_it_expired(cast):
    # given
    _lapse(ask(cast.mentee_participant, cast.mentor_participant))
    # when
    result = match_requests_expire_task.enqueue()
    # then
    assert result.return_value == 1
    assert [row.status for row in MatchRequest.objects.all()] == [S.EXPIRED]
