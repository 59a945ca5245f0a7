from django import forms

from tandem.webhooks.events import EVENT_DESCRIPTIONS


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="https:// only, at a public address. Tandem POSTs each event there, signed.",
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/tandem"}),
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=[(name, f"{name}: {text}") for name, text in EVENT_DESCRIPTIONS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
