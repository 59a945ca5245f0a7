"""HTML forms for bulk matching pages. They only shape input; the services decide."""

from typing import Any

from django import forms

from tandem.matching.adapters import EDITABLE_CRITERIA, WEIGHT_MAX, WEIGHT_MIN
from tandem.matching.engine import DepartmentPreference
from tandem.matching.models import RunObjective
from tandem.matching.runs.selectors import PROPOSAL_SORT_LABELS, SettingsView
from tandem.matching.runs.services import (
    REQUEST_EXPIRY_MAX_DAYS,
    SENIORITY_GAP_LIMIT,
    SettingsChange,
)

OBJECTIVE_HELP = {
    RunObjective.TOTAL: "Matches as many mentees as possible, then makes the pairs fit best "
    "overall. Proved optimal.",
    RunObjective.FAIR: "Raises the worst pair's score as far as it goes, then the total. Nobody "
    "gets a poor match so that others get great ones.",
    RunObjective.STABLE: "No mentee and mentor would both rather be together than with whom "
    "they got.",
}

CRITERION_LABELS = {
    "skills": "Skills (what mentees want, what mentors offer)",
    "goals": "Goals and bios (similar words)",
    "seniority": "Seniority gap",
    "department": "Department",
    "timezone": "Shared working hours",
    "language": "A language in common",
    "questions": "Answers to the matching questions",
}
_WEIGHT_WORDS = {WEIGHT_MIN: " — ignore", WEIGHT_MAX: " — matters most"}
WEIGHT_CHOICES = [
    (weight, f"{weight}{_WEIGHT_WORDS.get(weight, '')}")
    for weight in range(WEIGHT_MIN, WEIGHT_MAX + 1)
]
DEPARTMENT_LABELS = {
    DepartmentPreference.DIFFERENT: "Prefer a mentor from another department",
    DepartmentPreference.SAME: "Prefer a mentor from the same department",
    DepartmentPreference.EITHER: "Department does not matter",
}
MODE_LABELS = {
    "same": "The same answer fits best",
    "different": "A different answer fits best",
    "closer": "Closer answers fit better",
}


class RunStartForm(forms.Form):
    objective = forms.ChoiceField(
        choices=[(value, label) for value, label in RunObjective.choices],
        initial=RunObjective.TOTAL,
        widget=forms.RadioSelect,
        label="What should the run aim for?",
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        label="Seed (optional)",
        help_text=(
            "Only to reproduce an earlier draft: the same seed, settings and people give the same "
            "draft. Leave empty for 0."
        ),
    )

    def clean_seed(self) -> int:
        # An empty box is the default seed: most managers never need to think about it.
        seed = self.cleaned_data.get("seed")
        return 0 if seed is None else seed


class SettingsForm(forms.Form):
    """The matching settings page: weights, rules, question modes and self-matching."""

    seniority_gap_min = forms.IntegerField(
        min_value=0, max_value=SENIORITY_GAP_LIMIT, label="Smallest seniority gap"
    )
    seniority_gap_max = forms.IntegerField(
        min_value=0,
        max_value=SENIORITY_GAP_LIMIT,
        label="Largest seniority gap",
    )
    department = forms.ChoiceField(
        choices=[
            (value, DEPARTMENT_LABELS[DepartmentPreference(value)])
            for value in ("different", "same", "either")
        ],
        label="Departments",
    )
    require_shared_language = forms.BooleanField(
        required=False, label="Only pair people who share a language"
    )
    allow_self_matching = forms.BooleanField(
        required=False, label="Mentees may ask suggested mentors themselves"
    )
    requests_need_approval = forms.BooleanField(
        required=False, label="A manager approves each request before the mentor sees it"
    )
    accepted_requests_need_kickoff = forms.BooleanField(
        required=False,
        label="An accepted request waits for a kick-off before the pair starts",
        help_text="Off: the mentor's accept starts the relationship.",
    )
    request_expiry_days = forms.IntegerField(
        min_value=1,
        max_value=REQUEST_EXPIRY_MAX_DAYS,
        label="Requests expire after (days)",
    )

    def __init__(self, *args: Any, view: SettingsView, **kwargs: Any) -> None:
        rules = view.config.rules
        initial = {
            "seniority_gap_min": rules["seniority_gap_min"],
            "seniority_gap_max": rules["seniority_gap_max"],
            "department": rules["department"],
            "require_shared_language": rules["require_shared_language"],
            "allow_self_matching": view.allow_self_matching,
            "requests_need_approval": view.requests_need_approval,
            "accepted_requests_need_kickoff": view.accepted_requests_need_kickoff,
            "request_expiry_days": view.request_expiry_days,
        }
        initial.update({f"weight_{name}": value for name, value in view.weights.items()})
        initial.update({f"question_{item.question.pk}": item.mode for item in view.questions})
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.weight_names = [f"weight_{name}" for name in EDITABLE_CRITERIA]
        for name in EDITABLE_CRITERIA:
            self.fields[f"weight_{name}"] = forms.TypedChoiceField(
                choices=WEIGHT_CHOICES, coerce=int, label=CRITERION_LABELS[name]
            )
        self.question_names = []
        for item in view.questions:
            field_name = f"question_{item.question.pk}"
            self.question_names.append(field_name)
            self.fields[field_name] = forms.ChoiceField(
                choices=[(mode, MODE_LABELS[mode]) for mode in item.modes],
                label=item.question.prompt,
            )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.weight_names]

    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_names]

    def change(self) -> SettingsChange:
        data = self.cleaned_data
        return SettingsChange(
            weights={name: data[f"weight_{name}"] for name in EDITABLE_CRITERIA},
            seniority_gap_min=data["seniority_gap_min"],
            seniority_gap_max=data["seniority_gap_max"],
            department=data["department"],
            require_shared_language=data["require_shared_language"],
            question_modes={
                name.removeprefix("question_"): data[name] for name in self.question_names
            },
            allow_self_matching=data["allow_self_matching"],
            requests_need_approval=data["requests_need_approval"],
            accepted_requests_need_kickoff=data["accepted_requests_need_kickoff"],
            request_expiry_days=data["request_expiry_days"],
        )

    @staticmethod
    def field_for_error(name: str) -> str:
        """The form field a service's error names ("weights.skills" -> "weight_skills")."""
        if name.startswith("weights."):
            return "weight_" + name.removeprefix("weights.")
        if name.startswith("question_modes."):
            return "question_" + name.removeprefix("question_modes.")
        return name


class PairFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by name or email")
    sort = forms.ChoiceField(
        required=False, choices=list(PROPOSAL_SORT_LABELS.items()), label="Sort by"
    )


class AddPairForm(forms.Form):
    mentee = forms.IntegerField()
    mentor = forms.IntegerField(label="Mentor")
