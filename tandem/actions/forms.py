from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.accounts.names import display_name
from tandem.actions.services import TITLE_MAX
from tandem.core.forms import DateInput, SingleLineField
from tandem.relationships.permissions import RelationshipAccess


class ActionItemForm(forms.Form):
    title = SingleLineField(
        label=_("What will be practised"),
        max_length=TITLE_MAX,
        strip=True,
        help_text=_("One idea from the meeting to try before the next one."),
    )
    owner = forms.TypedChoiceField(label=_("Who"), coerce=int)
    due_on = forms.DateField(label=_("By (optional)"), required=False, widget=DateInput())

    def __init__(self, *args: object, access: RelationshipAccess, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        relationship = access.relationship
        people = [
            (relationship.mentee.user, gettext("mentee")),
            (relationship.mentor.user, gettext("mentor")),
        ]
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            (user.pk, f"{display_name(user)} ({side})") for user, side in people
        ]
        self.fields["owner"].initial = access.user.pk
