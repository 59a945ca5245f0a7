"""The guard of identity providers: organisation admins only, in their own organisation."""

from tandem.accounts.models import Role, User
from tandem.accounts.selectors import organization_id_of
from tandem.core.errors import Forbidden, NotFound
from tandem.core.transactions import locking
from tandem.sso.models import IdentityProvider


def require_sso_admin(actor: User) -> None:
    """Single sign-on is the organisation admin's: anyone else is refused."""
    if actor.role != Role.ORG_ADMIN or actor.organization_id is None:
        raise Forbidden("Only an organisation admin can manage single sign-on.")


def identity_provider_access(
    *, actor: User, provider_id: int, for_update: bool = False
) -> IdentityProvider:
    """The provider, when `actor` is an admin of its organisation; NotFound otherwise."""
    require_sso_admin(actor)
    providers = IdentityProvider.objects.filter(
        pk=provider_id, organization_id=organization_id_of(actor)
    )
    provider = (locking(providers) if for_update else providers).first()
    if provider is None:
        raise NotFound("No such identity provider.")
    return provider
