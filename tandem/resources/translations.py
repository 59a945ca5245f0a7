"""The starter content in the reader's language.

Each shipped piece may have a twin per language, `content/<language>/<same slug>.md`, in the
same format (`content_format`), with the same kind, audience, stages, skills, minutes and url
and the same children in the same order (checklist items, guide questions, lessons, knowledge
check questions and options): only the words people read differ. Twins are shipped text like
the gettext catalogues, so they are read from the files once per process and never copied into
each organisation's rows; `load_starter_content` checks them with the English before loading.

A reader whose language has a twin reads it wherever a piece is shown through this app's
selectors (the library, a piece's page, the managers' list, meeting mode's guide): `localise`
swaps the words of the fetched rows in memory. Only an untouched starter piece is swapped: an
organisation's own pieces, and starter pieces it edited, read as written. A swapped row is a
display copy: `Resource.save` refuses it, so a translation never lands in the database.
"""

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Final, TypeVar

from django.utils import translation

from tandem.accounts.languages import SOURCE_LANGUAGE, language_codes
from tandem.resources.content_format import ContentError, ParsedPiece, parse_piece
from tandem.resources.models import Resource
from tandem.resources.services import CONTENT_DIR, starter_content_read

R = TypeVar("R", bound=Resource)
# What a twin must keep from the English: everything but the words.
SAME_AS_SOURCE: Final = ("kind", "audience", "stages", "skills", "minutes", "url")


def _shape(piece: ParsedPiece) -> tuple[object, ...]:
    body = piece.body
    return (
        len(body.checklist_items),
        len(body.guide_questions),
        len(body.lessons),
        tuple(len(question.options) for question in body.check_questions),
        tuple(
            tuple(is_correct for _text, is_correct in question.options)
            for question in body.check_questions
        ),
    )


def twin_errors(source: ParsedPiece, twin: ParsedPiece) -> list[str]:
    """What makes `twin` not a translation of `source` (empty when it is one)."""
    errors = [
        f"{name} differs from the English ({getattr(twin, name)!r}, not {getattr(source, name)!r})."
        for name in SAME_AS_SOURCE
        if getattr(twin, name) != getattr(source, name)
    ]
    if _shape(twin) != _shape(source):
        errors.append(
            "The items, questions, lessons or check options differ in number or order from the "
            "English."
        )
    return errors


def translations_read(
    *, language: str, sources: Iterable[ParsedPiece], directory: Path = CONTENT_DIR
) -> dict[str, ParsedPiece]:
    """The twins in `directory/<language>/` of `sources`, by slug, checked against them: a
    broken or mismatched twin raises ContentError naming its file; a source without a twin
    is simply absent (it reads in English)."""
    folder = directory / language
    by_slug = {piece.slug: piece for piece in sources}
    twins: dict[str, ParsedPiece] = {}
    for path in sorted(folder.glob("*.md")):
        name = f"{language}/{path.name}"
        source = by_slug.get(path.stem)
        if source is None:
            raise ContentError("No English piece has this slug.", None, name)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ContentError("The file is not UTF-8.", None, name) from error
        twin = parse_piece(text, slug=path.stem, file=name)
        errors = twin_errors(source, twin)
        if errors:
            raise ContentError(" ".join(errors), None, name)
        twins[path.stem] = twin
    return twins


@cache
def _shipped(language: str) -> dict[str, ParsedPiece]:
    if language == SOURCE_LANGUAGE or language not in language_codes():
        return {}
    return translations_read(language=language, sources=starter_content_read())


def shipped_twin(starter_key: str, language: str) -> ParsedPiece | None:
    """The shipped translation of the starter piece `starter_key` into `language`, if any."""
    return _shipped(language).get(starter_key)


def _twin_for(resource: Resource, language: str) -> ParsedPiece | None:
    if not resource.is_starter or resource.is_edited:
        return None
    return shipped_twin(resource.starter_key, language)


def _prefetched(row: object, name: str) -> list[object] | None:
    cache_ = getattr(row, "_prefetched_objects_cache", {})
    return list(cache_[name]) if name in cache_ else None


def localise(resources: Iterable[R], language: str | None = None) -> list[R]:
    """`resources` with the words of each untouched starter piece in `language` (the active
    language by default): title, summary, body, and the children already prefetched. No query.
    Rows without a twin are returned as they are."""
    language = language or translation.get_language() or SOURCE_LANGUAGE
    rows = list(resources)
    if language == SOURCE_LANGUAGE:
        return rows
    for resource in rows:
        twin = _twin_for(resource, language)
        if twin is None:
            continue
        resource.title = twin.title
        resource.summary = twin.summary
        resource.body_markdown = twin.body_markdown
        resource.shown_in_language = language
        body = twin.body
        for name, texts in (
            ("checklist_items", body.checklist_items),
            ("guide_questions", body.guide_questions),
        ):
            for child, text in zip(_prefetched(resource, name) or [], texts, strict=False):
                child.text = text  # type: ignore[attr-defined]
        for lesson, parsed in zip(
            _prefetched(resource, "lessons") or [], body.lessons, strict=False
        ):
            lesson.title = parsed.title  # type: ignore[attr-defined]
            lesson.body_markdown = parsed.body_markdown  # type: ignore[attr-defined]
        questions = _prefetched(resource, "check_questions") or []
        for question, parsed_question in zip(questions, body.check_questions, strict=False):
            question.text = parsed_question.text  # type: ignore[attr-defined]
            options = _prefetched(question, "options") or []
            for option, (text, _is_correct) in zip(options, parsed_question.options, strict=False):
                option.text = text  # type: ignore[attr-defined]
    return rows
