"""What provisioning holds about a person: their SCIM identity and group memberships, and
their deactivations."""

from tandem.accounts.models import User
from tandem.core.personal_data import ErasureReport, Section, rows_of
from tandem.provisioning.models import PersonDeactivation, ScimGroupMember, ScimIdentity

COVERS = (
    "provisioning.ScimIdentity",
    "provisioning.ScimGroupMember",
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
            "directory_groups",
            "The directory groups you are a member of.",
            rows_of(ScimGroupMember.objects.filter(user=user), ("group__display_name",)),
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
    report.delete(ScimGroupMember.objects.filter(user=user))
    return report.kept(
        "provisioning.PersonDeactivation",
        PersonDeactivation.objects.filter(user=user).update(reason=""),
    )
