"""What accounts holds about a person: the account itself, their API tokens (never the
digest) and the invitation they accepted."""

from django.db.models import Q

from tandem.accounts.models import ApiToken, Invitation, User
from tandem.core.personal_data import Section, rows_of

COVERS = ("accounts.User", "accounts.ApiToken", "accounts.Invitation")


def export(user: User) -> list[Section]:
    account = rows_of(
        User.objects.filter(pk=user.pk),
        (
            "id",
            "email",
            "first_name",
            "last_name",
            "organization__name",
            "role",
            "is_active",
            "date_joined",
            "last_login",
            "last_seen_at",
        ),
    )
    tokens = rows_of(
        ApiToken.objects.filter(user=user),
        ("id", "name", "prefix", "created_at", "last_used_at", "last_used_address", "revoked_at"),
    )
    invitations = rows_of(
        Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email)),
        ("id", "email", "role", "status", "created_at", "accepted_at"),
    )
    return [
        Section(
            "account", "Your account: name, email, organisation, role, sign-in dates.", account
        ),
        Section(
            "api_tokens", "Your personal API tokens (names and use; never the secret).", tokens
        ),
        Section("invitations", "Invitations sent to your email address.", invitations),
    ]
