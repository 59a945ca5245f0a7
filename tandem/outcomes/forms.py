"""HTML forms for the outcomes pages. They only shape input; selectors and services decide."""

from collections.abc import Iterable

from django import forms

from tandem.outcomes.selectors import OutcomesQuery
from tandem.programs.models import Program


class ProgramChoiceField(forms.TypedMultipleChoiceField):
    """Programme ids: the choices list the caller's, but any id passes the form so that the
    guard answers for the rest (another organisation's programme is a 404, never "not a
    valid choice", which would say it exists)."""

    def valid_value(self, value: object) -> bool:
        return str(value).isdigit() and 0 < int(str(value)) < 2**63


class OutcomesFilterForm(forms.Form):
    """The report's choices, sent by GET so a report has a link. Defaults are the API's."""

    program = ProgramChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Programmes",
        help_text="None ticked: every programme you may see.",
    )
    role = forms.ChoiceField(
        choices=[
            ("any", "Mentees and mentors"),
            ("mentee", "Mentees only"),
            ("mentor", "Mentors only"),
        ],
        initial="any",
        required=False,
        label="Who counts as mentored",
    )
    promotion_within = forms.IntegerField(
        min_value=1, max_value=120, initial=24, required=False, label="Promotion window (months)"
    )
    roi_horizon = forms.IntegerField(
        min_value=1, max_value=60, initial=12, required=False, label="ROI horizon (months)"
    )
    replacement_cost = forms.DecimalField(
        min_value=0,
        max_value=1_000_000_000,
        decimal_places=2,
        initial=30000,
        required=False,
        label="Cost of replacing one leaver",
        help_text="Recruiting, onboarding and lost productivity; often a third to a half of a "
        "year's salary.",
    )
    programme_cost = forms.DecimalField(
        min_value=0,
        max_value=100_000_000_000,
        decimal_places=2,
        initial=0,
        required=False,
        label="What the programme cost",
    )
    basis = forms.ChoiceField(
        choices=[("matched", "Matched comparison"), ("raw", "All not-mentored people")],
        initial="matched",
        required=False,
        label="ROI compares with",
    )

    def __init__(self, *args: object, programs: Iterable[Program] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["program"].choices = [  # type: ignore[attr-defined]
            (program.pk, program.name) for program in programs
        ]

    def query(self) -> OutcomesQuery:
        """The cleaned choices, a blank field read as its default."""
        data = self.cleaned_data
        defaults = OutcomesQuery()

        def pick(name: str, default: object) -> object:
            value = data.get(name)
            return default if value in (None, "") else value

        return OutcomesQuery(
            program_ids=tuple(data.get("program") or ()),
            role=str(pick("role", defaults.role)),
            promotion_within=int(pick("promotion_within", defaults.promotion_within)),  # type: ignore[call-overload]
            roi_horizon=int(pick("roi_horizon", defaults.roi_horizon)),  # type: ignore[call-overload]
            replacement_cost=float(pick("replacement_cost", defaults.replacement_cost)),  # type: ignore[arg-type]
            programme_cost=float(pick("programme_cost", defaults.programme_cost)),  # type: ignore[arg-type]
            basis=str(pick("basis", defaults.basis)),
        )


class OutcomesImportForm(forms.Form):
    file = forms.FileField(
        label="HR outcomes file (CSV or XLSX)",
        help_text=(
            "One row per person: Employee ID and/or Email, Hire date, Termination date (blank "
            "while employed), Promotion dates (separated by semicolons), and optionally "
            "Department, Grade, Location. Dates as YYYY-MM-DD or DD/MM/YYYY (or date cells)."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.txt,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class OutcomesSettingsForm(forms.Form):
    managers_see_outcomes = forms.BooleanField(
        required=False,
        label="Programme managers see the outcomes of the programmes they manage",
        help_text="Aggregates only, like admins; off by default.",
    )
