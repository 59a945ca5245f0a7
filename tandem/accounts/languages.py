"""The one owner of which language a person reads Tandem in.

A person's language is `User.language`, chosen on their profile; a new person starts with
their organisation's `default_language`. Pages activate it per request
(`PersonLanguageMiddleware`, after authentication, so it wins over the browser's
Accept-Language, which Django's LocaleMiddleware applies to the signed-out); emails, pushes and
chat messages are rendered in the recipient's language with `language_for`.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# The source language: what every msgid is written in.
SOURCE_LANGUAGE = "en-gb"


def language_codes() -> list[str]:
    """Every language a person may choose, the source language first."""
    return [code for code, _name in settings.LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    """(code, name in its own language) for a chooser: a reader finds their language by the
    name they know it by, whatever the page's language."""
    return list(settings.LANGUAGES)


def supported(code: str | None) -> str:
    """`code` when it is a language Tandem ships, else the source language."""
    return code if code in language_codes() else SOURCE_LANGUAGE


def language_for(user: object) -> str:
    """The language to write to `user` in (a page, an email, a push): their own choice."""
    return supported(getattr(user, "language", None))


class PersonLanguageMiddleware:
    """Activates the signed-in person's language for the rest of the request.

    Reads `request.user`, which the session has loaded for any signed-in page anyway; a request
    without a session (the API with a token, /health/) costs no query here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            code = language_for(user)
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        return response
