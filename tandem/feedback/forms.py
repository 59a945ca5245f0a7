from django import forms

from tandem.feedback.services import TEXT_MAX


def _text(label: str, help_text: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MentorFeedbackForm(forms.Form):
    """The mentor's feedback to the mentee: specific, actionable, strengths first."""

    strengths = _text(
        "Strengths",
        "What did they do well? Name the moment: “In the team review you…”",
    )
    to_develop = _text(
        "What to develop",
        "One area to grow, framed as an opportunity, with an example you saw.",
    )
    suggestion = _text(
        "A specific suggestion",
        "One concrete thing to try in the next few weeks.",
    )


USEFULNESS_CHOICES = [
    (1, "1 — not useful yet"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 — very useful"),
]


class MenteeFeedbackForm(forms.Form):
    """The mentee's feedback on the mentoring."""

    what_helped = _text(
        "What helped",
        "What from your conversations made a difference? Be as specific as you can.",
    )
    what_to_change = _text(
        "What to change (optional)",
        "Anything you would like more of, less of, or done differently.",
        required=False,
    )
    usefulness = forms.TypedChoiceField(
        label="How useful is the mentoring so far?",
        choices=USEFULNESS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
