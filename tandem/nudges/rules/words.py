"""A nudge's words, written once and read in each recipient's language.

The rules run set-wise over every programme and know a recipient only by id, so a message is
built as `Words`: a `str` that reads as its British English source (what the rules' tests and
the outbox key see), keeping the msgid and the values so that `in_active_language()` can put
it into the recipient's language when the outbox rows are written (`services._outbox_items`).
Mark each msgid with `gettext_noop` so makemessages finds it.
"""

import datetime
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext


class Day:
    """A date inside a message: "05 Mar 2030" in the source, the month named in the language
    the message is written in otherwise."""

    __slots__ = ("value",)

    def __init__(self, value: datetime.date) -> None:
        self.value = value

    def source(self) -> str:
        return f"{self.value:%d %b %Y}"

    def __str__(self) -> str:
        return date_format(self.value, "d M Y")


class Words(str):
    """Text that reads as `msgid % values` in the source language."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, values: dict[str, Any] | None = None) -> "Words":
        values = values or {}
        source = {
            name: value.source() if isinstance(value, Day) else value
            for name, value in values.items()
        }
        words = super().__new__(cls, msgid % source if values else msgid)
        words.msgid = msgid
        words.values = values
        return words

    def in_active_language(self) -> str:
        """The text in the language active now."""
        text = gettext(self.msgid)
        return text % self.values if self.values else text


def in_active_language(text: str) -> str:
    """`text` in the active language when it is `Words`; as it is otherwise."""
    return text.in_active_language() if isinstance(text, Words) else text
