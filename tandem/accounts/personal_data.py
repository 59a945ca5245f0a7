"""What accounts holds about a person: the account itself, their API tokens (never the
digest) and the invitation they accepted."""

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from tandem.accounts.models import ApiToken, Invitation, User
from tandem.audit.services import audit_forget_rows
from tandem.core.personal_data import ErasureReport, Section, rows_of

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


def erase(user: User) -> ErasureReport:
    # The account row stays, for the foreign keys of what the partner keeps, but names nobody.
    # Updated through the queryset, so the providers after this one (the erasure runs them top
    # app first: audit comes last, to scrub what the deletions recorded) still hold the
    # identifiers in `user`.
    report = ErasureReport()
    tokens = ApiToken.objects.filter(user=user)
    token_ids = list(tokens.values_list("pk", flat=True))
    report.delete(tokens)
    # A token's name is the person's words, and the trail recorded it when it was made and
    # again as it is deleted here.
    report.kept(
        "audit.AuditEntry",
        audit_forget_rows(
            organization_id=user.organization_id, user_id=user.pk, model=ApiToken, pks=token_ids
        ),
    )
    report.delete(Invitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user)))
    User.objects.filter(pk=user.pk).update(
        first_name="Former",
        last_name="member",
        email=f"erased-{user.pk}@invalid",
        password=make_password(None),
        is_active=False,
    )
    return report.kept("accounts.User", 1)
