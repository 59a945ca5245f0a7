"""Every write about the resource library: creating, editing, hiding and loading pieces, and a
person's progress (done, rating, ticked checklist items, lessons, the knowledge check).

Each save parses the body with the same strict parser the shipped files go through
(`content_format.py`) and re-syncs the ordered children (checklist items, guide questions,
lessons, check questions) in place by position, so lesson completions survive an edit.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from tandem.accounts.models import Organization, Role, User
from tandem.core.errors import Conflict, FieldError, Forbidden, InvalidInput
from tandem.programs.permissions import program_access
from tandem.resources.content_format import (
    SUMMARY_MAX,
    TITLE_MAX,
    ContentError,
    ParsedBody,
    ParsedPiece,
    check_audience,
    check_kind,
    check_minutes,
    check_skills,
    check_stages,
    check_text,
    check_url,
    parse_body,
    parse_piece,
)
from tandem.resources.models import (
    PASS_PERCENT,
    ChecklistItem,
    CheckOption,
    CheckQuestion,
    GuideQuestion,
    Lesson,
    LessonCompletion,
    Resource,
    ResourceKind,
    ResourceProgress,
)
from tandem.resources.permissions import resource_access

CONTENT_DIR: Final = Path(__file__).resolve().parent / "content"
BODY_MAX = 100_000
RESOURCE_FIELDS = (
    "kind",
    "title",
    "summary",
    "body_markdown",
    "url",
    "minutes",
    "audience",
    "stages",
    "skills",
)


class _Keep:
    """'Leave this field as it is' in an update."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final[Any] = _Keep()


def fields_hash(values: dict[str, Any]) -> str:
    """A fingerprint of a piece's content, to tell an organisation's edit from a shipped update."""
    data = json.dumps({name: values[name] for name in RESOURCE_FIELDS}, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _resource_values(resource: Resource) -> dict[str, Any]:
    return {name: getattr(resource, name) for name in RESOURCE_FIELDS}


def _piece_values(piece: ParsedPiece) -> dict[str, Any]:
    return {name: getattr(piece, name) for name in RESOURCE_FIELDS}


def _validated(values: dict[str, Any]) -> tuple[dict[str, Any], ParsedBody]:
    """The fields checked and normalised as the file parser does; InvalidInput per field."""
    errors: list[FieldError] = []
    out: dict[str, Any] = dict(values)
    checks = {
        "kind": lambda: check_kind(values["kind"]),
        "title": lambda: check_text("title", values["title"], TITLE_MAX),
        "audience": lambda: check_audience(values["audience"]),
        "stages": lambda: check_stages([str(stage) for stage in values["stages"]]),
        "skills": lambda: check_skills([str(skill).strip() for skill in values["skills"] if skill]),
        "minutes": lambda: check_minutes(int(values["minutes"])),
    }
    for name, check in checks.items():
        try:
            out[name] = check()
        except ContentError as error:
            errors.append(FieldError(name, error.message))
    out["summary"] = (values.get("summary") or "").strip()
    if len(out["summary"]) > SUMMARY_MAX:
        errors.append(
            FieldError(
                "summary",
                gettext("The summary is at most %(limit)s characters.") % {"limit": SUMMARY_MAX},
            )
        )
    out["body_markdown"] = (values.get("body_markdown") or "").replace("\r\n", "\n").strip("\n")
    if len(out["body_markdown"]) > BODY_MAX:
        errors.append(
            FieldError(
                "body_markdown",
                gettext("The body is at most %(limit)s characters.") % {"limit": BODY_MAX},
            )
        )
    parsed = ParsedBody()
    if not errors:
        try:
            out["url"] = check_url(out["kind"], (values.get("url") or "").strip())
        except ContentError as error:
            errors.append(FieldError("url", error.message))
        try:
            parsed = parse_body(out["kind"], out["body_markdown"])
        except ContentError as error:
            errors.append(FieldError("body_markdown", str(error)))
    if errors:
        raise InvalidInput(errors[0].message, errors)
    return out, parsed


def _sync_rows(
    model: type[Model], existing: list[Any], wanted: list[dict[str, Any]], parent: dict[str, Any]
) -> None:
    """Make the ordered children match `wanted` by position: update, create, delete the rest."""
    changed = []
    for row, values in zip(existing, wanted, strict=False):
        if any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
    if changed:
        model._default_manager.bulk_update(changed, list(wanted[0].keys()))
    model._default_manager.bulk_create(
        [
            model(order=index, **parent, **values)
            for index, values in enumerate(wanted)
            if index >= len(existing)
        ]
    )
    extra = [row.pk for row in existing[len(wanted) :]]
    if extra:
        model._default_manager.filter(pk__in=extra).delete()


def _sync_children(resource: Resource, parsed: ParsedBody) -> None:
    parent = {"resource": resource}
    _sync_rows(
        ChecklistItem,
        list(resource.checklist_items.order_by("order")),
        [{"text": text} for text in parsed.checklist_items],
        parent,
    )
    _sync_rows(
        GuideQuestion,
        list(resource.guide_questions.order_by("order")),
        [{"text": text} for text in parsed.guide_questions],
        parent,
    )
    _sync_rows(
        Lesson,
        list(resource.lessons.order_by("order")),
        [
            {"title": lesson.title, "body_markdown": lesson.body_markdown}
            for lesson in parsed.lessons
        ],
        parent,
    )
    # Check questions hold no one's progress (results are kept on ResourceProgress): recreate.
    old = list(resource.check_questions.all())
    if [q.text for q in old] != [q.text for q in parsed.check_questions] or any(
        [(o.text, o.is_correct) for o in q.options.all()] != list(p.options)
        for q, p in zip(old, parsed.check_questions, strict=False)
    ):
        resource.check_questions.all().delete()
        for index, question in enumerate(parsed.check_questions):
            row = CheckQuestion.objects.create(resource=resource, order=index, text=question.text)
            CheckOption.objects.bulk_create(
                CheckOption(question=row, order=number, text=text, is_correct=is_correct)
                for number, (text, is_correct) in enumerate(question.options)
            )


def _unique_slug(organization_id: int, program_id: int | None, title: str) -> str:
    base = (slugify(title) or "resource")[:100]
    taken = set(
        Resource.objects.filter(organization_id=organization_id, slug__startswith=base)
        .filter(Q(program__isnull=True) if program_id is None else Q(program_id=program_id))
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def resource_create(
    *,
    actor: User,
    program_id: int | None = None,
    kind: str,
    title: str,
    summary: str = "",
    body_markdown: str = "",
    url: str = "",
    minutes: int = 5,
    audience: str = "both",
    stages: list[str],
    skills: list[str] | None = None,
) -> Resource:
    """Add a piece to the organisation's library (org admins) or, with `program_id`, to one
    programme's additions (that programme's managers and org admins)."""
    if program_id is not None:
        program_access(actor=actor, program_id=program_id, manage=True)
    elif actor.role != Role.ORG_ADMIN:
        raise Forbidden(gettext("Only organisation admins add to the organisation's library."))
    if actor.organization_id is None:
        raise Forbidden(gettext("Only people of an organisation add to its library."))
    values, parsed = _validated(
        {
            "kind": kind,
            "title": title,
            "summary": summary,
            "body_markdown": body_markdown,
            "url": url,
            "minutes": minutes,
            "audience": audience,
            "stages": stages,
            "skills": skills or [],
        }
    )
    try:
        with transaction.atomic():
            resource = Resource.objects.create(
                organization_id=actor.organization_id,
                program_id=program_id,
                slug=_unique_slug(actor.organization_id, program_id, values["title"]),
                created_by=actor,
                **values,
            )
    except IntegrityError as error:
        raise Conflict(gettext("A resource with this title was just added; try again.")) from error
    _sync_children(resource, parsed)
    return resource


@transaction.atomic
def resource_update(
    *,
    actor: User,
    resource_id: int,
    kind: Any = KEEP,
    title: Any = KEEP,
    summary: Any = KEEP,
    body_markdown: Any = KEEP,
    url: Any = KEEP,
    minutes: Any = KEEP,
    audience: Any = KEEP,
    stages: Any = KEEP,
    skills: Any = KEEP,
) -> Resource:
    """Edit a piece. An edited starter piece is never overwritten by a later starter load."""
    resource = resource_access(actor=actor, resource_id=resource_id, edit=True)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    given = {
        "kind": kind,
        "title": title,
        "summary": summary,
        "body_markdown": body_markdown,
        "url": url,
        "minutes": minutes,
        "audience": audience,
        "stages": stages,
        "skills": skills,
    }
    current = _resource_values(resource)
    values, parsed = _validated(
        {name: current[name] if value is KEEP else value for name, value in given.items()}
    )
    changed = [name for name in RESOURCE_FIELDS if values[name] != current[name]]
    if not changed:
        return resource
    for name in changed:
        setattr(resource, name, values[name])
    update_fields = [*changed, "updated_at"]
    if resource.is_starter and not resource.is_edited:
        resource.is_edited = True
        update_fields.append("is_edited")
    resource.save(update_fields=update_fields)
    _sync_children(resource, parsed)
    return resource


def _set_hidden(actor: User, resource_id: int, hidden: bool) -> Resource:
    resource = resource_access(actor=actor, resource_id=resource_id, edit=True)
    Resource.objects.filter(pk=resource.pk).update(is_hidden=hidden, updated_at=timezone.now())
    resource.is_hidden = hidden
    return resource


@transaction.atomic
def resource_hide(*, actor: User, resource_id: int) -> Resource:
    """Take a piece out of the library (kept, and shown again by unhiding)."""
    return _set_hidden(actor, resource_id, True)


@transaction.atomic
def resource_unhide(*, actor: User, resource_id: int) -> Resource:
    """Put a hidden piece back in the library."""
    return _set_hidden(actor, resource_id, False)


# --- Starter content ---------------------------------------------------------------------


@dataclass
class LoadReport:
    """What one load did for one organisation (slugs, by outcome)."""

    organization: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)  # the organisation edited these
    conflicts: list[str] = field(default_factory=list)  # the slug is taken by the org's own piece

    def __str__(self) -> str:
        text = (
            f"{self.organization}: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.kept_edited)} kept (edited here)"
        )
        if self.kept_edited:
            text += f" [{', '.join(self.kept_edited)}]"
        if self.conflicts:
            text += f", {len(self.conflicts)} skipped (slug taken): {', '.join(self.conflicts)}"
        return text


def starter_content_read(*, directory: Path = CONTENT_DIR) -> list[ParsedPiece]:
    """Every `<slug>.md` in `directory`, parsed strictly (ContentError names file and line)."""
    pieces = []
    for path in sorted(directory.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ContentError("The file is not UTF-8.", None, path.name) from error
        pieces.append(parse_piece(text, slug=path.stem, file=path.name))
    return pieces


@transaction.atomic
def starter_content_load(
    *,
    organization: Organization,
    directory: Path = CONTENT_DIR,
    pieces: list[ParsedPiece] | None = None,
) -> LoadReport:
    """Upsert the shipped pieces into `organization`'s library by starter key.

    Idempotent. A piece the organisation edited (through `resource_update`, or whose content no
    longer matches what was loaded) is kept as it is and reported. Hidden pieces stay hidden. A
    broken file raises ContentError before anything is written; the whole load is one
    transaction. Pass `pieces` (from `starter_content_read`) to parse once for many orgs.
    """
    if pieces is None:
        pieces = starter_content_read(directory=directory)
    report = LoadReport(organization=organization.slug)
    existing = {
        resource.starter_key: resource
        for resource in Resource.objects.select_for_update().filter(
            organization=organization, is_starter=True
        )
    }
    own_slugs = set(
        Resource.objects.filter(
            organization=organization, program__isnull=True, is_starter=False
        ).values_list("slug", flat=True)
    )
    for piece in pieces:
        values = _piece_values(piece)
        new_hash = fields_hash(values)
        resource = existing.get(piece.slug)
        if resource is None:
            if piece.slug in own_slugs:
                report.conflicts.append(piece.slug)
                continue
            resource = Resource.objects.create(
                organization=organization,
                slug=piece.slug,
                is_starter=True,
                starter_key=piece.slug,
                starter_hash=new_hash,
                **values,
            )
            _sync_children(resource, piece.body)
            report.created.append(piece.slug)
            continue
        if resource.is_edited or fields_hash(_resource_values(resource)) != resource.starter_hash:
            report.kept_edited.append(piece.slug)
            continue
        if resource.starter_hash == new_hash:
            report.unchanged.append(piece.slug)
            continue
        for name, value in values.items():
            setattr(resource, name, value)
        resource.starter_hash = new_hash
        resource.save(update_fields=[*RESOURCE_FIELDS, "starter_hash", "updated_at"])
        _sync_children(resource, piece.body)
        report.updated.append(piece.slug)
    return report


# --- A person's progress -------------------------------------------------------------------


def _progress(actor: User, resource: Resource) -> ResourceProgress:
    """The actor's progress row on `resource`, created if missing, locked for this write."""
    ResourceProgress.objects.get_or_create(user=actor, resource=resource)
    return ResourceProgress.objects.select_for_update().get(user=actor, resource=resource)


def module_is_complete(*, user: User, resource: Resource, progress: ResourceProgress) -> bool:
    """Every lesson done, and the knowledge check passed when the module has one."""
    lessons = resource.lessons.count()
    done = LessonCompletion.objects.filter(user=user, lesson__resource=resource).count()
    if lessons == 0 or done < lessons:
        return False
    return progress.check_passed is True or not resource.check_questions.exists()


def _complete_module_if_ready(actor: User, resource: Resource, progress: ResourceProgress) -> None:
    if progress.done_at is None and module_is_complete(
        user=actor, resource=resource, progress=progress
    ):
        progress.done_at = timezone.now()
        progress.save(update_fields=["done_at", "updated_at"])


@transaction.atomic
def resource_mark_done(*, actor: User, resource_id: int) -> ResourceProgress:
    """Mark a piece done. A training module is done once its lessons (and check) are."""
    resource = resource_access(actor=actor, resource_id=resource_id)
    progress = _progress(actor, resource)
    if resource.kind == ResourceKind.MODULE and not module_is_complete(
        user=actor, resource=resource, progress=progress
    ):
        raise InvalidInput(
            gettext(
                "A training module is done when every lesson is complete and the knowledge "
                "check is passed."
            )
            if resource.check_questions.exists()
            else gettext("A training module is done when every lesson is complete.")
        )
    if progress.done_at is None:
        progress.done_at = timezone.now()
        progress.save(update_fields=["done_at", "updated_at"])
    return progress


@transaction.atomic
def resource_mark_undone(*, actor: User, resource_id: int) -> ResourceProgress:
    """Take back "done"."""
    resource = resource_access(actor=actor, resource_id=resource_id)
    progress = _progress(actor, resource)
    if progress.done_at is not None:
        progress.done_at = None
        progress.save(update_fields=["done_at", "updated_at"])
    return progress


@transaction.atomic
def resource_rate(*, actor: User, resource_id: int, rating: int) -> ResourceProgress:
    """Rate a piece from 1 (not useful) to 5 (very useful); rating again replaces it."""
    resource = resource_access(actor=actor, resource_id=resource_id)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput.for_field("rating", gettext("Rate from 1 to 5."))
    progress = _progress(actor, resource)
    progress.rating, progress.rated_at = rating, timezone.now()
    progress.save(update_fields=["rating", "rated_at", "updated_at"])
    return progress


@transaction.atomic
def checklist_item_set(
    *, actor: User, resource_id: int, item_id: int, checked: bool
) -> ResourceProgress:
    """Tick or untick one item of a checklist (kept per person)."""
    resource = resource_access(actor=actor, resource_id=resource_id)
    item = ChecklistItem.objects.filter(pk=item_id, resource=resource).first()
    if item is None:
        raise InvalidInput.for_field("item_id", gettext("No such item on this checklist."))
    progress = _progress(actor, resource)
    ticked = {int(order) for order in progress.checked_items}
    ticked = ticked | {item.order} if checked else ticked - {item.order}
    progress.checked_items = sorted(ticked)
    progress.save(update_fields=["checked_items", "updated_at"])
    return progress


@transaction.atomic
def lesson_complete(*, actor: User, resource_id: int, lesson_id: int) -> LessonCompletion:
    """Mark one lesson of a module complete (again is a no-op); completes the module when it
    was the last thing left."""
    resource = resource_access(actor=actor, resource_id=resource_id)
    lesson = Lesson.objects.filter(pk=lesson_id, resource=resource).first()
    if lesson is None:
        raise InvalidInput.for_field("lesson_id", gettext("No such lesson in this module."))
    completion, _ = LessonCompletion.objects.get_or_create(
        user=actor, lesson=lesson, defaults={"completed_at": timezone.now()}
    )
    _complete_module_if_ready(actor, resource, _progress(actor, resource))
    return completion


@dataclass(frozen=True)
class CheckResult:
    score: int  # per cent right
    passed: bool
    correct: dict[int, bool]  # question id -> answered right


@transaction.atomic
def knowledge_check_submit(
    *, actor: User, resource_id: int, answers: dict[int, int]
) -> CheckResult:
    """Score a module's knowledge check: `answers` maps each question id to the chosen option
    id. Passes at 80% right; the latest attempt is kept; passing may complete the module."""
    resource = resource_access(actor=actor, resource_id=resource_id)
    questions = list(resource.check_questions.prefetch_related("options"))
    if not questions:
        raise InvalidInput(gettext("This resource has no knowledge check."))
    errors = []
    correct: dict[int, bool] = {}
    for question in questions:
        chosen = answers.get(question.pk)
        options = {option.pk: option for option in question.options.all()}
        if chosen is None:
            errors.append(FieldError(f"answers.{question.pk}", gettext("Choose an answer.")))
        elif chosen not in options:
            errors.append(
                FieldError(f"answers.{question.pk}", gettext("That is not one of its options."))
            )
        else:
            correct[question.pk] = options[chosen].is_correct
    unknown = set(answers) - {question.pk for question in questions}
    if unknown:
        errors.append(
            FieldError("answers", gettext("Answers to questions this check does not have."))
        )
    if errors:
        raise InvalidInput(gettext("Answer every question of the check."), errors)
    score = 100 * sum(correct.values()) // len(questions)
    passed = score >= PASS_PERCENT
    progress = _progress(actor, resource)
    progress.check_score, progress.check_passed, progress.checked_at = score, passed, timezone.now()
    progress.save(update_fields=["check_score", "check_passed", "checked_at", "updated_at"])
    _complete_module_if_ready(actor, resource, progress)
    return CheckResult(score=score, passed=passed, correct=correct)
