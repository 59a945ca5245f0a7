"""HTML forms for enrolment and the manager's page. They only shape input; services decide."""

from typing import Any

from django import forms

from tandem.participants.models import ParticipantRole, ParticipantStatus
from tandem.programs.models import EnrollmentQuestion, Program, QuestionKind

ANSWER_PREFIX = "answers."


def _answer_field(
    question: EnrollmentQuestion, skill_choices: list[tuple[int, str]]
) -> forms.Field:
    """A form field for one question. Never required here: the service checks that."""
    options = [(str(choice), str(choice)) for choice in question.choices or []]
    common: dict[str, Any] = {
        "label": question.prompt,
        "help_text": question.help_text,
        "required": False,
    }
    field: forms.Field
    if question.kind == QuestionKind.SINGLE_CHOICE:
        field = forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    elif question.kind == QuestionKind.MULTIPLE_CHOICE:
        field = forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    elif question.kind == QuestionKind.SCALE:
        field = forms.TypedChoiceField(
            choices=[(n, str(n)) for n in range(1, 6)],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    elif question.kind == QuestionKind.NUMBER:
        attrs = {"inputmode": "numeric"}
        if question.min_value is not None:
            attrs["min"] = str(question.min_value)
        if question.max_value is not None:
            attrs["max"] = str(question.max_value)
        field = forms.IntegerField(widget=forms.NumberInput(attrs=attrs), **common)
    elif question.kind == QuestionKind.SKILLS:
        field = forms.TypedMultipleChoiceField(
            choices=skill_choices, coerce=int, widget=forms.CheckboxSelectMultiple, **common
        )
    else:
        field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    # Shown as "required" by the template; enforced by the service with the question's name.
    field.answer_required = question.is_required  # type: ignore[union-attr]
    field.is_group = isinstance(  # type: ignore[union-attr]
        field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
    )
    return field


class EnrollmentForm(forms.Form):
    """The enrolment form for one role: capacity (mentors), motivation, then the questions."""

    role = forms.ChoiceField(choices=ParticipantRole.choices, widget=forms.HiddenInput)
    capacity = forms.IntegerField(
        required=False,
        label="How many mentees can you take in this programme?",
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )
    motivation = forms.CharField(
        required=False,
        label="Why do you want to join?",
        help_text="The programme's managers read this when they decide on your application.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        role: str,
        questions: list[EnrollmentQuestion],
        skill_choices: list[tuple[int, str]],
        asks_motivation: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = role
        if role == ParticipantRole.MENTOR:
            self.fields["capacity"].initial = program.default_mentor_capacity
            self.fields["capacity"].answer_required = True  # type: ignore[attr-defined]
        else:
            del self.fields["capacity"]
        if asks_motivation:
            self.fields["motivation"].answer_required = True  # type: ignore[attr-defined]
        else:
            del self.fields["motivation"]
        self.questions = questions
        for question in questions:
            self.fields[f"{ANSWER_PREFIX}{question.pk}"] = _answer_field(question, skill_choices)

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(ANSWER_PREFIX)]

    def answers(self) -> dict[int, Any]:
        """The cleaned answers keyed by question id, blanks included (the service skips them)."""
        return {
            int(name.removeprefix(ANSWER_PREFIX)): value
            for name, value in self.cleaned_data.items()
            if name.startswith(ANSWER_PREFIX)
        }


class ParticipantAddForm(forms.Form):
    email = forms.EmailField(
        label="Email of the person",
        help_text="Type a name or email to pick someone from your organisation.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "list": "member-options"}),
    )
    role = forms.ChoiceField(choices=ParticipantRole.choices, initial=ParticipantRole.MENTEE)
    capacity = forms.IntegerField(
        required=False,
        label="Mentor capacity",
        help_text="Mentors only. Leave empty for the programme's default.",
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search by name, email or department")
    role = forms.ChoiceField(
        required=False, choices=[("", "All roles"), *ParticipantRole.choices], label="Role"
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "All statuses"), *ParticipantStatus.choices],
        label="Status",
    )
    department = forms.ChoiceField(required=False, choices=[("", "All departments")])

    def __init__(self, *args: Any, departments: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", "All departments"),
            *[(d, d) for d in departments],
        ]


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000)


class WithdrawForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)
