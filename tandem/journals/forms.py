"""The journal's HTML form. It only shapes input; the services decide."""

from django import forms

from tandem.journals.models import JournalMood
from tandem.journals.services import MAX_TEXT


class JournalEntryForm(forms.Form):
    text = forms.CharField(
        label="What is on your mind?",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "data-testid": "journal-text"}),
        help_text="Only you can read this, unless you share the entry with your partner.",
    )
    mood = forms.ChoiceField(
        label="Mood", required=False, choices=[("", "—"), *JournalMood.choices]
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=400,
        help_text="Separate tags with commas, e.g. feedback, confidence.",
    )

    def tag_list(self) -> list[str]:
        return [tag for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()]
