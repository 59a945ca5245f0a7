"""`viewer_zone` in every template: the signed-in person's zone name (UTC for the signed-out),
for `{{ moment|local_time:viewer_zone }}`. Lazy: read (one query, none when the view already
loaded the profile) only by a page that shows a time."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import lazy

from tandem.people.selectors import profile_timezone_get
from tandem.people.zones import UTC_NAME


def viewer_zone(request: HttpRequest) -> dict[str, Any]:
    def name() -> str:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return UTC_NAME
        return profile_timezone_get(user=user)

    return {"viewer_zone": lazy(name, str)()}
