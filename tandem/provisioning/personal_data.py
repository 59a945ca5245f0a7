"""What provisioning holds about a person: their SCIM identity and their deactivations (their
directory groups are people's)."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.provisioning.models import PersonDeactivation, ScimIdentity

COVERS = (
    "provisioning.ScimIdentity",
    "provisioning.PersonDeactivation",
)


def export(user: User) -> list[Section]:
    return [
        Section(
            "directory_identity",
            "Your identity as your company directory (SCIM) sent it.",
            rows_of(
                ScimIdentity.objects.filter(user=user),
                (
                    "user_name",
                    "external_id",
                    "employee_number",
                    "email_type",
                    "email_primary",
                    "active_asserted",
                    "deprovisioned_at",
                ),
            ),
        ),
        Section(
            "deactivations",
            "When your account was deactivated or reactivated, and why.",
            rows_of(
                PersonDeactivation.objects.filter(user=user),
                ("created_at", "reason", "deactivated_via", "reactivated_at"),
            ),
        ),
    ]


def erase(user: User) -> ErasureReport:
    # The directory's identity of the person goes (the directory may send them again: a new
    # account). Deactivation records stay for reporting, their reasons blanked.
    report = ErasureReport()
    report.delete(ScimIdentity.objects.filter(user=user))
    return report.kept(
        "provisioning.PersonDeactivation",
        PersonDeactivation.objects.filter(user=user).update(reason=""),
    )
