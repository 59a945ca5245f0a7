"""The resource file format, parsed strictly (no YAML library): a front-matter block between
`---` lines of `key: value` lines, then a body whose shape depends on the kind.

    ---
    title: A first-meeting checklist
    kind: checklist            # article | checklist | guide | link | video | module
    audience: both             # mentor | mentee | both
    stages: getting-started    # comma-separated
    skills: active listening   # comma-separated, free text (optional)
    summary: One sentence shown in lists.
    url: https://...           # only for link/video
    minutes: 5
    ---
    <body>

Bodies: article = Markdown; checklist = Markdown with `- [ ] item` lines; guide = Markdown with
`? question` lines; module = optional intro, then lessons under `## Lesson: <title>` lines and an
optional final `## Check` of `Q: question` lines each followed by `- [x] right` / `- [ ] wrong`
options (exactly one right). link/video: an optional Markdown description.

A `#` preceded by spaces starts a comment on every key except title and summary. Every error is a
ContentError naming the line (1-based, of the whole file) and, when parsing a file, the file.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils.translation import gettext

from tandem.resources.models import URL_KINDS, Audience, ResourceKind, Stage

T = TypeVar("T")

KEYS = ("title", "kind", "audience", "stages", "skills", "summary", "url", "minutes")
REQUIRED_KEYS = ("title", "kind", "audience", "stages", "summary", "minutes")
FREE_TEXT_KEYS = ("title", "summary")  # a '#' there is text, not a comment
TITLE_MAX = 200
SUMMARY_MAX = 400
SKILL_MAX = 60
SKILLS_MAX = 12
MINUTES_MAX = 600
ITEM_MAX = 500
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_LINE_RE = re.compile(r"^([a-z_]+):(?:\s+(.*))?$")
COMMENT_RE = re.compile(r"\s+#.*$")
CHECKLIST_ITEM_RE = re.compile(r"^\s*- \[ \] (\S.*)$")
CHECKLIST_LIKE_RE = re.compile(r"^\s*[-*] \[")
QUESTION_RE = re.compile(r"^\? (\S.*)$")
LESSON_RE = re.compile(r"^## Lesson:(.*)$")
CHECK_HEADING_RE = re.compile(r"^## Check\s*$")
CHECK_QUESTION_RE = re.compile(r"^Q: (\S.*)$")
CHECK_OPTION_RE = re.compile(r"^- \[( |x|X)\] (\S.*)$")


@dataclass
class ContentError(Exception):
    """What is wrong, on which line, in which file (when known)."""

    message: str
    line: int | None = None
    file: str = ""

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class ParsedLesson:
    title: str
    body_markdown: str
    line: int


@dataclass(frozen=True)
class ParsedCheckQuestion:
    text: str
    options: tuple[tuple[str, bool], ...]  # (text, is_correct)
    line: int


@dataclass(frozen=True)
class ParsedBody:
    checklist_items: tuple[str, ...] = ()
    guide_questions: tuple[str, ...] = ()
    lessons: tuple[ParsedLesson, ...] = ()
    check_questions: tuple[ParsedCheckQuestion, ...] = ()


@dataclass(frozen=True)
class ParsedPiece:
    slug: str
    title: str
    kind: str
    audience: str
    stages: list[str]
    skills: list[str]
    summary: str
    url: str
    minutes: int
    body_markdown: str
    body: ParsedBody = field(default_factory=ParsedBody)
    content_hash: str = ""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_list(value: str) -> list[str]:
    """'a, b,  c' -> ['a', 'b', 'c'] (empty parts dropped)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def check_kind(value: str) -> str:
    if value not in ResourceKind.values:
        raise ContentError(
            gettext("Unknown kind %(value)r; use one of %(choices)s.")
            % {"value": value, "choices": ", ".join(ResourceKind.values)}
        )
    return value


def check_audience(value: str) -> str:
    if value not in Audience.values:
        raise ContentError(
            gettext("Unknown audience %(value)r; use one of %(choices)s.")
            % {"value": value, "choices": ", ".join(Audience.values)}
        )
    return value


def check_stages(values: list[str]) -> list[str]:
    if not values:
        raise ContentError(gettext("Give at least one stage."))
    unknown = [value for value in values if value not in Stage.values]
    if unknown:
        raise ContentError(
            gettext("Unknown stage %(value)r; use any of %(choices)s.")
            % {"value": unknown[0], "choices": ", ".join(Stage.values)}
        )
    # Keep the journey's order, once each.
    return [stage for stage in Stage.values if stage in values]


def check_skills(values: list[str]) -> list[str]:
    if len(values) > SKILLS_MAX:
        raise ContentError(gettext("At most %(limit)s skills.") % {"limit": SKILLS_MAX})
    seen: dict[str, str] = {}
    for value in values:
        if len(value) > SKILL_MAX:
            raise ContentError(
                gettext("A skill is at most %(limit)s characters: %(start)r...")
                % {"limit": SKILL_MAX, "start": value[:20]}
            )
        seen.setdefault(value.lower(), value)
    return list(seen.values())


def check_minutes(value: str | int) -> int:
    if isinstance(value, str):
        if not value.isdigit():
            raise ContentError(
                gettext("minutes must be a whole number, not %(value)r.") % {"value": value}
            )
        value = int(value)
    if not 1 <= value <= MINUTES_MAX:
        raise ContentError(
            gettext("minutes must be between 1 and %(limit)s.") % {"limit": MINUTES_MAX}
        )
    return value


def check_url(kind: str, url: str) -> str:
    if kind in URL_KINDS:
        if not url:
            raise ContentError(gettext("A %(kind)s needs a url.") % {"kind": kind})
        if not re.match(r"^https?://[^\s/]+\.[^\s]*$", url):
            raise ContentError(
                gettext("The url must be an http(s) address, not %(url)r.") % {"url": url}
            )
    elif url:
        raise ContentError(
            gettext("Only links and videos have a url (this is a %(kind)s).") % {"kind": kind}
        )
    return url


def check_text(name: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ContentError(gettext("The %(name)s is empty.") % {"name": name})
    if len(value) > limit:
        raise ContentError(
            gettext("The %(name)s is at most %(limit)s characters.")
            % {"name": name, "limit": limit}
        )
    return value


def _item(text: str, line: int, what: str) -> str:
    text = text.strip()
    if len(text) > ITEM_MAX:
        raise ContentError(
            gettext("A %(what)s is at most %(limit)s characters.")
            % {"what": what, "limit": ITEM_MAX},
            line,
        )
    return text


def parse_body(kind: str, body: str, *, first_line: int = 1) -> ParsedBody:
    """The ordered children of a body. `first_line` is the file line of the body's first line,
    so errors name the line a writer sees in their editor."""
    lines = body.split("\n")

    def at(index: int) -> int:
        return first_line + index

    if kind == ResourceKind.ARTICLE:
        if not body.strip():
            raise ContentError(gettext("An article needs a body."), at(0))
        return ParsedBody()
    if kind in URL_KINDS:
        return ParsedBody()
    if kind == ResourceKind.CHECKLIST:
        items = []
        for index, line in enumerate(lines):
            match = CHECKLIST_ITEM_RE.match(line)
            if match:
                items.append(_item(match.group(1), at(index), "checklist item"))
            elif CHECKLIST_LIKE_RE.match(line):
                raise ContentError(
                    gettext(
                        "A checklist item is written '- [ ] item' (one space in the brackets)."
                    ),
                    at(index),
                )
        if not items:
            raise ContentError(gettext("A checklist needs at least one '- [ ] item' line."), at(0))
        return ParsedBody(checklist_items=tuple(items))
    if kind == ResourceKind.GUIDE:
        questions = []
        for index, line in enumerate(lines):
            if not line.startswith("?"):
                continue
            match = QUESTION_RE.match(line)
            if not match:
                raise ContentError(gettext("A guide question is written '? question'."), at(index))
            questions.append(_item(match.group(1), at(index), "question"))
        if not questions:
            raise ContentError(
                gettext("A conversation guide needs at least one '? question' line."), at(0)
            )
        return ParsedBody(guide_questions=tuple(questions))
    return _parse_module(lines, at)


def _parse_module(lines: list[str], at: Callable[[int], int]) -> ParsedBody:
    lessons: list[ParsedLesson] = []
    current: tuple[str, int, list[str]] | None = None
    check_start: int | None = None

    def close_lesson() -> None:
        if current is None:
            return
        title, line, body_lines = current
        text = "\n".join(body_lines).strip()
        if not text:
            raise ContentError(
                gettext("The lesson %(title)r has no text.") % {"title": title}, line
            )
        lessons.append(ParsedLesson(title=title, body_markdown=text, line=line))

    for index, line in enumerate(lines):
        lesson = LESSON_RE.match(line)
        if lesson:
            close_lesson()
            title = lesson.group(1).strip()
            if not title:
                raise ContentError(
                    gettext("A lesson needs a title: '## Lesson: <title>'."), at(index)
                )
            if len(title) > TITLE_MAX:
                raise ContentError(
                    gettext("A lesson title is at most %(limit)s characters.")
                    % {"limit": TITLE_MAX},
                    at(index),
                )
            current = (title, at(index), [])
        elif CHECK_HEADING_RE.match(line):
            close_lesson()
            current = None
            check_start = index
            break
        elif current is not None:
            current[2].append(line)
    else:
        close_lesson()
    if not lessons:
        raise ContentError(
            gettext("A training module needs at least one '## Lesson: <title>'."), at(0)
        )
    questions: list[ParsedCheckQuestion] = []
    if check_start is not None:
        questions = _parse_check(lines, check_start, at)
    return ParsedBody(lessons=tuple(lessons), check_questions=tuple(questions))


def _parse_check(
    lines: list[str], start: int, at: Callable[[int], int]
) -> list[ParsedCheckQuestion]:
    questions: list[ParsedCheckQuestion] = []
    text = ""
    line_no = 0
    options: list[tuple[str, bool]] = []

    def close() -> None:
        if not text:
            return
        if len(options) < 2:
            raise ContentError(
                gettext("The question %(text)r needs at least two options.") % {"text": text},
                line_no,
            )
        right = sum(1 for _, is_correct in options if is_correct)
        if right != 1:
            raise ContentError(
                gettext(
                    "The question %(text)r needs exactly one right option ('- [x]'), not %(right)s."
                )
                % {"text": text, "right": right},
                line_no,
            )
        questions.append(ParsedCheckQuestion(text=text, options=tuple(options), line=line_no))

    for index in range(start + 1, len(lines)):
        line = lines[index].rstrip()
        if not line.strip():
            continue
        question = CHECK_QUESTION_RE.match(line)
        option = CHECK_OPTION_RE.match(line)
        if question:
            close()
            text, line_no, options = _item(question.group(1), at(index), "question"), at(index), []
        elif option:
            if not text:
                raise ContentError(
                    gettext("An option comes before any 'Q: question' line."), at(index)
                )
            options.append((_item(option.group(2), at(index), "option"), option.group(1) != " "))
        elif LESSON_RE.match(line):
            raise ContentError(gettext("Lessons come before the '## Check' section."), at(index))
        else:
            raise ContentError(
                gettext(
                    "In '## Check' write 'Q: question' lines and '- [x] right' / '- [ ] wrong' "
                    "options only."
                ),
                at(index),
            )
    close()
    if not questions:
        raise ContentError(gettext("The '## Check' section has no 'Q: question'."), at(start))
    return questions


def parse_piece(text: str, *, slug: str, file: str = "") -> ParsedPiece:
    """One resource file, checked strictly. Raises ContentError naming `file` and the line."""
    try:
        return _parse_piece(text, slug=slug)
    except ContentError as error:
        error.file = file or error.file
        raise


def _parse_piece(text: str, *, slug: str) -> ParsedPiece:
    if not SLUG_RE.match(slug):
        raise ContentError(
            f"The file name {slug!r} must be lower-case words joined by hyphens (a slug).", 1
        )
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError("The file must start with a '---' line (the front matter).", 1)
    values: dict[str, str] = {}
    seen_at: dict[str, int] = {}
    end = None
    for index in range(1, len(lines)):
        line_no = index + 1
        line = lines[index]
        if line.strip() == "---":
            end = index
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = KEY_LINE_RE.match(line)
        if not match:
            raise ContentError("Expected a 'key: value' line.", line_no)
        key, value = match.group(1), (match.group(2) or "")
        if key not in KEYS:
            raise ContentError(f"Unknown key {key!r}; the keys are {', '.join(KEYS)}.", line_no)
        if key in values:
            raise ContentError(f"{key!r} is given twice (first on line {seen_at[key]}).", line_no)
        if key not in FREE_TEXT_KEYS:
            value = COMMENT_RE.sub("", value)
        values[key], seen_at[key] = value.strip(), line_no
    if end is None:
        raise ContentError("The front matter is not closed by a '---' line.", len(lines))
    for key in REQUIRED_KEYS:
        if not values.get(key):
            raise ContentError(f"The front matter needs '{key}:'.", end + 1)

    def checked(key: str, check: Callable[[], T]) -> T:
        try:
            return check()
        except ContentError as error:
            error.line = seen_at.get(key, end + 1)
            raise

    kind = checked("kind", lambda: check_kind(values["kind"]))
    title = checked("title", lambda: check_text("title", values["title"], TITLE_MAX))
    summary = checked("summary", lambda: check_text("summary", values["summary"], SUMMARY_MAX))
    audience = checked("audience", lambda: check_audience(values["audience"]))
    stages = checked("stages", lambda: check_stages(split_list(values["stages"])))
    skills = checked("skills", lambda: check_skills(split_list(values.get("skills", ""))))
    minutes = checked("minutes", lambda: check_minutes(values["minutes"]))
    url = checked("url", lambda: check_url(kind, values.get("url", "")))
    body_lines = lines[end + 1 :]
    body = "\n".join(body_lines).strip("\n")
    # The body's first line in the file (after any blank lines strip() removed).
    leading = len(body_lines) - len("\n".join(body_lines).lstrip("\n").split("\n"))
    parsed = parse_body(kind, body, first_line=end + 2 + leading)
    return ParsedPiece(
        slug=slug,
        title=title,
        kind=kind,
        audience=audience,
        stages=stages,
        skills=skills,
        summary=summary,
        url=url,
        minutes=minutes,
        body_markdown=body,
        body=parsed,
        content_hash=content_hash(text),
    )
