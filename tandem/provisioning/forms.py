from django import forms

from tandem.core.forms import SingleLineField


class ScimTokenForm(forms.Form):
    name = SingleLineField(
        max_length=100,
        label="What will use it",
        help_text="For example: Okta, Entra ID, Google Workspace.",
    )
