"""Messages in their recipient's language.

A message is written once per recipient, in the language that person reads Tandem in
(`tandem.accounts.languages.language_for`): its subject and text when it is enqueued, its frame
(the email's footer, a chat card's button) when it is delivered. A caller telling several people
at once passes `Wording` — a lazy translation or a function that returns the text — so each
recipient's copy is worded under their own language.
"""

from collections.abc import Callable, Iterable

from django.utils import translation
from django.utils.functional import Promise

from tandem.accounts.languages import SOURCE_LANGUAGE, language_for, supported
from tandem.accounts.models import User
from tandem.core.json_rows import in_values

# Text, a lazy translation (`gettext_lazy`), or a function called in the recipient's language
# (for a sentence with placeholders: `lambda: _("%(name)s signed") % {"name": name}`).
Wording = str | Promise | Callable[[], str]


def recipient_language(recipient: object) -> translation.override:
    """`with recipient_language(user):` writes what follows in `user`'s language."""
    return translation.override(language_for(recipient))


def worded(wording: Wording) -> str:
    """The text of `wording` in the language active now."""
    if callable(wording):
        return str(wording())
    return str(wording)


def recipient_languages(user_ids: Iterable[int]) -> dict[int, str]:
    """The language of each of `user_ids` who reads Tandem in another language than the source
    one (a bulk `language_for`, for writers of many messages at once). One query."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return {
        pk: supported(language)
        for pk, language in User.objects.filter(pk__in=in_values(ids))
        .exclude(language=SOURCE_LANGUAGE)
        .values_list("pk", "language")
        if supported(language) != SOURCE_LANGUAGE
    }
