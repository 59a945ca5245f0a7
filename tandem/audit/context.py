"""Who is acting, and from where, for the request being served.

The accounts app's middleware (`accounts.audit_context.AuditContextMiddleware`) sets it with
the one answer to the client's address (`accounts.client_address`); the actor is read lazily,
because an API token authenticates the caller after the middleware has run. Audit entries
written by django-auditlog for a model change, and `audit_record` calls that name no address,
take them from here. Outside a request (a command, a task) there is none: no actor, no address.
"""

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    address: str | None
    actor_id: Callable[[], int | None]
    organization_id: Callable[[], int | None]


_current: ContextVar[AuditContext | None] = ContextVar("tandem_audit_context", default=None)


def current() -> AuditContext | None:
    return _current.get()


@contextlib.contextmanager
def audit_context(
    *,
    address: str | None,
    actor_id: Callable[[], int | None],
    organization_id: Callable[[], int | None],
) -> Iterator[None]:
    token = _current.set(
        AuditContext(address=address, actor_id=actor_id, organization_id=organization_id)
    )
    try:
        yield
    finally:
        _current.reset(token)
