from django import forms

from tandem.accounts.names import display_name
from tandem.actions.services import TITLE_MAX
from tandem.core.forms import DateInput, SingleLineField
from tandem.relationships.permissions import RelationshipAccess


class ActionItemForm(forms.Form):
    title = SingleLineField(
        label="What will be practised",
        max_length=TITLE_MAX,
        strip=True,
        help_text="One idea from the meeting to try before the next one.",
    )
    owner = forms.TypedChoiceField(label="Who", coerce=int)
    due_on = forms.DateField(label="By (optional)", required=False, widget=DateInput())

    def __init__(self, *args: object, access: RelationshipAccess, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        relationship = access.relationship
        people = [
            (relationship.mentee.user, "mentee"),
            (relationship.mentor.user, "mentor"),
        ]
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            (user.pk, f"{display_name(user)} ({side})") for user, side in people
        ]
        self.fields["owner"].initial = access.user.pk
