from django.http import HttpRequest

from tandem.accounts.models import User
from tandem.notifications.selectors import unread_count_for_user


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """How many unread notifications the signed-in person has, for the navigation (one query;
    0 for anonymous visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count_for_request(request, actor=user)}


def unread_count_for_request(request: HttpRequest, *, actor: User) -> int:
    """`unread_count_for_user`, counted once per request: the page, its navigation and any
    fragment rendered with the request's context share it (they showed three COUNTs)."""
    cached: int | None = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = unread_count_for_user(actor=actor)
        request._unread_notifications = cached  # type: ignore[attr-defined]
    return cached
