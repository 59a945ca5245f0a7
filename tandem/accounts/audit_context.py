"""The audit trail's view of a request: who acts and from which address.

The address is the one answer to it (`client_address`); the actor is read when an entry is
written, so a caller authenticated later by an API token is still named. Sign-ins (Django's
`user_logged_in` / `user_login_failed` signals: every sign-in path sends them, the Django
admin's and the sign-in link's included) are recorded here too: a cross-cutting concern,
not domain flow.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest, HttpResponse

from tandem.accounts import throttle
from tandem.accounts.client_address import client_address
from tandem.accounts.models import User
from tandem.audit import events
from tandem.audit.context import audit_context
from tandem.audit.services import audit_record


def _signed_in(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def actor_id() -> int | None:
            user = _signed_in(request)
            return user.pk if user else None

        def organization_id() -> int | None:
            user = _signed_in(request)
            return user.organization_id if user else None

        with audit_context(
            address=client_address(request), actor_id=actor_id, organization_id=organization_id
        ):
            return self.get_response(request)


def record_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if not isinstance(user, User):
        return
    audit_record(
        actor=user,
        event=events.SIGN_IN_SUCCEEDED,
        organization_id=user.organization_id,
        target=user,
        address=client_address(request),
    )


def record_sign_in_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    typed = credentials.get("username") or credentials.get("email") or ""
    email = throttle.normalise_email(str(typed))
    user = User.objects.filter(email__iexact=email).first() if email else None
    audit_record(
        actor=None,
        event=events.SIGN_IN_FAILED,
        organization_id=user.organization_id if user else None,
        target=user,
        address=client_address(request),
        # An address with no account is kept (for platform staff) but shown to no organisation.
        data=None if user else {"email": email[:254]},
    )


def connect_sign_in_receivers() -> None:
    user_logged_in.connect(record_sign_in, dispatch_uid="tandem.audit.sign_in")
    user_login_failed.connect(record_sign_in_failure, dispatch_uid="tandem.audit.sign_in_failed")
