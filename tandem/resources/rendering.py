"""Markdown to safe HTML, at render time (the database keeps the Markdown).

`markdown` turns the text into HTML (raw HTML in the source passes through it), then `nh3`
keeps only a small set of tags and attributes, drops every URL scheme but http(s)/mailto, and
gives every link rel="noopener nofollow". `link_target_allowed` also drops what nh3 passes as
relative but a browser reads as another site: protocol-relative `//host` (and its backslash
spellings), `http:host` without its slashes. Images are not allowed at all. Checklists and
guides are rendered as segments so the page can put a checkbox or a question card where each
`- [ ]` / `? ` line stood.
"""

import re
from dataclasses import dataclass

import markdown  # type: ignore[import-untyped,unused-ignore]
import nh3

from tandem.resources.content_format import CHECKLIST_ITEM_RE, QUESTION_RE
from tandem.resources.models import ResourceKind

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "poster", "background"}

# What a browser removes before parsing a URL (WHATWG URL standard): leading and trailing C0
# controls and spaces, and every tab and newline anywhere.
_EDGE_JUNK = "".join(chr(code) for code in range(0x21))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_PATH_START = re.compile(r"[/?#]")
_WEB_URL = re.compile(r"^https?://[^/?#@]*[^/?#@:.]")


def link_target_allowed(value: str) -> bool:
    """Whether a link may point at `value`: an http(s) URL naming its host, a mailto:, or a
    path within Tandem (absolute, relative, a ?query or #fragment). Judged the way a browser
    reads it, where a backslash is a slash, so `/\\evil.example` is `//evil.example`."""
    url = _TAB_NEWLINE.sub("", value.strip(_EDGE_JUNK)).replace("\\", "/")
    if url.startswith("//"):
        return False
    # A colon before the first / ? or # makes the start a scheme (or, with spaces in it, text
    # that a careless parser may take for one): only the three known ones pass.
    head = _PATH_START.split(url, maxsplit=1)[0]
    if ":" not in head:
        return True
    name = head.split(":", 1)[0].lower()
    if name == "mailto":
        return True
    return name in ("http", "https") and bool(_WEB_URL.match(url.lower()))


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in URL_ATTRIBUTES and not link_target_allowed(value):
        return None
    return value


def markdown_to_html(text: str) -> str:
    """Sanitised HTML for a Markdown text."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener nofollow",
    )


@dataclass(frozen=True)
class Segment:
    """A run of Markdown (`html` set) or one checklist item / guide question (`index` set:
    its 0-based order among the body's items)."""

    html: str = ""
    index: int | None = None


def body_segments(kind: str, text: str) -> list[Segment]:
    """The body in reading order, items and questions taken out of the Markdown in place."""
    pattern = {ResourceKind.CHECKLIST: CHECKLIST_ITEM_RE, ResourceKind.GUIDE: QUESTION_RE}.get(
        ResourceKind(kind)
    )
    if pattern is None:
        return [Segment(html=markdown_to_html(text))] if text.strip() else []
    segments: list[Segment] = []
    chunk: list[str] = []
    count = 0

    def flush() -> None:
        if "\n".join(chunk).strip():
            segments.append(Segment(html=markdown_to_html("\n".join(chunk))))
        chunk.clear()

    for line in text.split("\n"):
        if pattern.match(line):
            flush()
            segments.append(Segment(index=count))
            count += 1
        else:
            chunk.append(line)
    flush()
    return segments


def module_intro(text: str) -> str:
    """The Markdown before a module's first lesson."""
    lines = []
    for line in text.split("\n"):
        if line.startswith(("## Lesson:", "## Check")):
            break
        lines.append(line)
    return "\n".join(lines).strip()
