from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import translation
from django.utils.translation import gettext_lazy

from tandem.accounts.languages import language_choices, language_for
from tandem.accounts.models import Role, User
from tandem.accounts.selectors import password_sign_in_allowed
from tandem.core.forms import SingleLineField


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignInLinkForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)


class InvitationAcceptForm(forms.Form):
    first_name = SingleLineField(
        label=gettext_lazy("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = SingleLineField(
        label=gettext_lazy("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 8 characters, not all numbers, not a common password."),
    )


class OrganizationSettingsForm(forms.Form):
    # Bounds are the service's (organization_settings_update), so the page and the API say
    # the same thing; the widget only hints them.
    aggregate_min_group_size = forms.IntegerField(
        label=gettext_lazy("Minimum group for managers' aggregates"),
        help_text=gettext_lazy(
            "Managers see averages and counts (self-assessments, resource completion, survey "
            "results) only over at least this many people. At least 3; 5 unless you choose."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    default_language = forms.ChoiceField(
        label=gettext_lazy("Language for new people"),
        choices=language_choices,
        # Left out of a post (a script, an older page): the default stays as it is.
        required=False,
        help_text=gettext_lazy(
            "New people start in it; everyone can choose their own on their profile."
        ),
    )


class ApiTokenForm(forms.Form):
    name = SingleLineField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. 'HR sync script'."),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email: str) -> Iterator[User]:
        """Active accounts with this email, with or without a usable password.

        Django leaves out accounts without a usable password, but people imported from a
        file start without one and set it through this very reset. Accounts that must sign
        in with single sign-on are left out too: the view tells them where to sign in.
        """
        for user in User.objects.select_related("organization").filter(
            email__iexact=email.strip(), is_active=True
        ):
            if password_sign_in_allowed(user):
                yield user

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        """The reset email, in the language its recipient reads Tandem in."""
        context = kwargs.get("context", args[2] if len(args) > 2 else {})
        with translation.override(language_for(context["user"])):
            super().send_mail(*args, **kwargs)
