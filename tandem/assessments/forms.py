"""HTML forms for a programme's own competencies. They only shape input; the services decide."""

from django import forms

from tandem.core.forms import SingleLineField


class CompetencyForm(forms.Form):
    name = SingleLineField(
        label="Competency",
        max_length=80,
        error_messages={"required": "Name the competency in a few words."},
    )
    description = forms.CharField(
        label="What good looks like",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two plain sentences, written as 'I …' so people can rate themselves.",
        error_messages={"required": "Say what good looks like in one or two sentences."},
    )
