from django import forms

from tandem.health.services import NOTE_MAX_LENGTH


class HealthNoteForm(forms.Form):
    text = forms.CharField(
        label="Private note (your programme's managers only)",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
