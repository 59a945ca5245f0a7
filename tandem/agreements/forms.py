"""HTML forms for the agreement and its template. They only shape input; services decide."""

from typing import Any

from django import forms

from tandem.agreements.models import (
    MAX_AGREEMENT_TEXT,
    MAX_DURATION_MONTHS,
    AgreementChannel,
    AgreementTemplate,
)
from tandem.programs.models import MeetingCadence


def _text(label: str, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_AGREEMENT_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AgreementForm(forms.Form):
    """The pair's agreement; each section's guidance comes from the programme's template."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    goals_summary = _text("What the mentee wants from this relationship", rows=4)
    cadence = forms.ChoiceField(label="How often you meet", choices=MeetingCadence.choices)
    channels = forms.MultipleChoiceField(
        label="Preferred channels",
        choices=AgreementChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duration_months = forms.IntegerField(
        label="Duration (months)", min_value=1, max_value=MAX_DURATION_MONTHS
    )
    mentor_expectations = _text("What the mentee can expect from the mentor")
    mentee_expectations = _text("What the mentor can expect from the mentee")
    boundaries = _text("Boundaries")

    HELP_FROM_TEMPLATE = {
        "goals_summary": "goals_prompt",
        "cadence": "cadence_prompt",
        "channels": "channels_prompt",
        "duration_months": "duration_prompt",
        "mentor_expectations": "mentor_expectations_prompt",
        "mentee_expectations": "mentee_expectations_prompt",
        "boundaries": "boundaries_prompt",
    }

    def __init__(self, *args: Any, template: AgreementTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, prompt in self.HELP_FROM_TEMPLATE.items():
            self.fields[name].help_text = getattr(template, prompt)
            if self.fields[name].help_text and name != "channels":
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_help"
        self.fields["version"].widget.attrs["id"] = "agreement-version"

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "version": data["version"],
            "goals_summary": data["goals_summary"],
            "cadence": data["cadence"],
            "channels": list(data["channels"]),
            "duration_months": data["duration_months"],
            "mentor_expectations": data["mentor_expectations"],
            "mentee_expectations": data["mentee_expectations"],
            "boundaries": data["boundaries"],
        }


class AgreementTemplateForm(forms.Form):
    goals_prompt = _text("Guidance: what the mentee wants")
    cadence_prompt = _text("Guidance: meeting cadence", rows=2)
    channels_prompt = _text("Guidance: preferred channels", rows=2)
    duration_prompt = _text("Guidance: duration", rows=2)
    mentor_expectations_prompt = _text("Guidance: what to expect from the mentor")
    mentee_expectations_prompt = _text("Guidance: what to expect from the mentee")
    boundaries_prompt = _text("Guidance: boundaries")
    confidentiality_statement = _text("Confidentiality statement (both sign it)", rows=5)
