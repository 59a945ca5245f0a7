"""The managers' journey editor forms: types and sizes only; the services decide the rules."""

from typing import Any

from django import forms

from tandem.core.forms import SingleLineField
from tandem.journeys.models import Completion, StageKey
from tandem.resources.models import Resource


class StageForm(forms.Form):
    title = SingleLineField(label="Stage title", max_length=200)
    description = forms.CharField(
        label="What this stage is about",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StageCreateForm(forms.Form):
    key = forms.ChoiceField(label="Stage to add", choices=StageKey.choices)

    def __init__(self, *args: Any, missing: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if missing is not None:
            choices = [(k, StageKey(k).label) for k in missing]
            self.fields["key"].choices = choices  # type: ignore[attr-defined]


class StepForm(forms.Form):
    title = SingleLineField(label="Step", max_length=200)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_offset_days = forms.IntegerField(
        label="Due days after the start",
        required=False,
        min_value=0,
        help_text="Fill this or the share of the planned length, not both.",
    )
    due_at_percent = forms.IntegerField(
        label="Or due at this % of the planned length",
        required=False,
        min_value=0,
        max_value=100,
        help_text="50 is half-time, 100 the planned end.",
    )
    completion = forms.ChoiceField(label="Done when", choices=Completion.choices)
    meetings_count = forms.IntegerField(
        label="Meetings held (for “a number of meetings”)", min_value=1, initial=1
    )
    resource_ids = forms.MultipleChoiceField(
        label="Resources shown with the step",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    def __init__(self, *args: Any, resources: list[Resource] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource_ids"].choices = [  # type: ignore[attr-defined]
            (str(r.pk), f"{r.title}{' (hidden)' if r.is_hidden else ''}") for r in resources or []
        ]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        percent = data.get("due_at_percent")
        return {
            "title": data["title"],
            "description": data.get("description") or "",
            "due_offset_days": data.get("due_offset_days"),
            "due_at_fraction": None if percent is None else percent / 100,
            "completion": data["completion"],
            "meetings_count": data.get("meetings_count") or 1,
            "resource_ids": [int(pk) for pk in data.get("resource_ids") or []],
        }
