"""HTML forms for programmes and their enrolment questions.

They only parse what people type; the rules live in `tandem.programs.services`, whose errors
are shown on these fields (the field names are the services' argument names).
"""

from typing import Any

from django import forms

from tandem.core.forms import DateInput, SingleLineField
from tandem.programs.models import (
    DEFAULT_PROGRAM_COLOUR,
    MeetingCadence,
    Program,
    ProgramAccess,
    ProgramFormat,
    ProgramPurpose,
    QuestionAudience,
    QuestionKind,
)
from tandem.programs.services import PROGRAM_SETTING_FIELDS, PURPOSE_DEFAULTS


def _purpose_defaults_help() -> str:
    parts = [
        f"{ProgramPurpose(purpose).label}: {MeetingCadence(values['cadence']).label.lower()}, "
        f"{values['duration_months']} months"
        for purpose, values in PURPOSE_DEFAULTS.items()
    ]
    return "Usual for each purpose — " + "; ".join(parts) + "."


class ProgramForm(forms.Form):
    name = SingleLineField(max_length=200)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the programme is for and what people can expect.",
    )
    purpose = forms.ChoiceField(choices=ProgramPurpose.choices)
    format = forms.ChoiceField(choices=ProgramFormat.choices)
    access = forms.ChoiceField(choices=ProgramAccess.choices, label="Who may join")
    # Checked by the service (a hex colour): a colour picker always sends one; without one
    # the programme keeps its colour (or gets the default).
    colour = forms.CharField(
        required=False,
        initial=DEFAULT_PROGRAM_COLOUR,
        widget=forms.TextInput(attrs={"type": "color", "class": "form-control form-control-color"}),
        label="Colour",
        help_text="The programme's accent on its page and in the emails it sends.",
    )
    is_ongoing = forms.BooleanField(
        required=False,
        label="Ongoing programme (no cohort dates)",
        help_text=(
            "An ongoing programme runs until it is archived; a cohort has start and end dates."
        ),
    )
    starts_on = forms.DateField(required=False, widget=DateInput(), label="Cohort starts on")
    ends_on = forms.DateField(required=False, widget=DateInput(), label="Cohort ends on")
    enrollment_opens_on = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Enrolment opens on",
        help_text="Leave empty to open as soon as the programme is published.",
    )
    enrollment_closes_on = forms.DateField(
        required=False,
        widget=DateInput(),
        label="Enrolment closes on",
        help_text="Leave empty to keep enrolment open.",
    )
    duration_months = forms.IntegerField(
        required=False, label="Expected duration (months)", help_text=_purpose_defaults_help()
    )
    cadence = forms.ChoiceField(
        required=False,
        choices=[("", "Usual for the purpose"), *MeetingCadence.choices],
        label="Meeting cadence",
    )
    default_mentor_capacity = forms.IntegerField(
        initial=1,
        label="Default mentor capacity",
        help_text="How many mentees a mentor takes unless they say otherwise.",
    )
    max_circle_size = forms.IntegerField(
        initial=5,
        label="Maximum circle size",
        help_text="Group circles only: at most this many mentees with one mentor.",
    )
    manager_ids = forms.TypedMultipleChoiceField(
        required=False,
        coerce=int,
        label="Programme managers",
        widget=forms.CheckboxSelectMultiple,
    )

    eligible_group_ids = forms.TypedMultipleChoiceField(
        required=False,
        coerce=int,
        label="Who may enrol",
        help_text="Members of any of the directory groups ticked (your identity provider sends "
        "them). None ticked: everyone in the organisation. An invitation lets anyone in.",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        manager_choices: list[tuple[int, str]],
        creating: bool,
        group_choices: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager_ids"].choices = manager_choices  # type: ignore[attr-defined]
        if group_choices:
            self.fields["eligible_group_ids"].choices = group_choices  # type: ignore[attr-defined]
        else:
            # No directory groups yet (no SCIM): nothing to choose, and nothing to change.
            del self.fields["eligible_group_ids"]
        if creating:
            self.fields["manager_ids"].label = "Other programme managers"
            self.fields["manager_ids"].help_text = "You become a manager of the programme."
        else:
            self.fields["duration_months"].help_text = ""
            self.fields["cadence"].choices = MeetingCadence.choices  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(program: Program) -> dict[str, Any]:
        initial: dict[str, Any] = {
            field: getattr(program, field) for field in PROGRAM_SETTING_FIELDS
        }
        initial["manager_ids"] = [manager.pk for manager in program.managers.all()]
        initial["eligible_group_ids"] = [group.pk for group in program.eligible_groups.all()]
        return initial

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("cadence"):
            data["cadence"] = None
        if not data.get("colour"):
            data.pop("colour", None)
        return data


class QuestionForm(forms.Form):
    prompt = SingleLineField(max_length=300, label="Question")
    help_text = forms.CharField(max_length=500, required=False, label="Help text")
    kind = forms.ChoiceField(
        choices=QuestionKind.choices, initial=QuestionKind.TEXT, label="Kind of answer"
    )
    audience = forms.ChoiceField(
        choices=QuestionAudience.choices, initial=QuestionAudience.BOTH, label="Asked of"
    )
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Options",
        help_text="Choice questions: one option per line, at least two.",
    )
    min_value = forms.IntegerField(
        required=False, label="Smallest number", help_text="Number questions only; optional."
    )
    max_value = forms.IntegerField(
        required=False, label="Largest number", help_text="Number questions only; optional."
    )
    is_required = forms.BooleanField(required=False, label="An answer is required")
    use_for_matching = forms.BooleanField(required=False, label="Use the answers for matching")

    def __init__(self, *args: Any, prefix_id: str = "new", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_q{prefix_id}_%s")
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_for(question: Any) -> dict[str, Any]:
        return {
            "prompt": question.prompt,
            "help_text": question.help_text,
            "kind": question.kind,
            "audience": question.audience,
            "choices": "\n".join(question.choices),
            "min_value": question.min_value,
            "max_value": question.max_value,
            "is_required": question.is_required,
            "use_for_matching": question.use_for_matching,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = [line for line in data.get("choices", "").splitlines() if line.strip()]
        if data["kind"] == QuestionKind.SCALE:
            # The scale is fixed at 1 to 5; the bounds boxes do not apply to it.
            data["min_value"] = data["max_value"] = None
        return data
