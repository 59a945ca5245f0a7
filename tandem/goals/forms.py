"""HTML forms for goals. They only shape input; the services decide (past dates, who may)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import DateInput, SingleLineField
from tandem.goals.models import ProgressMode


class GoalForm(forms.Form):
    """A goal: what (the specific outcome), how success is measured, by when; the mentee also
    chooses how progress is counted. The mentor's suggestion has only the first three."""

    title = SingleLineField(
        label=_("Outcome"),
        max_length=200,
        help_text=_("Specific: what will be different when you get there?"),
        error_messages={"required": _("Say what the outcome is, in a few words.")},
    )
    measure = forms.CharField(
        label=_("How success will be measured"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Something you could show or count."),
        error_messages={"required": _("Say how you will know the goal is achieved.")},
    )
    target_on = forms.DateField(
        label=_("Target date"),
        widget=DateInput(),
        error_messages={
            "required": _("Choose a target date."),
            "invalid": _("Enter the target date as a date (YYYY-MM-DD)."),
        },
    )
    progress_mode = forms.ChoiceField(
        label=_("Progress"),
        choices=ProgressMode.choices,
        initial=ProgressMode.DERIVED,
        required=False,
    )
    manual_progress = forms.IntegerField(
        label=_("Progress set by hand (%)"),
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        error_messages={
            "min_value": _("Progress is a percentage from 0 to 100."),
            "max_value": _("Progress is a percentage from 0 to 100."),
        },
    )

    def __init__(self, *args: object, suggest: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if suggest:
            del self.fields["progress_mode"]
            del self.fields["manual_progress"]


class MilestoneForm(forms.Form):
    title = SingleLineField(
        label=_("Milestone"),
        max_length=200,
        error_messages={"required": _("Name the milestone.")},
    )
    due_on = forms.DateField(
        label=_("Due date"),
        widget=DateInput(),
        required=False,
        error_messages={"invalid": _("Enter the due date as a date (YYYY-MM-DD).")},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write something to comment.")},
    )
