"""The managers' survey editor: a survey from scratch and its questions and timing edited on
one page (htmx or plain posts), every refusal on its field, nothing stored on a refusal."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ACTOR_NAMES
from tandem.surveys.models import Survey, SurveyVersion, Trigger
from tandem.surveys.services import response_submit, survey_create
from tandem.surveys.tests.factories import invite

DB = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MANAGERS = ("manager", "admin")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _post_data(questions, **survey):
    data = {
        "title": "Check-in",
        "audience": "both",
        "trigger": "after_match",
        "offset_days": "30",
        "repeat_days": "",
        "intro": "",
        "is_active": "on",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "30",
    }
    data.update(survey)
    for index, question in enumerate(questions):
        for name, value in question.items():
            if name == "required":
                if value:
                    data[f"questions-{index}-required"] = "on"
            else:
                data[f"questions-{index}-{name}"] = value
    return data


RATING = {"text": "How useful was it?", "type": "rating", "required": True}
CHOICE = {
    "text": "What did you talk about?",
    "type": "multiple_choice",
    "required": False,
    "choices": "Career\nSkills\n\n  Wellbeing  ",
}
FIT = {"text": "Is it a good fit?", "type": "pairing_fit", "required": True}


def _login(client, user):
    if user is not None:
        client.force_login(user)


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_only_the_programmes_managers_open_and_use_the_editor(cast, client, name):
    # given
    _login(client, cast.by_name(name))
    url = reverse("surveys:create", args=[cast.program.pk])
    # when
    got = client.get(url)
    posted = client.post(url, _post_data([RATING]))
    # then
    expected = {"anonymous": 302, "outsider": 404}.get(name, 403)
    if name in MANAGERS:
        assert (got.status_code, posted.status_code) == (200, 302)
        assert Survey.objects.count() == 1
    else:
        assert (got.status_code, posted.status_code) == (expected, expected)
        assert Survey.objects.count() == 0


@pytest.mark.parametrize(
    ("trigger", "offset", "repeat"),
    [
        (Trigger.FIRST_MEETING, 2, None),
        (Trigger.AFTER_MATCH, 30, None),
        (Trigger.AFTER_MATCH, 14, 28),
        (Trigger.HALFWAY, 0, None),
        (Trigger.END, 7, None),
    ],
)
def test_a_survey_from_scratch_with_each_timing(cast, client, trigger, offset, repeat):
    # given
    client.force_login(cast.manager)
    data = _post_data(
        [RATING, CHOICE, FIT],
        trigger=trigger,
        offset_days=str(offset),
        repeat_days="" if repeat is None else str(repeat),
        audience="mentee",
        intro="Two minutes.",
    )
    # when
    response = client.post(reverse("surveys:create", args=[cast.program.pk]), data)
    # then
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey", args=[survey.pk])
    assert (survey.title, survey.trigger, survey.offset_days, survey.repeat_days) == (
        "Check-in",
        trigger,
        offset,
        repeat,
    )
    assert (survey.audience, survey.kind, survey.is_active) == ("mentee", "custom", True)
    assert SurveyVersion.objects.get(survey=survey).definition == {
        "intro": "Two minutes.",
        "questions": [
            {"key": "how_useful_was_it", "type": "rating", "text": "How useful was it?",
             "required": True},
            {"key": "what_did_you_talk_about", "type": "multiple_choice",
             "text": "What did you talk about?", "required": False,
             "choices": ["Career", "Skills", "Wellbeing"]},
            {"key": "is_it_a_good_fit", "type": "pairing_fit", "text": "Is it a good fit?",
             "required": True},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "questions", "field", "row"),
    [
        ({"title": ""}, [RATING], "title", None),
        ({"title": "Two\nlines"}, [RATING], "title", None),
        ({"trigger": "halfway", "repeat_days": "7"}, [RATING], "repeat_days", None),
        ({"offset_days": "9999"}, [RATING], "offset_days", None),
        ({"trigger": "sometime"}, [RATING], "trigger", None),
        ({}, [RATING, {**CHOICE, "choices": "Only one"}], "choices", 1),
        ({}, [RATING, {**RATING, "text": ""}], "text", 1),
        ({}, [{**RATING, "type": "essay"}], "type", 0),
    ],
)
def test_each_refusal_is_shown_on_its_field_and_nothing_is_stored(
    cast, client, changes, questions, field, row
):
    # given
    client.force_login(cast.manager)
    # when
    response = client.post(
        reverse("surveys:create", args=[cast.program.pk]), _post_data(questions, **changes)
    )
    # then
    assert response.status_code == 400
    if row is None:
        assert list(response.context["form"].errors) == [field]
    else:
        errors = [form.errors for form in response.context["formset"].forms]
        assert [list(found) for found in errors] == [
            [field] if index == row else [] for index in range(len(questions))
        ]
    assert 'data-testid="editor-errors"' in response.content.decode()
    assert Survey.objects.count() == 0


def test_a_survey_without_questions_is_refused_with_a_message(cast, client):
    client.force_login(cast.manager)
    response = client.post(reverse("surveys:create", args=[cast.program.pk]), _post_data([]))
    assert response.status_code == 400
    assert response.context["general_errors"]
    assert Survey.objects.count() == 0


actions = st.lists(
    st.one_of(
        st.just(("add_question", "1")),
        st.tuples(
            st.sampled_from(["move_up", "move_down", "remove_question"]),
            st.integers(-1, 6).map(str),
        ),
    ),
    max_size=10,
)


@DB
@given(steps=actions)
def test_adding_moving_and_removing_questions_keeps_the_others_as_typed(cast, client, steps):
    # given three typed questions
    client.force_login(cast.manager)
    url = reverse("surveys:create", args=[cast.program.pk])
    model = [dict(RATING, text=f"Question {n}", choices="") for n in range(3)]
    for step, value in steps:
        # when a button is pressed, with htmx
        response = client.post(url, {**_post_data(model), step: value}, **HTMX)
        # then the editor comes back (200, the fragment alone) with the rows rearranged
        assert response.status_code == 200
        assert response.templates[0].name == "surveys/_editor.html"
        # (the form element alone: an outerHTML swap of it leaves nothing else behind)
        fragment = response.content.decode().strip()
        assert fragment.startswith('<form id="survey-editor"')
        assert fragment.endswith("</form>")
        assert fragment.count("<form") == 1
        index = int(value)
        if step == "add_question":
            model.append({"key": "", "text": "", "type": "rating", "required": True, "choices": ""})
        elif 0 <= index < len(model):
            if step == "remove_question":
                model.pop(index)
            else:
                other = index + (1 if step == "move_down" else -1)
                if 0 <= other < len(model):
                    model[index], model[other] = model[other], model[index]
        shown = [form.initial for form in response.context["formset"].forms]
        assert [row["text"] for row in shown] == [row["text"] for row in model]
        model = [{**row, "key": row.get("key", "")} for row in shown]
    assert Survey.objects.count() == 0


def test_with_htmx_a_refusal_stays_in_place_and_a_save_redirects(cast, client):
    client.force_login(cast.manager)
    url = reverse("surveys:create", args=[cast.program.pk])
    refused = client.post(url, _post_data([RATING], title=""), **HTMX)
    assert refused.status_code == 200
    assert 'data-testid="editor-errors"' in refused.content.decode()
    saved = client.post(url, _post_data([RATING]), **HTMX)
    survey = Survey.objects.get()
    assert saved.status_code == 204
    assert saved["HX-Redirect"] == reverse("surveys:survey", args=[survey.pk])


def _survey(cast):
    return survey_create(
        actor=cast.manager,
        program_id=cast.program.pk,
        title="Pulse",
        trigger=Trigger.AFTER_MATCH,
        offset_days=30,
        repeat_days=30,
        definition={
            "intro": "",
            "questions": [
                {"key": "progress", "type": "rating", "text": "Progress?", "required": True},
                {"key": "fit", "type": "pairing_fit", "text": "Fit?", "required": True},
            ],
        },
    )


def test_the_edit_page_shows_the_survey_as_stored(cast, client, django_assert_max_num_queries):
    survey = _survey(cast)
    client.force_login(cast.manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("surveys:edit", args=[survey.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["repeat_days"] == 30
    assert [form.initial["key"] for form in response.context["formset"].forms] == [
        "progress",
        "fit",
    ]


def test_editing_keeps_question_keys_changes_the_timing_and_versions_once_answered(pair, client):
    # given a survey someone answered
    cast = pair.cast
    survey = _survey(cast)
    invitation = invite(survey, pair.relationship, pair.mentee)
    response_submit(
        actor=pair.mentee, invitation_id=invitation.pk, answers={"progress": 4, "fit": "good_fit"}
    )
    client.force_login(cast.manager)
    questions = [
        {"key": "fit", "text": "Fit?", "type": "pairing_fit", "required": True},
        {"key": "progress", "text": "How far have you come?", "type": "rating", "required": True},
        {"text": "Anything else?", "type": "text", "required": False},
    ]
    # when the questions are reordered and reworded, one added, and the timing changed
    response = client.post(
        reverse("surveys:edit", args=[survey.pk]),
        _post_data(questions, title="Pulse", trigger="halfway", offset_days="3", repeat_days=""),
    )
    # then
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.trigger, survey.offset_days, survey.repeat_days) == ("halfway", 3, None)
    versions = list(SurveyVersion.objects.filter(survey=survey).order_by("number"))
    assert [version.number for version in versions] == [1, 2]
    assert [q["key"] for q in versions[0].definition["questions"]] == ["progress", "fit"]
    assert [q["key"] for q in versions[1].definition["questions"]] == [
        "fit",
        "progress",
        "anything_else",
    ]


@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_only_the_programmes_managers_edit(cast, client, name):
    survey = _survey(cast)
    _login(client, cast.by_name(name))
    url = reverse("surveys:edit", args=[survey.pk])
    got = client.get(url)
    posted = client.post(url, _post_data([RATING], title="Changed"))
    survey.refresh_from_db()
    if name in MANAGERS:
        assert (got.status_code, posted.status_code, survey.title) == (200, 302, "Changed")
    else:
        expected = {"anonymous": 302, "outsider": 404}.get(name, 403)
        assert (got.status_code, posted.status_code, survey.title) == (expected, expected, "Pulse")
