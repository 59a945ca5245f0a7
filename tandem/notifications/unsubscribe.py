"""Signed one-click unsubscribe links: the token names a person and a category, signed with the
site's secret (django.core.signing), so it works without signing in and cannot be forged or
pointed at someone else. It does not expire: an old email's link must keep working."""

from django.core import signing
from django.utils.translation import gettext

from tandem.core.errors import NotFound
from tandem.notifications.models import NotificationCategory

_SALT = "tandem.notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, category: str) -> str:
    """The token of the link that stops `category` emails to user `user_id`."""
    return signing.Signer(salt=_SALT).sign_object({"u": user_id, "c": category}, compress=False)


def unsubscribe_read(token: str) -> tuple[int, str]:
    """(user id, category) of a token; NotFound when it was tampered with or names nothing."""
    try:
        value = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as error:
        raise NotFound(gettext("This unsubscribe link is not valid.")) from error
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("u"), int)
        or value.get("c") not in NotificationCategory.values
    ):
        raise NotFound(gettext("This unsubscribe link is not valid."))
    return value["u"], value["c"]
