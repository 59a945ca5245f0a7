from django.http import HttpRequest

from tandem.notifications.selectors import unread_count_for_user


def unread_notifications(request: HttpRequest) -> dict[str, int]:
    """How many unread notifications the signed-in person has, for the navigation (one query;
    0 for anonymous visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count_for_user(actor=user)}
