"""Markdown to safe HTML, at render time (the database keeps the Markdown).

`markdown` turns the text into HTML (raw HTML in the source passes through it), then `nh3`
keeps only a small set of tags and attributes, drops every URL scheme but http(s)/mailto, and
gives every link rel="noopener nofollow". Checklists and guides are rendered as segments so the
page can put a checkbox or a question card where each `- [ ]` / `? ` line stood.
"""

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


def markdown_to_html(text: str) -> str:
    """Sanitised HTML for a Markdown text."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
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
