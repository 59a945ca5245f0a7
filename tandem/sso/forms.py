from django import forms

from tandem.accounts.models import Role
from tandem.core.forms import SingleLineField


class SsoEmailForm(forms.Form):
    email = forms.EmailField(label="Work email", max_length=254)


class IdentityProviderForm(forms.Form):
    display_name = SingleLineField(
        label="Name on the sign-in button",
        max_length=100,
        help_text='People see "Continue with" and this name, e.g. Northwind SSO.',
    )
    email_domains = SingleLineField(
        label="Email domains",
        max_length=500,
        help_text="Comma-separated, e.g. northwind.example, northwind.co.uk",
    )
    issuer = forms.CharField(
        label="Issuer URL",
        max_length=500,
        help_text="From the provider's app page, e.g. https://northwind.okta.com",
    )
    client_id = forms.CharField(label="Client id", max_length=255)
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Kept encrypted and never shown again. Leave blank to keep the saved one.",
    )
    role_claim = forms.CharField(
        label="Role claim", max_length=100, required=False, help_text="e.g. groups or roles"
    )
    role_values = forms.CharField(
        label="Role mapping",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: claim value = org_admin, program_manager or member",
    )
    default_role = forms.ChoiceField(label="Role of new people", choices=Role.choices)
    department_claim = forms.CharField(label="Department claim", max_length=100, required=False)
    job_title_claim = forms.CharField(label="Job title claim", max_length=100, required=False)

    def clean_role_values(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["role_values"].splitlines(), start=1):
            if not line.strip():
                continue
            value, equals, role = line.partition("=")
            if not equals or not value.strip():
                raise forms.ValidationError(f"Line {number} is not 'claim value = role'.")
            mapping[value.strip()] = role.strip()
        return mapping

    def clean_email_domains(self) -> list[str]:
        return [d.strip() for d in self.cleaned_data["email_domains"].split(",") if d.strip()]


class SsoSettingsForm(forms.Form):
    sso_required = forms.BooleanField(
        label="Require single sign-on (passwords and sign-in links refused)", required=False
    )
    break_glass_admin = forms.TypedChoiceField(
        label="Break-glass admin (may still sign in with a password)",
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, admins=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["break_glass_admin"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 (declared above)
        field.choices = [("", "Nobody")] + [
            (admin.pk, f"{admin.display_name} <{admin.email}>") for admin in admins
        ]
