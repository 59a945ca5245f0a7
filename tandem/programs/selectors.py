"""Every read about programmes, scoped to the caller's organisation.

Single programmes are fetched through `tandem.programs.permissions.program_access` first; the
selectors here load what a page or endpoint shows about them without a query per row.
"""

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from tandem.accounts.models import Role, User
from tandem.core.errors import NotFound
from tandem.core.json_rows import in_values
from tandem.notifications.services import OutboxProgram
from tandem.people.models import DirectoryGroup
from tandem.programs.models import EnrollmentQuestion, Program, ProgramStatus, QuestionAudience

MANAGER_ROLES = (Role.ORG_ADMIN, Role.PROGRAM_MANAGER)


def _with_summary(queryset: QuerySet[Program]) -> QuerySet[Program]:
    """Managers (prefetched, in name order) and the question count, for lists and detail pages.

    Enrolment counts are the participants app's (`participants.selectors.with_enrolment_counts`):
    the pages and endpoints that show them compose the two there (`participants.program_pages`,
    `participants.program_api`)."""
    return (
        queryset.select_related("organization")
        .annotate(question_count=Count("questions", distinct=True))
        .prefetch_related(
            Prefetch("managers", queryset=User.objects.order_by("last_name", "first_name", "email"))
        )
    )


def _managed_filter(actor: User) -> Q | None:
    """Which programmes of the actor's organisation the actor manages (None: none at all)."""
    if actor.role == Role.ORG_ADMIN:
        return Q()
    if actor.role == Role.PROGRAM_MANAGER:
        managed_ids = Program.managers.through.objects.filter(user_id=actor.pk).values("program_id")
        return Q(pk__in=managed_ids)
    return None


def program_list_for_manager(*, actor: User, status: str = "") -> QuerySet[Program]:
    """The programmes the actor manages (org admins: all of the organisation's)."""
    managed = _managed_filter(actor)
    if actor.organization_id is None:
        return Program.objects.none()
    queryset = Program.objects.filter(organization_id=actor.organization_id)
    if managed is None or not actor.is_active:
        return queryset.none()
    queryset = queryset.filter(managed)
    if status in ProgramStatus.values:
        queryset = queryset.filter(status=status)
    return _with_summary(queryset).order_by("name", "id")


def program_list_for_user(
    *, actor: User, status: str = "", managed_only: bool = False
) -> QuerySet[Program]:
    """The programmes the actor may see: the ones they manage (drafts too) and every published
    one in their organisation. `managed_only` keeps just the managed ones."""
    managed = _managed_filter(actor)
    if actor.organization_id is None:
        return Program.objects.none()
    queryset = Program.objects.filter(organization_id=actor.organization_id)
    if managed_only:
        queryset = queryset.none() if managed is None else queryset.filter(managed)
    elif managed is None:
        queryset = queryset.filter(status=ProgramStatus.PUBLISHED)
    elif actor.role != Role.ORG_ADMIN:
        queryset = queryset.filter(managed | Q(status=ProgramStatus.PUBLISHED))
    if status in ProgramStatus.values:
        queryset = queryset.filter(status=status)
    return _with_summary(queryset).order_by("name", "id")


def program_summary_queryset(*, program: Program) -> QuerySet[Program]:
    """The programme (already through its guard) with its managers, as a one-row queryset for
    callers to annotate (enrolment counts) before `.get()`."""
    return _with_summary(Program.objects.filter(pk=program.pk))


def program_for_email(program: Program) -> OutboxProgram:
    """What an email about `program` shows of it (name and colour), for the outbox to copy."""
    return OutboxProgram(id=program.pk, name=program.name, colour=program.colour)


def programs_for_email(*, program_ids: Iterable[int]) -> dict[int, OutboxProgram]:
    """`program_for_email` of each id, in one query (ids of deleted programmes are left out).
    Not scoped to an organisation: for jobs that write messages about every programme."""
    wanted = sorted(set(program_ids))
    if not wanted:
        return {}
    return {
        pk: OutboxProgram(id=pk, name=name, colour=colour)
        for pk, name, colour in Program.objects.filter(pk__in=in_values(wanted)).values_list(
            "pk", "name", "colour"
        )
    }


def program_status_counts(*, actor: User) -> dict[str, int]:
    """How many programmes the actor manages in each status, for the list's filter."""
    counts = dict.fromkeys(ProgramStatus.values, 0)
    managed = _managed_filter(actor)
    if managed is None or actor.organization_id is None:
        return counts
    rows = (
        Program.objects.filter(managed, organization_id=actor.organization_id)
        .values("status")
        .annotate(total=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["total"]
    return counts


def manager_candidates(*, actor: User) -> QuerySet[User]:
    """People of the actor's organisation who may be listed as a programme's managers."""
    if actor.organization_id is None:
        return User.objects.none()
    return User.objects.filter(
        organization_id=actor.organization_id, role__in=MANAGER_ROLES, is_active=True
    ).order_by("last_name", "first_name", "email")


def question_list(*, program: Program, audience: str = "") -> QuerySet[EnrollmentQuestion]:
    """A programme's questions in form order, each with how many answers it has.

    `audience` ("mentor" or "mentee") keeps the questions that person would be asked.
    """
    queryset = EnrollmentQuestion.objects.filter(program=program).annotate(
        answer_count=Count("answers")
    )
    if audience:
        queryset = queryset.filter(audience__in=[QuestionAudience.BOTH, audience])
    return queryset.order_by("position", "id")


def question_get(*, program: Program, question_id: int) -> EnrollmentQuestion:
    """One question of a programme, or NotFound when it belongs to another programme."""
    question = (
        EnrollmentQuestion.objects.select_related("program")
        .filter(program=program, pk=question_id)
        .annotate(answer_count=Count("answers"))
        .first()
    )
    if question is None:
        raise NotFound("No such question on this programme.")
    return question


def directory_group_choices(*, actor: User) -> list[tuple[int, str]]:
    """The actor's organisation's directory groups as (id, name), for the programme form."""
    return list(
        DirectoryGroup.objects.filter(organization_id=actor.organization_id or 0).values_list(
            "pk", "display_name"
        )
    )
