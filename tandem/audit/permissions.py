"""Who may read the audit trail: an organisation's admins, their own organisation's only.

This app sits below accounts, so the caller is described by what it must offer (the accounts
`User` does) rather than imported.
"""

from typing import Protocol

from tandem.core.errors import Forbidden, NotFound


class AuditViewer(Protocol):
    @property
    def pk(self) -> int: ...

    @property
    def organization_id(self) -> int | None: ...

    @property
    def is_org_admin(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...


def audit_admin_required(actor: AuditViewer) -> int:
    """The id of the actor's organisation, if they are one of its admins; else Forbidden (an
    org member) or NotFound (no organisation: platform staff use the Django admin)."""
    if actor.organization_id is None:
        raise NotFound("You do not belong to an organisation.")
    if not actor.is_org_admin or not actor.is_active:
        raise Forbidden("Only an organisation admin can see the audit trail.")
    return actor.organization_id
