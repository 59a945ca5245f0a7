"""The meeting pages' forms: shape only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import DateInput, SingleLineField, TimeInput
from tandem.meetings.models import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES

USEFULNESS_CHOICES = [
    (1, _("1 — Not useful")),
    (2, _("2 — A little useful")),
    (3, _("3 — Useful")),
    (4, _("4 — Very useful")),
    (5, _("5 — Extremely useful")),
]


class MeetingForm(forms.Form):
    title = SingleLineField(max_length=200, label=_("Title"), initial=_("Mentoring conversation"))
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    timezone = forms.CharField(
        max_length=64,
        label=_("Timezone"),
        help_text=_("The date and time above are in this zone; each of you sees your own time."),
        widget=forms.TextInput(attrs={"list": "timezone-names", "autocomplete": "off"}),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=MIN_DURATION_MINUTES,
        max_value=MAX_DURATION_MINUTES,
        initial=60,
    )
    location = SingleLineField(max_length=200, required=False, label=_("Place (optional)"))
    video_url = forms.URLField(
        max_length=500,
        required=False,
        label=_("Video link (optional)"),
        assume_scheme="https",
    )


class AgendaItemForm(forms.Form):
    text = forms.CharField(max_length=500, label=_("Add a question or topic"))


class NotesForm(forms.Form):
    notes = forms.CharField(
        required=False,
        label=_("Shared notes"),
        help_text=_("Both of you can read and edit these; nobody else can."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CheckInForm(forms.Form):
    usefulness = forms.TypedChoiceField(
        choices=USEFULNESS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label=_("How useful was this meeting?"),
    )
    practise_next = forms.CharField(
        max_length=200,
        required=False,
        label=_("One thing you will practise next"),
    )
    create_action = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Add it to our action items"),
    )
