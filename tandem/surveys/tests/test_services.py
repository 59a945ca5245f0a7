"""Defining, versioning, defaults and answering surveys."""

from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES, PAIR_ACTOR_NAMES
from tandem.core.encryption import decrypt_text
from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tandem.notifications.models import Notification
from tandem.participants.models import Participant
from tandem.relationships.models import Relationship
from tandem.surveys.definition import definition_validate
from tandem.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyVersion,
    Trigger,
)
from tandem.surveys.services import (
    SurveyChange,
    response_submit,
    survey_create,
    survey_update,
    surveys_add_defaults,
)
from tandem.surveys.templates_data import SHIPPED
from tandem.surveys.tests.factories import defaults_of, invite, simple_definition


def _state() -> tuple:
    return (
        list(Survey.objects.values_list("pk", "title", "is_active", "offset_days")),
        list(SurveyVersion.objects.values_list("pk", "number", "definition")),
        list(SurveyInvitation.objects.values_list("pk", "version_id")),
        list(SurveyResponse.objects.values_list("pk")),
        list(SurveyAnswer.objects.values_list("pk")),
        list(Notification.objects.values_list("pk")),
    )


def test_every_shipped_definition_is_valid():
    for shipped in SHIPPED:
        assert definition_validate(shipped.definition) == {
            "intro": shipped.definition["intro"],
            "questions": shipped.definition["questions"],
        }


def test_defaults_are_added_once_per_programme(cast):
    # when: added twice
    first = surveys_add_defaults(program_ids=[cast.program.pk])
    second = surveys_add_defaults(program_ids=[cast.program.pk])
    # then
    assert (first, second) == (len(SHIPPED), 0)
    surveys = Survey.objects.filter(program=cast.program).order_by("id")
    assert [s.template_key for s in surveys] == [s.template_key for s in SHIPPED]
    assert [
        (v.survey.template_key, v.number, v.definition)
        for v in SurveyVersion.objects.order_by("survey_id")
    ] == [(s.template_key, 1, s.definition) for s in SHIPPED]


@pytest.mark.parametrize("name", [n for n in ACTOR_NAMES if n != "anonymous"])
def test_only_managers_and_admins_create_surveys(cast, name):
    # given
    actor = cast.by_name(name)
    before = _state()
    # when
    call = lambda: survey_create(  # noqa: E731
        actor=actor,
        program_id=cast.program.pk,
        title="Our own",
        trigger=Trigger.AFTER_MATCH,
        offset_days=10,
        definition=simple_definition(),
    )
    # then
    if name in ("manager", "admin"):
        survey = call()
        assert (survey.title, survey.kind, survey.offset_days) == ("Our own", "custom", 10)
        assert list(survey.versions.values_list("number", "definition")) == [
            (1, definition_validate(simple_definition()))
        ]
    else:
        with pytest.raises(NotFound if name == "outsider" else Forbidden):
            call()
        assert _state() == before


def test_an_invalid_survey_names_each_field_and_stores_nothing(cast):
    before = _state()
    with pytest.raises(InvalidInput) as raised:
        survey_create(
            actor=cast.manager,
            program_id=cast.program.pk,
            title=" ",
            trigger=Trigger.HALFWAY,
            repeat_days=10,
            definition={"questions": []},
        )
    assert [e.field for e in raised.value.errors] == ["title"]
    with pytest.raises(InvalidInput) as raised:
        survey_create(
            actor=cast.manager,
            program_id=cast.program.pk,
            title="Fine",
            trigger=Trigger.HALFWAY,
            repeat_days=10,
            definition={"questions": []},
        )
    assert [e.field for e in raised.value.errors] == ["repeat_days"]
    assert _state() == before


def test_editing_an_unanswered_survey_changes_its_version_in_place(pair):
    # given: a survey with an invitation nobody answered
    cast = pair.cast
    survey = defaults_of(cast.program.pk)["pulse"]
    invitation = invite(survey, pair.relationship, pair.mentee)
    # when
    survey_update(
        actor=cast.manager, survey_id=survey.pk, change=SurveyChange(definition=simple_definition())
    )
    # then
    assert list(survey.versions.values_list("number", "definition")) == [
        (1, definition_validate(simple_definition()))
    ]
    invitation.refresh_from_db()
    assert invitation.version.number == 1


def test_editing_an_answered_survey_makes_a_new_version_and_answers_keep_theirs(pair):
    # given: the mentee answered; the mentor has not
    cast = pair.cast
    survey = defaults_of(cast.program.pk)["pairing_fit"]
    original = survey.versions.get().definition
    answered = invite(survey, pair.relationship, pair.mentee)
    waiting = invite(survey, pair.relationship, pair.mentor)
    response = response_submit(
        actor=pair.mentee,
        invitation_id=answered.pk,
        answers={"fit": "good_fit", "first_meeting": 4},
    )
    # when
    survey_update(
        actor=cast.manager, survey_id=survey.pk, change=SurveyChange(definition=simple_definition())
    )
    # then: version 1 is as it was, version 2 is new
    assert list(survey.versions.order_by("number").values_list("number", "definition")) == [
        (1, original),
        (2, definition_validate(simple_definition())),
    ]
    response.refresh_from_db()
    answered.refresh_from_db()
    waiting.refresh_from_db()
    assert (response.version.number, answered.version.number, waiting.version.number) == (1, 1, 2)
    # and editing again (no answers on version 2) changes version 2 only
    survey_update(
        actor=cast.manager,
        survey_id=survey.pk,
        change=SurveyChange(definition=simple_definition(intro="Again")),
    )
    assert list(survey.versions.order_by("number").values_list("number", "definition")) == [
        (1, original),
        (2, definition_validate(simple_definition(intro="Again"))),
    ]


@pytest.mark.parametrize("name", [n for n in PAIR_ACTOR_NAMES if n != "anonymous"])
def test_only_the_invited_person_answers(pair, name):
    # given: an invitation for the mentee
    survey = defaults_of(pair.cast.program.pk)["pairing_fit"]
    invitation = invite(survey, pair.relationship, pair.mentee)
    actor = pair.by_name(name)
    before = _state()
    answers = {"fit": "good_fit", "first_meeting": 5}
    # when / then
    if name == "mentee":
        response = response_submit(actor=actor, invitation_id=invitation.pk, answers=answers)
        assert sorted(response.answers.values_list("question_key", "number", "choices")) == [
            ("first_meeting", 5, []),
            ("fit", None, ["good_fit"]),
        ]
    else:
        with pytest.raises(NotFound):
            response_submit(actor=actor, invitation_id=invitation.pk, answers=answers)
        assert _state() == before


def test_a_second_answer_is_a_conflict_and_changes_nothing(pair):
    survey = defaults_of(pair.cast.program.pk)["pairing_fit"]
    invitation = invite(survey, pair.relationship, pair.mentee)
    response_submit(
        actor=pair.mentee,
        invitation_id=invitation.pk,
        answers={"fit": "good_fit", "first_meeting": 5},
    )
    before = _state()
    with pytest.raises(Conflict):
        response_submit(
            actor=pair.mentee,
            invitation_id=invitation.pk,
            answers={"fit": "still_deciding", "first_meeting": 1},
        )
    assert _state() == before


ALL_TYPES = {
    "intro": "",
    "questions": [
        {"key": "r", "type": "rating", "text": "R"},
        {"key": "n", "type": "nps", "text": "N"},
        {"key": "s", "type": "single_choice", "text": "S", "choices": ["a", "b"]},
        {"key": "m", "type": "multiple_choice", "text": "M", "choices": ["a", "b", "c"]},
        {"key": "t", "type": "text", "text": "T"},
        {"key": "f", "type": "pairing_fit", "text": "F"},
    ],
}
VALID = {
    "r": st.integers(1, 5),
    "n": st.integers(0, 10),
    "s": st.sampled_from(["a", "b"]),
    "m": st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, unique=True),
    "t": st.text(min_size=1, max_size=50).filter(lambda text: text.strip() != ""),
    "f": st.sampled_from(["good_fit", "still_deciding", "not_a_good_fit"]),
}
INVALID = {
    "r": st.one_of(
        st.integers().filter(lambda n: not 1 <= n <= 5), st.just(True), st.just("3"), st.floats()
    ),
    "n": st.one_of(st.integers().filter(lambda n: not 0 <= n <= 10), st.just(2.5), st.just(False)),
    "s": st.one_of(st.text().filter(lambda t: t not in ("a", "b", "")), st.just(["a"])),
    "m": st.one_of(st.just(["a", "a"]), st.just(["z"]), st.just("a"), st.just([1])),
    "t": st.one_of(st.integers(), st.just("x" * 2001), st.just(["text"])),
    "f": st.one_of(st.just("good fit"), st.just("maybe"), st.just(1)),
}


@settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(data=st.data())
def test_answers_are_checked_per_question_type(pair, data):
    # given: a survey asking every type, and one answer per question, one of them broken
    survey = survey_create(
        actor=pair.cast.manager,
        program_id=pair.cast.program.pk,
        title="All types",
        trigger=Trigger.HALFWAY,
        definition=ALL_TYPES,
    )
    invitation = invite(survey, pair.relationship, pair.mentor)
    answers: dict[str, Any] = {key: data.draw(strategy) for key, strategy in VALID.items()}
    broken = data.draw(st.sampled_from(sorted(INVALID)))
    answers[broken] = data.draw(INVALID[broken])
    before = _state()
    # when
    with pytest.raises(InvalidInput) as raised:
        response_submit(actor=pair.mentor, invitation_id=invitation.pk, answers=answers)
    # then: the error names that question only, and nothing was stored
    assert [error.field for error in raised.value.errors] == [f"answers.{broken}"]
    assert _state() == before
    # and the valid answers alone are stored exactly
    answers[broken] = data.draw(VALID[broken])
    if broken == "f" and answers["f"] == "not_a_good_fit":
        answers["f"] = "good_fit"
    response = response_submit(actor=pair.mentor, invitation_id=invitation.pk, answers=answers)
    stored = {a.question_key: a for a in response.answers.all()}
    assert stored["r"].number == answers["r"]
    assert stored["n"].number == answers["n"]
    assert stored["s"].choices == [answers["s"]]
    assert stored["m"].choices == [c for c in ["a", "b", "c"] if c in answers["m"]]
    assert stored["t"].text == answers["t"].strip()
    assert stored["f"].choices == [answers["f"]]


def test_missing_required_and_unknown_answers_are_named(pair):
    survey = defaults_of(pair.cast.program.pk)["pairing_fit"]
    invitation = invite(survey, pair.relationship, pair.mentee)
    with pytest.raises(InvalidInput) as raised:
        response_submit(
            actor=pair.mentee, invitation_id=invitation.pk, answers={"extra": 1, "help": ""}
        )
    assert sorted(e.field for e in raised.value.errors) == [
        "answers.extra",
        "answers.first_meeting",
        "answers.fit",
    ]


def test_not_a_good_fit_tells_the_programme_managers_with_the_rematch_link(pair):
    # given
    cast = pair.cast
    survey = defaults_of(cast.program.pk)["pairing_fit"]
    invitation = invite(survey, pair.relationship, pair.mentee)
    earlier = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # when
    response_submit(
        actor=pair.mentee,
        invitation_id=invitation.pk,
        answers={"fit": "not_a_good_fit", "first_meeting": 2},
    )
    # then: the manager (only) is told, with the relationship's status page
    told = list(
        Notification.objects.filter(pk__gt=earlier).values_list("user_id", "category", "url")
    )
    assert told == [
        (
            cast.manager.pk,
            "relationship",
            f"/relationships/{pair.relationship.pk}/status/?action=end",
        )
    ]


@pytest.mark.parametrize("fit", ["good_fit", "still_deciding"])
def test_other_fit_answers_tell_nobody(pair, fit):
    survey = defaults_of(pair.cast.program.pk)["pairing_fit"]
    invitation = invite(survey, pair.relationship, pair.mentee)
    before = Notification.objects.count()
    response_submit(
        actor=pair.mentee, invitation_id=invitation.pk, answers={"fit": fit, "first_meeting": 2}
    )
    assert Notification.objects.count() == before


def test_free_text_answers_are_ciphertext_in_the_database(pair):
    # given
    survey = defaults_of(pair.cast.program.pk)["pairing_fit"]
    invitation = invite(survey, pair.relationship, pair.mentee)
    response_submit(
        actor=pair.mentee,
        invitation_id=invitation.pk,
        answers={"fit": "good_fit", "first_meeting": 4, "help": "Meet on Fridays"},
    )
    # then: the column holds a token that decrypts to the answer, never the words
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM surveys_surveyanswer WHERE question_key = 'help'")
        (raw,) = cursor.fetchone()
    assert "Fridays" not in raw
    assert decrypt_text(raw) == "Meet on Fridays"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.text(max_size=20),
    breaker=st.sampled_from(["\n", "\r", "\r\n", "\x00", "\x1b", "\u2028", "\u2029", "\x85"]),
    after=st.text(max_size=20),
)
def test_a_title_of_more_than_one_line_is_refused_on_create_and_edit(cast, before, breaker, after):
    # given a title with a line break or control character anywhere in it
    title = f"Pulse {before}{breaker}{after} check"
    survey = defaults_of(cast.program.pk)["pulse"]
    state = _state()
    # when created or edited with it (the HTML editor posts the title straight to the service)
    for call in (
        lambda: survey_create(
            actor=cast.manager,
            program_id=cast.program.pk,
            title=title,
            trigger=Trigger.HALFWAY,
            definition=simple_definition(),
        ),
        lambda: survey_update(
            actor=cast.manager, survey_id=survey.pk, change=SurveyChange(title=title)
        ),
    ):
        with pytest.raises(InvalidInput) as raised:
            call()
        # then the title is named, and nothing changed
        assert [e.field for e in raised.value.errors] == ["title"]
    assert _state() == state
    survey.refresh_from_db()
    assert survey.title != title


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_the_managers_link_leads_to_ending_the_pair_and_a_new_match(pair, client, who):
    # given someone of the pair answered "not a good fit"
    cast = pair.cast
    survey = defaults_of(cast.program.pk)["pairing_fit"]
    person = getattr(pair, who)
    invitation = invite(survey, pair.relationship, person)
    response_submit(
        actor=person,
        invitation_id=invitation.pk,
        answers={"fit": "not_a_good_fit", "first_meeting": 2},
    )
    url = Notification.objects.get(user=cast.manager, category="relationship").url
    client.force_login(cast.manager)
    # when the manager follows the link
    page = client.get(url)
    # then it is the pair's lifecycle page with the ending form chosen and the rematch offered
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["chosen"] == "end"
    assert 'data-testid="transition-end"' in html
    assert 'name="find_new_match"' in html
    # and ending there with a new match returns the mentee to matching
    ended = client.post(url, {"action": "end", "reason": "Not a good fit.", "find_new_match": "on"})
    assert ended.status_code == 302
    relationship = Relationship.objects.get(pk=pair.relationship.pk)
    assert (relationship.status, relationship.wants_new_match) == ("ended", True)
    mentee = Participant.objects.get(pk=cast.mentee_participant.pk)
    assert mentee.matched_count == 0
