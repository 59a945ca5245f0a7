"""Single-line text: titles and names that end up in an email's subject, a header or a CSV cell.

A line break in a meeting title would make every later email about that meeting fail with
BadHeaderError; other control characters are invisible in the page and garble the file or the
mail. Tandem rejects them where the text comes in (a 422 field error on the API, a field error
on the form) rather than collapsing them silently: the person sees what is wrong and the stored
title is exactly what they typed. `SingleLine` (pydantic) and `SingleLineField` (Django forms,
in `tandem.core.forms`) both call `single_line_problem`, so the API and the pages agree.
"""

import re
from typing import Annotated

from django.utils.translation import gettext, gettext_noop
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

SINGLE_LINE_MESSAGE = gettext_noop(
    "Keep this to one line: remove line breaks, tabs and other control characters."
)

# C0 controls (tab, LF, CR, ...), DEL, C1 controls (NEL among them), and the Unicode line and
# paragraph separators, which some mail clients and editors treat as line breaks.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What `one_line` folds into a single space.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line_problem(value: str) -> str | None:
    """Why `value` is not one line of text, or None when it is."""
    return gettext(SINGLE_LINE_MESSAGE) if _NOT_ONE_LINE.search(value) else None


def one_line(value: str) -> str:
    """`value` with every run of line breaks and control characters folded into one space:
    for text that must go out on one line whatever it holds (an email subject)."""
    return _BREAKS.sub(" ", value).strip()


def _check(value: str) -> str:
    if single_line_problem(value):
        raise PydanticCustomError("single_line", SINGLE_LINE_MESSAGE)
    return value


# A request field that must be one line (ninja answers 422 naming the field otherwise).
SingleLine = Annotated[str, AfterValidator(_check)]
