"""What the audit trail holds about a person: every entry they did or that is about them (the
same entries erasure pseudonymises)."""

from typing import Any

from tandem.audit.selectors import audit_entries_of_person
from tandem.audit.services import audit_pseudonymise_person
from tandem.core.personal_data import ErasureReport, Section, identifiers_of, rows_of

COVERS = ("audit.AuditEntry",)


def export(user: Any) -> list[Section]:
    # Audit sits below accounts, so the person is typed loosely: the account's id, email and
    # organisation are all this needs.
    name = f"{user.first_name} {user.last_name}".strip()
    entries = audit_entries_of_person(
        organization_id=user.organization_id,
        user_id=user.pk,
        identifiers=[identifier for identifier in (user.email, name) if identifier],
    )
    return [
        Section(
            "audit_entries",
            "Audit trail entries about you or done by you (sign-ins, changes, exports).",
            rows_of(
                entries,
                (
                    "timestamp",
                    "event",
                    "action",
                    "actor_email",
                    "remote_addr",
                    "object_repr",
                    "changes_text",
                    "additional_data",
                ),
            ),
        )
    ]


def erase(user: Any) -> ErasureReport:
    # The trail keeps what happened and when; who it was becomes a pseudonym, never content.
    changed = audit_pseudonymise_person(
        organization_id=user.organization_id, user_id=user.pk, identifiers=identifiers_of(user)
    )
    return ErasureReport().kept("audit.AuditEntry", changed)
