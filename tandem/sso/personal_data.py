"""What single sign-on holds about a person: the identities their organisation's providers
vouch for (which provider, the subject it knows them by, when they last signed in with it)."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.sso.models import ExternalIdentity, SamlSession

COVERS = ("sso.ExternalIdentity", "sso.SamlSession")


def export(user: User) -> list[Section]:
    return [
        Section(
            "single_sign_on",
            "The identity providers you sign in with, and the id each knows you by.",
            rows_of(
                ExternalIdentity.objects.filter(user=user),
                ("provider__display_name", "subject", "created_at", "last_sign_in_at"),
            ),
        )
    ]


def erase(user: User) -> ErasureReport:
    # The id the identity provider knows them by would name them: deleted, with the sign-ins
    # (NameID, SessionIndex) kept for single logout.
    return (
        ErasureReport()
        .delete(ExternalIdentity.objects.filter(user=user))
        .delete(SamlSession.objects.filter(user=user))
    )
