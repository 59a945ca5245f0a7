"""Every title and name a person types, on every way in (a page's form, the API's schema), is
one line: a line break there would make each later email about the thing fail to send."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from ninja import Schema
from pydantic import ValidationError

import tandem
from tandem.accounts.forms import ApiTokenForm, InvitationAcceptForm
from tandem.accounts.schemas import ApiTokenCreateIn
from tandem.actions.forms import ActionItemForm
from tandem.actions.schemas import ActionItemCreateIn, ActionItemUpdateIn
from tandem.assessments.forms import CompetencyForm
from tandem.assessments.schemas import CompetencyCreateIn, CompetencyUpdateIn
from tandem.core.forms import SingleLineField
from tandem.core.text import SINGLE_LINE_MESSAGE
from tandem.goals.forms import GoalForm, MilestoneForm
from tandem.goals.schemas import (
    GoalCreateIn,
    GoalSuggestIn,
    GoalUpdateIn,
    MilestoneCreateIn,
    MilestoneUpdateIn,
)
from tandem.journeys.forms import StageForm, StepForm
from tandem.journeys.schemas import StageCreateIn, StageUpdateIn, StepIn, StepUpdateIn
from tandem.meetings.forms import MeetingForm
from tandem.meetings.schemas import MeetingRescheduleIn, MeetingScheduleIn
from tandem.people.forms import ProfileForm, SkillForm, SkillRenameForm
from tandem.people.schemas import ProfileUpdateIn, SkillCreateIn, SkillUpdateIn
from tandem.programs.forms import ProgramForm, QuestionForm
from tandem.programs.schemas import (
    ProgramCreateIn,
    ProgramUpdateIn,
    QuestionCreateIn,
    QuestionUpdateIn,
)
from tandem.provisioning.forms import ScimTokenForm
from tandem.resources.schemas import ResourceUpdateIn, ResourceWriteIn
from tandem.resources.views import ResourceForm
from tandem.surveys.forms import SurveyForm
from tandem.surveys.schemas import SurveyCreateIn, SurveyUpdateIn

# Titles and names: they go into email subjects, ICS invitations, CSV cells and page titles.
SINGLE_LINE_NAMES = {
    "title",
    "name",
    "first_name",
    "last_name",
    "job_title",
    "department",
    "location",
    "category",
    "prompt",
}

FORM_FIELDS = [
    (InvitationAcceptForm, "first_name"),
    (InvitationAcceptForm, "last_name"),
    (ApiTokenForm, "name"),
    (ActionItemForm, "title"),
    (CompetencyForm, "name"),
    (GoalForm, "title"),
    (MilestoneForm, "title"),
    (StageForm, "title"),
    (StepForm, "title"),
    (MeetingForm, "title"),
    (MeetingForm, "location"),
    (ProfileForm, "job_title"),
    (ProfileForm, "department"),
    (ProfileForm, "location"),
    (SkillForm, "name"),
    (SkillForm, "category"),
    (SkillRenameForm, "name"),
    (ProgramForm, "name"),
    (QuestionForm, "prompt"),
    (ResourceForm, "title"),
    (SurveyForm, "title"),
    (ScimTokenForm, "name"),
]

SCHEMA_FIELDS = [
    (SurveyCreateIn, "title"),
    (SurveyUpdateIn, "title"),
    (ApiTokenCreateIn, "name"),
    (ActionItemCreateIn, "title"),
    (ActionItemUpdateIn, "title"),
    (CompetencyCreateIn, "name"),
    (CompetencyUpdateIn, "name"),
    (GoalCreateIn, "title"),
    (GoalSuggestIn, "title"),
    (GoalUpdateIn, "title"),
    (MilestoneCreateIn, "title"),
    (MilestoneUpdateIn, "title"),
    (StageCreateIn, "title"),
    (StageUpdateIn, "title"),
    (StepIn, "title"),
    (StepUpdateIn, "title"),
    (MeetingScheduleIn, "title"),
    (MeetingScheduleIn, "location"),
    (MeetingRescheduleIn, "title"),
    (MeetingRescheduleIn, "location"),
    (ProfileUpdateIn, "job_title"),
    (ProfileUpdateIn, "department"),
    (ProfileUpdateIn, "location"),
    (SkillCreateIn, "name"),
    (SkillCreateIn, "category"),
    (SkillUpdateIn, "name"),
    (SkillUpdateIn, "category"),
    (ProgramCreateIn, "name"),
    (ProgramUpdateIn, "name"),
    (QuestionCreateIn, "prompt"),
    (QuestionUpdateIn, "prompt"),
    (ResourceWriteIn, "title"),
    (ResourceUpdateIn, "title"),
]

BAD_VALUES = [
    "Weekly sync\r\nBcc: everyone@example.org",
    "Weekly\nsync",
    "Weekly\rsync",
    "Weekly\tsync",
    "Weekly\x0bsync",
    "Weekly\x1bsync",
    "Weekly\x7fsync",
    "Weekly\x85sync",
    "Weekly\u2028sync",
    "Weekly\u2029sync",
]


def _ids(pairs):
    return [f"{cls.__name__}.{field}" for cls, field in pairs]


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
@pytest.mark.parametrize(("form_class", "field"), FORM_FIELDS, ids=_ids(FORM_FIELDS))
def test_a_form_refuses_a_title_or_name_that_is_not_one_line(form_class, field, value):
    # given the field as the form declares it
    declared = form_class.base_fields[field]
    # when
    with pytest.raises(forms.ValidationError) as raised:
        declared.clean(value)
    # then
    assert raised.value.messages == [SINGLE_LINE_MESSAGE]
    # and one line is accepted as typed
    assert declared.clean("Weekly sync") == "Weekly sync"


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
@pytest.mark.parametrize(("schema", "field"), SCHEMA_FIELDS, ids=_ids(SCHEMA_FIELDS))
def test_the_api_refuses_a_title_or_name_that_is_not_one_line(schema, field, value):
    # when
    with pytest.raises(ValidationError) as raised:
        schema.model_validate({field: value})
    # then that field is refused as not one line (other missing fields may be named too)
    on_field = [error for error in raised.value.errors() if error["loc"] == (field,)]
    assert [(error["type"], error["msg"]) for error in on_field] == [
        ("single_line", SINGLE_LINE_MESSAGE)
    ]
    # and one line is not refused
    assert (field,) not in _error_locations(schema, {field: "Weekly sync"})


def _error_locations(schema, data) -> list[tuple]:
    try:
        schema.model_validate(data)
    except ValidationError as error:
        return [e["loc"] for e in error.errors()]
    return []


def _app_modules(name: str):
    for info in pkgutil.iter_modules(tandem.__path__):
        try:
            yield importlib.import_module(f"tandem.{info.name}.{name}")
        except ModuleNotFoundError:
            continue


def test_every_title_or_name_field_of_every_form_and_input_schema_is_in_the_matrix():
    # given every form (forms.py, and the one declared in resources' views) and every
    # request schema ("...In") of every app, but search filters (never stored nor sent)
    form_classes = {
        cls
        for module in [*_app_modules("forms"), *_app_modules("views")]
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
    }
    schemas = {
        cls
        for module in _app_modules("schemas")
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Schema)
        and cls.__name__.endswith("In")
        and not cls.__name__.endswith("FiltersIn")
        and cls.__module__ == module.__name__
    }
    # when
    text_form_fields = {
        (cls, name)
        for cls in form_classes
        for name, declared in cls.base_fields.items()
        if name in SINGLE_LINE_NAMES and isinstance(declared, forms.CharField)
    }
    text_schema_fields = {
        (cls, name)
        for cls in schemas
        for name, info in cls.model_fields.items()
        if name in SINGLE_LINE_NAMES and "str" in str(info.annotation)
    }
    # then none is missing from the matrices above, and each form field is the core one
    assert text_form_fields - set(FORM_FIELDS) == set()
    assert text_schema_fields - set(SCHEMA_FIELDS) == set()
    assert all(isinstance(cls.base_fields[name], SingleLineField) for cls, name in FORM_FIELDS)


# --- through the real requests: the API answers 422 on the field, the page shows it on the
# form, and nothing is written or sent -------------------------------------------------------

from tandem.actions.models import ActionItem  # noqa: E402
from tandem.goals.models import Goal  # noqa: E402
from tandem.meetings.models import Meeting  # noqa: E402
from tandem.meetings.tests.factories import schedule  # noqa: E402
from tandem.notifications.models import OutboxMessage  # noqa: E402
from tandem.programs.models import Program  # noqa: E402

CRLF_TITLE = "Weekly sync\r\nBcc: everyone@example.org"


def _written():
    return (
        list(Meeting.objects.values_list("pk", "title")),
        list(Goal.objects.values_list("pk", "title")),
        list(ActionItem.objects.values_list("pk", "title")),
        list(Program.objects.values_list("pk", "name")),
        OutboxMessage.objects.count(),
    )


def _api_request(pair, kind):
    relationship = pair.relationship.pk
    if kind == "meeting":
        return (
            pair.mentor,
            "post",
            f"relationships/{relationship}/meetings",
            {
                "title": CRLF_TITLE,
                "date": "2031-07-01",
                "time": "17:00",
                "timezone": "Europe/Paris",
                "duration_minutes": 30,
            },
        )
    if kind == "meeting-location":
        return (
            pair.mentor,
            "post",
            f"relationships/{relationship}/meetings",
            {
                "title": "Kick-off",
                "date": "2031-07-01",
                "time": "17:00",
                "timezone": "Europe/Paris",
                "duration_minutes": 30,
                "location": CRLF_TITLE,
            },
        )
    if kind == "goal":
        return (
            pair.mentee,
            "post",
            f"relationships/{relationship}/goals",
            {
                "title": CRLF_TITLE,
                "measure": "Two talks given",
                "target_on": "2031-01-01",
            },
        )
    if kind == "action":
        return (
            pair.mentor,
            "post",
            f"relationships/{relationship}/actions",
            {
                "title": CRLF_TITLE,
                "owner_id": pair.mentee.pk,
            },
        )
    return pair.cast.manager, "patch", f"programs/{pair.cast.program.pk}", {"name": CRLF_TITLE}


@pytest.mark.parametrize("kind", ["meeting", "meeting-location", "goal", "action", "programme"])
def test_the_api_answers_422_on_the_field_and_writes_nothing(pair, api_as, kind):
    # given
    actor, method, path, payload = _api_request(pair, kind)
    before = _written()
    # when
    response = getattr(api_as(actor), method)(path, payload)
    # then
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    field = (
        "location" if kind == "meeting-location" else ("name" if kind == "programme" else "title")
    )
    assert response.json()["errors"] == [{"field": field, "message": SINGLE_LINE_MESSAGE}]
    assert _written() == before


def _page_request(pair, kind):
    relationship = pair.relationship.pk
    if kind == "meeting":
        return (
            pair.mentor,
            f"/relationships/{relationship}/meetings/",
            {
                "title": CRLF_TITLE,
                "date": "2031-07-01",
                "time": "17:00",
                "timezone": "Europe/Paris",
                "duration_minutes": "30",
            },
        )
    if kind == "goal":
        return (
            pair.mentee,
            f"/relationships/{relationship}/goals/new/",
            {
                "new-title": CRLF_TITLE,
                "new-measure": "Two talks given",
                "new-target_on": "2031-01-01",
            },
        )
    return (
        pair.mentor,
        f"/relationships/{relationship}/actions/new/",
        {
            "title": CRLF_TITLE,
            "owner": str(pair.mentee.pk),
        },
    )


@pytest.mark.parametrize("kind", ["meeting", "goal", "action"])
def test_the_page_shows_the_error_on_the_field_and_writes_nothing(pair, client, kind):
    # given
    actor, path, data = _page_request(pair, kind)
    client.force_login(actor)
    before = _written()
    # when
    response = client.post(path, data)
    # then
    assert response.status_code in (200, 400)
    page = response.content.decode()
    prefix = "new-" if kind == "goal" else ""
    assert f'id="id_{prefix}title_error">{SINGLE_LINE_MESSAGE}</' in page
    assert _written() == before


def test_meeting_mode_refuses_a_multi_line_action_and_keeps_what_was_typed(pair, client):
    # given
    meeting = schedule(pair.relationship, pair.mentor)
    client.force_login(pair.mentee)
    before = _written()
    # when
    response = client.post(
        f"/relationships/{pair.relationship.pk}/meetings/{meeting.pk}/mode/actions/",
        {"title": CRLF_TITLE, "owner": "partner"},
        HTTP_HX_REQUEST="true",
    )
    # then
    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.content.decode()
    assert _written() == before
