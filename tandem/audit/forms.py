from django import forms
from django.utils.translation import gettext_lazy

from tandem.audit.models import DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS
from tandem.core.forms import DateInput


class AuditSearchForm(forms.Form):
    actor = forms.CharField(
        required=False,
        max_length=254,
        label=gettext_lazy("Who"),
        help_text=gettext_lazy("Part of a name or an email."),
    )
    event = forms.CharField(
        required=False,
        max_length=64,
        label=gettext_lazy("What"),
        widget=forms.TextInput(attrs={"list": "audit-events"}),
        help_text=gettext_lazy("An event, such as sign_in.failed, or its start, such as sign_in."),
    )
    object_type = forms.ChoiceField(
        required=False, label=gettext_lazy("On what"), choices=[("", gettext_lazy("Anything"))]
    )
    date_from = forms.DateField(required=False, label=gettext_lazy("From"), widget=DateInput())
    date_to = forms.DateField(required=False, label=gettext_lazy("To"), widget=DateInput())

    def __init__(self, *args: object, object_types: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["object_type"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [("", gettext_lazy("Anything")), *object_types]


class AuditSettingsForm(forms.Form):
    retention_days = forms.IntegerField(
        label=gettext_lazy("Keep audit entries for (days)"),
        min_value=MIN_RETENTION_DAYS,
        max_value=MAX_RETENTION_DAYS,
        initial=DEFAULT_RETENTION_DAYS,
        help_text=(
            f"From {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS} days. Older entries are deleted "
            "every night."
        ),
    )
