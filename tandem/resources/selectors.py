"""Every read about the resource library, scoped to the caller's organisation and the
programmes they are in (permissions.member_program_ids); no query per row."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext

from tandem.accounts.models import User
from tandem.accounts.selectors import aggregate_min_group
from tandem.core.aggregates import Contribution, period_of, publish
from tandem.core.errors import NotFound
from tandem.participants.models import Participant, ParticipantStatus
from tandem.programs.models import Program
from tandem.resources.models import (
    Audience,
    CheckOption,
    CheckQuestion,
    GuideQuestion,
    Lesson,
    LessonCompletion,
    Resource,
    ResourceProgress,
    Stage,
)
from tandem.resources.permissions import can_edit_resource, member_program_ids, resource_access
from tandem.resources.translations import localise

SEARCH_MAX = 100


def _stage_q(stage: str) -> Q:
    # Stages are a JSON list of known slugs; the quoted value matches one element exactly
    # (works the same on SQLite and PostgreSQL, unlike JSON containment).
    return Q(stages__icontains=f'"{stage}"')


def _audience_q(audience: str) -> Q:
    """Pieces for `audience`: its own and the ones for both ("both" alone means both only)."""
    if audience == Audience.BOTH:
        return Q(audience=Audience.BOTH)
    return Q(audience__in=[audience, Audience.BOTH])


def _with_progress(queryset: QuerySet[Resource], user: User) -> QuerySet[Resource]:
    mine = ResourceProgress.objects.filter(user=user, resource=OuterRef("pk"))
    return queryset.annotate(
        my_done=Exists(mine.filter(done_at__isnull=False)),
        my_rating=Subquery(mine.values("rating")[:1]),
    )


def resource_list_for_user(
    *,
    user: User,
    search: str = "",
    kind: str = "",
    audience: str = "",
    stage: str = "",
    skill: str = "",
    program_id: int | None = None,
) -> QuerySet[Resource]:
    """The library `user` reads: the organisation's visible pieces and the additions of the
    programmes they are in, filtered; each row has `my_done` and `my_rating`. Two queries."""
    if user.organization_id is None:
        return Resource.objects.none()
    programs = member_program_ids(user)
    queryset = Resource.objects.filter(organization_id=user.organization_id, is_hidden=False)
    queryset = queryset.filter(Q(program__isnull=True) | Q(program_id__in=programs))
    if program_id is not None:
        queryset = queryset.filter(Q(program__isnull=True) | Q(program_id=program_id))
    search = search.strip()[:SEARCH_MAX]
    if search:
        queryset = queryset.filter(
            Q(title__icontains=search)
            | Q(summary__icontains=search)
            | Q(body_markdown__icontains=search)
        )
    if kind:
        queryset = queryset.filter(kind=kind)
    if audience:
        queryset = queryset.filter(_audience_q(audience))
    if stage:
        queryset = queryset.filter(_stage_q(stage))
    if skill:
        queryset = queryset.filter(skills__icontains=skill.strip()[:SEARCH_MAX])
    return _with_progress(queryset.select_related("program"), user).order_by("title", "id")


def resource_skill_choices(*, user: User) -> list[str]:
    """The skills named by the pieces `user` reads (for the filter), sorted. One query."""
    skills: dict[str, str] = {}
    if user.organization_id is None:
        return []
    for values in Resource.objects.filter(
        organization_id=user.organization_id, is_hidden=False, program__isnull=True
    ).values_list("skills", flat=True):
        for skill in values or []:
            skills.setdefault(str(skill).lower(), str(skill))
    return sorted(skills.values(), key=str.lower)


@dataclass
class ResourceDetail:
    resource: Resource
    progress: ResourceProgress | None
    completed_lesson_ids: set[int]
    can_edit: bool

    @property
    def checked_orders(self) -> set[int]:
        return {int(order) for order in (self.progress.checked_items if self.progress else [])}

    @property
    def lessons_done(self) -> int:
        return len(self.completed_lesson_ids)


def resource_get(*, user: User, resource_id: int) -> ResourceDetail:
    """One piece as `user` reads it (guarded), with its children and the user's progress, in
    the active language where the piece has a shipped translation (`translations.localise`)."""
    guarded = resource_access(actor=user, resource_id=resource_id)
    resource = (
        Resource.objects.select_related("program")
        .prefetch_related(
            "checklist_items",
            "guide_questions",
            "lessons",
            Prefetch(
                "check_questions",
                queryset=CheckQuestion.objects.prefetch_related("options"),
            ),
        )
        .get(pk=guarded.pk)
    )
    localise([resource])
    progress = ResourceProgress.objects.filter(user=user, resource=resource).first()
    completed = set(
        LessonCompletion.objects.filter(user=user, lesson__resource=resource).values_list(
            "lesson_id", flat=True
        )
    )
    return ResourceDetail(
        resource=resource,
        progress=progress,
        completed_lesson_ids=completed,
        can_edit=can_edit_resource(user, resource),
    )


def guide_questions_for(*, resource: Resource) -> list[GuideQuestion]:
    """A conversation guide's questions in order (empty for other kinds). The caller has
    already got `resource` through a guard or `resources_for_stage`."""
    return list(GuideQuestion.objects.filter(resource=resource).order_by("order", "id"))


def lessons_for(*, resource: Resource) -> list[Lesson]:
    return list(Lesson.objects.filter(resource=resource).order_by("order", "id"))


def resources_for_stage(
    *, organization_id: int, program_id: int | None, stage: str, audience: str | None = None
) -> list[Resource]:
    """The visible pieces for one journey stage: the organisation's and the programme's
    additions, for `audience` ("mentor"/"mentee": theirs and both's; None: all), guides' and
    checklists' children prefetched, in the active language where shipped (`localise`). For
    journeys and meeting mode. Four queries."""
    if stage not in Stage.values:
        return []
    scope = Q(program__isnull=True)
    if program_id is not None:
        scope |= Q(program_id=program_id)
    queryset = Resource.objects.filter(organization_id=organization_id, is_hidden=False).filter(
        scope, _stage_q(stage)
    )
    if audience:
        queryset = queryset.filter(_audience_q(audience))
    return localise(
        queryset.prefetch_related("guide_questions", "checklist_items").order_by(
            "kind", "title", "id"
        )
    )


@dataclass
class CompletionRow:
    resource: Resource
    done: int  # published: 0, or at least the minimum group (tandem.core.aggregates)
    participants: int

    @property
    def percent(self) -> int:
        return 100 * self.done // self.participants if self.participants else 0


def resource_completion_rates(
    *, program: Program, now: datetime.datetime | None = None
) -> list[CompletionRow]:
    """For the programme's managers: for every piece its people can read (the organisation's,
    hidden ones included, and the programme's additions), how many of the programme's active
    participants marked it done, through the aggregate rule (`tandem.core.aggregates`): a
    person counts from the month they marked it done or joined, whichever is later, once that
    month has ended and at least the minimum group of people count with them, so no two reads
    differ by one person. Titles in the active language where shipped. Three queries."""
    min_group = aggregate_min_group(program.organization)
    active = Participant.objects.filter(program=program, status=ParticipantStatus.ACTIVE)
    joined = dict(active.values_list("user_id", "enrolled_at"))
    resources = localise(
        Resource.objects.filter(organization_id=program.organization_id)
        .filter(Q(program__isnull=True) | Q(program=program))
        .select_related("program")
        .order_by("program_id", "title", "id")
    )
    done: dict[int, list[Contribution[int]]] = defaultdict(list)
    for resource_id, user_id, done_at in (
        ResourceProgress.objects.filter(
            resource__in=[resource.pk for resource in resources],
            user_id__in=active.values("user_id"),
            done_at__isnull=False,
        )
        .values_list("resource_id", "user_id", "done_at")
        .order_by()
    ):
        # Counted from when both were true: a piece done before joining arrives on joining,
        # in the current month, never in a month already published.
        assert done_at is not None  # noqa: S101 - filtered above
        enrolled_at = joined.get(user_id)
        since = done_at if enrolled_at is None else max(done_at, enrolled_at)
        done[resource_id].append(Contribution(member=user_id, period=period_of(since), value=1))
    return [
        CompletionRow(
            resource=resource,
            done=publish(done[resource.pk], min_group=min_group, now=now).people,
            participants=len(joined),
        )
        for resource in resources
    ]


def resource_list_for_program(*, program: Program) -> QuerySet[Resource]:
    """What a programme's managers look after: the organisation's pieces (hidden ones too) and
    the programme's additions. The caller guarded `program` (program_access, manage=True)."""
    return (
        Resource.objects.filter(organization_id=program.organization_id)
        .filter(Q(program__isnull=True) | Q(program=program))
        .order_by("program_id", "title", "id")
    )


def resource_in_program(*, program: Program, resource_id: int) -> Resource:
    """One of `resource_list_for_program`, or NotFound."""
    resource = resource_list_for_program(program=program).filter(pk=resource_id).first()
    if resource is None:
        raise NotFound(gettext("No such resource."))
    return resource


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[^\W_]+", text.casefold()) if len(word) > 3}


def lesson_for_question(
    *, question_text: str, options: list[CheckOption], lessons: list[Lesson]
) -> Lesson | None:
    """The lesson a wrong answer should send the person back to: the one that says the right
    answer (its text, or most of its words and the question's), or None when no lesson
    shares a word with them. Plain reading of the module's own text, no query."""
    right = " ".join(option.text for option in options if option.is_correct)
    if not lessons or not right:
        return None
    needle = right.casefold().strip()
    for lesson in lessons:
        if needle and needle in f"{lesson.title}\n{lesson.body_markdown}".casefold():
            return lesson
    wanted = _words(right) | _words(question_text)
    best, best_shared = None, 0
    for lesson in lessons:
        shared = len(wanted & _words(f"{lesson.title} {lesson.body_markdown}"))
        if shared > best_shared:
            best, best_shared = lesson, shared
    return best
