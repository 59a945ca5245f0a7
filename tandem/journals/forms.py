"""The journal's HTML form. It only shapes input; the services decide."""

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from tandem.journals.models import JournalMood
from tandem.journals.services import MAX_TEXT
from tandem.meetings.models import Meeting


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

    meeting = forms.TypedChoiceField(
        label="About a meeting (optional)", required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        meetings: Iterable[Meeting] = (),
        zone: datetime.tzinfo | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[object, str]] = [("", "—")]
        for meeting in meetings:
            day = timezone.localtime(meeting.starts_at, zone)
            choices.append((meeting.pk, f"{meeting.title} · {day:%d %b %Y}"))
        self.fields["meeting"].choices = choices  # type: ignore[attr-defined]

    def tag_list(self) -> list[str]:
        return [tag for tag in self.cleaned_data.get("tags", "").split(",") if tag.strip()]
