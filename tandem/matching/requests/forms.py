"""HTML forms for self-matching. They only shape input; the services decide."""

from django import forms

from tandem.matching.requests.services import MAX_MESSAGE


class RequestCreateForm(forms.Form):
    mentor_participant_id = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="A note to the mentor (optional)",
    )


class RequestAnswerForm(forms.Form):
    message = forms.CharField(required=False, max_length=MAX_MESSAGE, widget=forms.Textarea)
    do_not_suggest_again = forms.BooleanField(required=False)


class AvailabilityForm(forms.Form):
    accepting = forms.TypedChoiceField(
        choices=[("true", "Resume"), ("false", "Pause")], coerce=lambda value: value == "true"
    )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label="Mentees I can take", min_value=1)
