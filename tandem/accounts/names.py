"""How Tandem names a person: the one owner of a display name and a short name.

The rule, everywhere a person is shown or written into a message (pages, emails, the pair's
timeline, API fields, exports): the first and last name as typed, with runs of whitespace
(leading, trailing, inner) collapsed to single spaces; when that leaves nothing, the email
address. The short name (greetings, "Ask Sam") is the first name under the same rule, falling
back to the display name. One fallback, so a person reads the same on a page, in an email and
in the API.
"""

from typing import Protocol


class Named(Protocol):
    first_name: str
    last_name: str
    email: str


def _collapsed(*parts: str) -> str:
    return " ".join(" ".join(parts).split())


def name_from(first_name: str, last_name: str, email: str) -> str:
    """The display name from its three fields (for rows read without a User, e.g. `.values()`)."""
    return _collapsed(first_name or "", last_name or "") or email


def display_name(user: Named) -> str:
    """A person's name as Tandem shows it: first and last name, else their email address."""
    return name_from(user.first_name, user.last_name, user.email)


def short_name(user: Named) -> str:
    """How Tandem addresses a person: their first name, else their display name."""
    return _collapsed(user.first_name or "") or display_name(user)
