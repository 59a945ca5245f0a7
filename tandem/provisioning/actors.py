"""Who provisions: an organisation admin signed in, or an identity provider holding one of
the organisation's SCIM tokens (a `Provisioner`, which is no person)."""

from dataclasses import dataclass

from tandem.accounts.models import Role, User
from tandem.core.errors import NotFound


@dataclass(frozen=True)
class Provisioner:
    """Provisioning with no person signed in, for one organisation: the identity provider
    through one SCIM token, or (`job` set, no token) one of Tandem's own scheduled jobs, such
    as an erasure come due that the person asked for themselves."""

    organization_id: int
    token_id: int | None
    token_name: str
    job: str = ""

    @property
    def label(self) -> str:
        if self.job:
            return f"Tandem ({self.job})"
        return f"identity provider (SCIM token {self.token_name!r})"


Actor = User | Provisioner


def actor_label(actor: Actor) -> str:
    return actor.label if isinstance(actor, Provisioner) else f"{actor.display_name} (admin)"


def require_provisioning(*, actor: Actor, organization_id: int | None) -> int:
    """Org admins of the organisation, and its own SCIM tokens; anyone else gets NotFound.
    Returns the organisation's id."""
    if organization_id is None:
        raise NotFound("No such person.")
    if isinstance(actor, Provisioner):
        if actor.organization_id != organization_id:
            raise NotFound("No such person.")
        return organization_id
    if (
        actor.organization_id != organization_id
        or actor.role != Role.ORG_ADMIN
        or not actor.is_active
    ):
        raise NotFound("No such person.")
    return organization_id
