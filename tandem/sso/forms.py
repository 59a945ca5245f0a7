from django import forms
from django.utils.translation import gettext_lazy

from tandem.accounts.models import Role
from tandem.core.forms import SingleLineField
from tandem.sso.models import ProviderKind

METADATA_UPLOAD_MAX_BYTES = 1024 * 1024


class SsoEmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Work email"), max_length=254)


class IdentityProviderForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Protocol"),
        choices=ProviderKind.choices,
        initial=ProviderKind.OIDC,
        required=False,
    )
    display_name = SingleLineField(
        label=gettext_lazy("Name on the sign-in button"),
        max_length=100,
        help_text=gettext_lazy('People see "Continue with" and this name, e.g. Northwind SSO.'),
    )
    email_domains = SingleLineField(
        label=gettext_lazy("Email domains"),
        max_length=500,
        help_text=gettext_lazy("Comma-separated, e.g. northwind.example, northwind.co.uk"),
    )
    issuer = forms.CharField(
        label=gettext_lazy("Issuer URL (OpenID Connect)"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("From the provider's app page, e.g. https://northwind.okta.com"),
    )
    client_id = forms.CharField(
        label=gettext_lazy("Client id (OpenID Connect)"), max_length=255, required=False
    )
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Kept encrypted and never shown again. Leave blank to keep the saved one."
        ),
    )
    idp_metadata_url = SingleLineField(
        label=gettext_lazy("Identity provider metadata URL (SAML)"),
        max_length=500,
        required=False,
        help_text=gettext_lazy(
            "Tandem fetches it when you save, e.g. Okta's or Entra ID's metadata URL."
        ),
    )
    idp_metadata_file = forms.FileField(
        label=gettext_lazy("Or upload its metadata XML (SAML)"), required=False
    )
    idp_metadata = forms.CharField(
        label=gettext_lazy("Or paste its metadata XML (SAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Leave the three blank to keep the saved metadata."),
    )
    asserts_verified_emails = forms.BooleanField(
        label=gettext_lazy("The provider only asserts email addresses it has verified (SAML)"),
        required=False,
        help_text=gettext_lazy(
            "Then an existing Tandem account of your email domains is linked at its first "
            "SSO sign-in; otherwise such a person must keep signing in with a password."
        ),
    )
    role_claim = forms.CharField(
        label=gettext_lazy("Role claim"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("e.g. groups or roles"),
    )
    role_values = forms.CharField(
        label=gettext_lazy("Role mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line: claim value = org_admin, program_manager or member"),
    )
    default_role = forms.ChoiceField(label=gettext_lazy("Role of new people"), choices=Role.choices)
    department_claim = forms.CharField(
        label=gettext_lazy("Department claim"), max_length=100, required=False
    )
    job_title_claim = forms.CharField(
        label=gettext_lazy("Job title claim"), max_length=100, required=False
    )

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

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or ProviderKind.OIDC

    def clean_idp_metadata_file(self) -> str:
        upload = self.cleaned_data.get("idp_metadata_file")
        if not upload:
            return ""
        if upload.size > METADATA_UPLOAD_MAX_BYTES:
            raise forms.ValidationError("The metadata file is larger than 1 MB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The metadata file is not UTF-8 text.") from error

    def clean_email_domains(self) -> list[str]:
        return [d.strip() for d in self.cleaned_data["email_domains"].split(",") if d.strip()]


class SsoSettingsForm(forms.Form):
    sso_required = forms.BooleanField(
        label=gettext_lazy("Require single sign-on (passwords and sign-in links refused)"),
        required=False,
    )
    break_glass_admin = forms.TypedChoiceField(
        label=gettext_lazy("Break-glass admin (may still sign in with a password)"),
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
