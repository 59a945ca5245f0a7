"""The managers' survey editor as forms: the survey's title, audience and timing, and its
questions as a formset (one row per question, in order). The forms only read what was posted;
the rules are the services' (`survey_create`, `survey_update`, `definition_validate`), whose
errors come back onto these fields (`place_errors`)."""

import re
from typing import Any

from django import forms

from tandem.core.errors import DomainError
from tandem.core.forms import SingleLineField, apply_bootstrap
from tandem.surveys.definition import KEY_PATTERN, PAIRING_FIT_CHOICES, TEXT_MAX
from tandem.surveys.models import SurveyAudience, Trigger

QUESTION_TYPES = [
    ("rating", "Rating, 1 to 5"),
    ("nps", "Likely to recommend, 0 to 10"),
    ("single_choice", "One of several choices"),
    ("multiple_choice", "Any of several choices"),
    ("text", f"Free text (up to {TEXT_MAX} characters)"),
    ("pairing_fit", "Pairing fit (" + " / ".join(PAIRING_FIT_CHOICES.values()) + ")"),
]
CHOICE_TYPES = ("single_choice", "multiple_choice")
_KEY = re.compile(KEY_PATTERN)
_TIMING_FIELDS = ("trigger", "audience", "offset_days", "repeat_days", "title", "is_active")


class SurveyForm(forms.Form):
    title = SingleLineField(max_length=120)
    audience = forms.ChoiceField(
        choices=SurveyAudience.choices, label="Who answers", initial=SurveyAudience.BOTH
    )
    trigger = forms.ChoiceField(
        choices=Trigger.choices,
        widget=forms.RadioSelect,
        label="When it is sent, for each pair",
        initial=Trigger.FIRST_MEETING,
    )
    offset_days = forms.IntegerField(
        min_value=0,
        initial=0,
        label="Days after that moment",
        help_text="0 sends it at the moment itself; 30 with “Days after the match” sends it on "
        "day 30.",
    )
    repeat_days = forms.IntegerField(
        min_value=1,
        required=False,
        label="Then again every … days (optional)",
        help_text="Only for “Days after the match”: leave empty to send it once.",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Sending")
    intro = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Introduction (optional)",
        help_text="Shown above the questions.",
    )


class QuestionForm(forms.Form):
    # The key answers are stored (and results compared across versions) under: kept for an
    # existing question, made from the text for a new one.
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(max_length=300, label="Question")
    type = forms.ChoiceField(choices=QUESTION_TYPES, label="Answer")
    required = forms.BooleanField(required=False, initial=True, label="An answer is required")
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Choices, one per line",
        help_text="For choice questions only.",
    )


QuestionFormSet = forms.formset_factory(QuestionForm, extra=0, max_num=30, absolute_max=60)


def _key_from(text: str, taken: set[str]) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:32] or "question"
    if not stem[0].isalpha():
        stem = f"q_{stem}"[:32]
    key, number = stem, 2
    while key in taken:
        key, number = f"{stem}_{number}", number + 1
    return key


def definition_from(survey_form: SurveyForm, formset: Any) -> dict[str, Any]:
    """The definition the forms describe, for `definition_validate` (through the services) to
    judge: each question's key kept, or made from its text for a new one."""
    rows = [form.cleaned_data for form in formset.forms if form.cleaned_data]
    taken = {row["key"] for row in rows if row.get("key") and _KEY.match(row["key"])}
    questions = []
    for row in rows:
        key = row.get("key") or ""
        if not _KEY.match(key):
            key = _key_from(row["text"], taken)
            taken.add(key)
        question: dict[str, Any] = {
            "key": key,
            "type": row["type"],
            "text": row["text"].strip(),
            "required": bool(row.get("required")),
        }
        if row["type"] in CHOICE_TYPES:
            question["choices"] = [
                line.strip() for line in (row.get("choices") or "").splitlines() if line.strip()
            ]
        questions.append(question)
    return {"intro": survey_form.cleaned_data.get("intro") or "", "questions": questions}


def question_rows(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """A stored definition as the formset's initial rows."""
    return [
        {
            "key": question["key"],
            "text": question["text"],
            "type": question["type"],
            "required": question.get("required", True),
            "choices": "\n".join(question.get("choices", [])),
        }
        for question in definition.get("questions", [])
    ]


def place_errors(
    error: DomainError, survey_form: SurveyForm, formset: Any, general: list[str]
) -> None:
    """The service's refusal on the fields it names: the survey's own fields, a question's
    field (`definition.questions.2.choices`), the introduction; the rest in `general`."""
    for field_error in error.errors:
        path = field_error.field.split(".")
        if path[0] in _TIMING_FIELDS:
            survey_form.add_error(path[0], field_error.message)
        elif path[:2] == ["definition", "intro"]:
            survey_form.add_error("intro", field_error.message)
        elif path[:2] == ["definition", "questions"] and len(path) >= 3 and path[2].isdigit():
            index = int(path[2])
            name = path[3] if len(path) > 3 else None
            if index < len(formset.forms):
                form = formset.forms[index]
                visible = name in form.fields and name != "key"
                form.add_error(name if visible else None, field_error.message)
            else:
                general.append(field_error.message)
        else:
            general.append(field_error.message)
    if not error.errors:
        general.append(error.detail)
    apply_bootstrap(survey_form)
    for form in formset.forms:
        apply_bootstrap(form)
