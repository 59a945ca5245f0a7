"""Every read about participants, scoped to the caller's organisation."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.selectors import organization_id_of
from tandem.core.errors import DomainError
from tandem.participants.models import (
    Answer,
    Participant,
    ParticipantRole,
    ParticipantStatus,
)
from tandem.people import selectors as people_selectors
from tandem.people.models import DirectoryGroupMember, Profile, Skill
from tandem.programs.models import (
    EnrollmentQuestion,
    Program,
    ProgramAccess,
    ProgramStatus,
    QuestionKind,
)

# A person holds a place (or an open request for one) in these states.
HOLDING_STATUSES = (ParticipantStatus.PENDING, ParticipantStatus.ACTIVE)


def _human_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _window_is_open(program: Program, today: datetime.date) -> bool:
    opens, closes = program.enrollment_opens_on, program.enrollment_closes_on
    return (opens is None or opens <= today) and (closes is None or today <= closes)


def enrollment_window_open_q(today: datetime.date) -> Q:
    """Programmes whose enrolment window contains `today` (an empty bound is no limit)."""
    return (Q(enrollment_opens_on__isnull=True) | Q(enrollment_opens_on__lte=today)) & (
        Q(enrollment_closes_on__isnull=True) | Q(enrollment_closes_on__gte=today)
    )


def enrollment_refusal(
    *,
    program: Program,
    participation: Participant | None,
    person: User,
    today: datetime.date | None = None,
) -> DomainError | None:
    """Why a person may not enrol themself in `program` right now, or None when they may.

    Used by the enrolment service (which raises it) and by the page (which shows it instead
    of a form), so both say the same thing.
    """
    today = today or timezone.localdate()
    if program.status == ProgramStatus.ARCHIVED:
        return DomainError(f"{program.name} has been archived; it no longer takes participants.")
    if program.status != ProgramStatus.PUBLISHED:
        return DomainError(f"{program.name} is not published yet, so nobody can enrol.")
    if participation is not None and participation.status in HOLDING_STATUSES:
        return None  # The service answers this one with a 409 naming the status.
    if not _window_is_open(program, today):
        opens, closes = program.enrollment_opens_on, program.enrollment_closes_on
        if opens is not None and today < opens:
            window = f"Enrolment for {program.name} opens on {_human_date(opens)}"
            if closes is not None:
                window += f" and closes on {_human_date(closes)}"
            return DomainError(window + ".")
        return DomainError(
            f"Enrolment for {program.name} closed on {_human_date(closes)}."
            if closes is not None
            else f"Enrolment for {program.name} is closed."
        )
    invited = participation is not None and participation.status == ParticipantStatus.INVITED
    if program.access == ProgramAccess.INVITATION and not invited:
        return DomainError(
            f"{program.name} is by invitation only. Ask its managers if you would like to join."
        )
    if not invited and not _in_eligible_groups(program, person):
        names = sorted(group.display_name for group in program.eligible_groups.all())
        return DomainError(
            f"{program.name} is open to members of {_listed(names)}, and your company "
            "directory does not list you in any. Ask its managers if you would like to join."
        )
    if participation is not None and participation.status == ParticipantStatus.DECLINED:
        return DomainError(
            f"Your application to {program.name} was declined. Ask its managers if you would "
            "like to apply again."
        )
    return None


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _in_eligible_groups(program: Program, person: User) -> bool:
    """Whether the programme takes everyone, or `person` is in one of its groups: the list's
    own rule (`eligible_q`), so the list and the service cannot disagree."""
    return Program.objects.filter(pk=program.pk).filter(eligible_q(person)).exists()


def eligible_q(person: User) -> Q:
    """Programmes that take everyone, or take a group `person` is in (for lists of
    programmes a person may join)."""
    their_groups = DirectoryGroupMember.objects.filter(user_id=person.pk).values("group_id")
    restricted = Program.eligible_groups.through.objects.filter(program_id=OuterRef("pk"))
    return ~Exists(restricted) | Exists(restricted.filter(directorygroup_id__in=their_groups))


# --- enrolment counts (shown on programmes' lists and pages) ------------------------------


def _count_of(rows: QuerySet[Participant]) -> Coalesce:
    counted = rows.order_by().values("program_id").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_enrolment_counts(programs: QuerySet[Program]) -> QuerySet[Program]:
    """`programs` with `mentor_count` and `mentee_count` (enrolled: active) and
    `awaiting_count` (pending approval) on each, in the same query.

    The set-based piece of "enrolled": this app owns the roles and statuses, so programmes'
    lists and pages get their counts here (`participants.program_pages`, `program_api`).
    """
    rows = Participant.objects.filter(program_id=OuterRef("pk"))
    enrolled = rows.filter(status=ParticipantStatus.ACTIVE)
    return programs.annotate(
        mentor_count=_count_of(enrolled.filter(role=ParticipantRole.MENTOR)),
        mentee_count=_count_of(enrolled.filter(role=ParticipantRole.MENTEE)),
        awaiting_count=_count_of(rows.filter(status=ParticipantStatus.PENDING)),
    )


# --- the member's side -------------------------------------------------------------------


def participation_list_for_member(*, actor: User) -> QuerySet[Participant]:
    """The actor's own places in their organisation's programmes, newest programme first."""
    return (
        Participant.objects.filter(user=actor, program__organization_id=organization_id_of(actor))
        .exclude(program__status=ProgramStatus.DRAFT)
        .select_related("program")
        .order_by("-program__starts_on", "program__name", "pk")
    )


def participation_list_for_person(
    *, person: User, programs: QuerySet[Program]
) -> QuerySet[Participant]:
    """A person's places (role, status) in `programs`, which the caller scoped to what the
    viewer may see (`workspace.permissions.person_access`)."""
    return (
        Participant.objects.filter(user=person, program__in=programs)
        .select_related("program")
        .order_by("program__name", "program_id", "role", "pk")
    )


def participation_get_for_member(*, actor: User, program: Program) -> Participant | None:
    """The actor's row in `program`, whatever its status."""
    return Participant.objects.filter(
        user=actor, program=program, program__organization_id=organization_id_of(actor)
    ).first()


def program_list_open_to_member(
    *, actor: User, today: datetime.date | None = None
) -> QuerySet[Program]:
    """Published programmes of the actor's organisation they could enrol in today.

    Open and application programmes whose window is open; invitation-only ones only where the
    actor holds an invitation; never ones the actor already holds a place in, applied to, or
    was declined from.
    """
    today = today or timezone.localdate()
    own_rows = Participant.objects.filter(program=OuterRef("pk"), user=actor)
    return (
        Program.objects.filter(
            organization_id=organization_id_of(actor), status=ProgramStatus.PUBLISHED
        )
        .filter(enrollment_window_open_q(today))
        .annotate(
            is_invited=Exists(own_rows.filter(status=ParticipantStatus.INVITED)),
            has_place=Exists(
                own_rows.filter(status__in=[*HOLDING_STATUSES, ParticipantStatus.DECLINED])
            ),
        )
        .filter(
            (Q(access__in=[ProgramAccess.OPEN, ProgramAccess.APPLICATION]) & eligible_q(actor))
            | Q(is_invited=True),
            has_place=False,
        )
        .order_by("enrollment_closes_on", "name", "pk")
    )


def questions_for_role(*, program: Program, role: str) -> list[EnrollmentQuestion]:
    """The programme's enrolment questions that a person in `role` answers, in form order."""
    return [q for q in program.questions.order_by("position", "pk") if q.applies_to(role)]


def skill_choices_for_org(*, actor: User) -> list[tuple[int, str]]:
    """The organisation's skill list as (id, name) pairs."""
    return list(people_selectors.skill_choices(actor=actor).values_list("pk", "name"))


# --- the manager's side ------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantFilters:
    role: str = ""
    status: str = ""
    department: str = ""
    search: str = ""


def participant_list_for_program(
    *, actor: User, program: Program, filters: ParticipantFilters | None = None
) -> QuerySet[Participant]:
    """A programme's participants for its managers, filtered, with what the table shows.

    The caller has already passed `program_access(..., manage=True)`.
    """
    filters = filters or ParticipantFilters()
    # Name order is total (emails are unique) and matches `accounts.User`'s `user_name_order`
    # index: PostgreSQL walks it and stops at the page's last row (a 20,000-person programme:
    # about 250 index entries read, not 20,000 rows sorted); for a small programme or a narrow
    # filter it reads the programme's rows by index and sorts those few instead. No filter on
    # the user's own columns here, so the page's COUNT reads the participants' index alone.
    queryset = (
        Participant.objects.filter(
            program=program, program__organization_id=organization_id_of(actor)
        )
        .select_related("user", "user__profile")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    if filters.role in ParticipantRole.values:
        queryset = queryset.filter(role=filters.role)
    if filters.status in ParticipantStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.department:
        queryset = queryset.filter(user__profile__department__iexact=filters.department)
    search = filters.search.strip()
    if search:
        for word in search.split():
            queryset = queryset.filter(
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__email__icontains=word)
                | Q(user__profile__department__icontains=word)
            )
    return queryset


def department_list_for_program(*, actor: User, program: Program) -> list[str]:
    """The departments the programme's participants come from, for the filter."""
    return list(
        Profile.objects.filter(
            user__participations__program=program,
            user__organization_id=organization_id_of(actor),
        )
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def member_search_for_program(
    *, actor: User, program: Program, search: str, limit: int = 10
) -> list[User]:
    """Active people in the organisation, not yet holding a place in `program`, for the picker."""
    search = search.strip()
    if len(search) < 2:
        return []
    taken = Participant.objects.filter(
        program=program,
        user=OuterRef("pk"),
        status__in=[*HOLDING_STATUSES, ParticipantStatus.INVITED],
    )
    return list(
        User.objects.filter(organization_id=organization_id_of(actor), is_active=True)
        .filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
        .exclude(Exists(taken))
        .order_by("last_name", "first_name", "email")[:limit]
    )


def participant_get_detail(*, participant: Participant) -> Participant:
    """The participant (already through its guard) with its answers and their questions."""
    return (
        Participant.objects.select_related("program", "user", "user__profile")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by(
                    "question__position", "question_id"
                ),
            )
        )
        .get(pk=participant.pk)
    )


# --- export ------------------------------------------------------------------------------


EXPORT_FIXED_COLUMNS = [
    "First name",
    "Last name",
    "Email",
    "Department",
    "Job title",
    "Role",
    "Status",
    "Capacity",
    "Enrolled at",
    "Motivation",
]


def _export_cell(question: EnrollmentQuestion, value: Any, skill_names: dict[int, str]) -> str:
    if value is None:
        return ""
    if question.kind == QuestionKind.SKILLS and isinstance(value, list):
        return "; ".join(skill_names.get(v, f"#{v}") for v in value if isinstance(v, int))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def participant_export_table(*, actor: User, program: Program) -> tuple[list[str], list[list[str]]]:
    """A header and one row per participant: their details, then one column per question.

    Four queries whatever the size: questions, participants (with user and profile), answers,
    and the skill names the answers mention.
    """
    questions = list(program.questions.order_by("position", "pk"))
    participants = list(
        participant_list_for_program(actor=actor, program=program).prefetch_related(
            Prefetch(
                "answers", queryset=Answer.objects.only("participant_id", "question_id", "value")
            )
        )
    )
    skill_ids: set[int] = set()
    skill_questions = {q.pk for q in questions if q.kind == QuestionKind.SKILLS}
    for participant in participants:
        for answer in participant.answers.all():
            if answer.question_id in skill_questions and isinstance(answer.value, list):
                skill_ids.update(v for v in answer.value if isinstance(v, int))
    skill_names = (
        dict(
            Skill.objects.filter(
                organization_id=organization_id_of(actor), pk__in=skill_ids
            ).values_list("pk", "name")
        )
        if skill_ids
        else {}
    )
    header = EXPORT_FIXED_COLUMNS + [q.prompt for q in questions]
    rows: list[list[str]] = []
    for participant in participants:
        user = participant.user
        profile = getattr(user, "profile", None)
        by_question = {a.question_id: a.value for a in participant.answers.all()}
        row = [
            user.first_name,
            user.last_name,
            user.email,
            profile.department if profile else "",
            profile.job_title if profile else "",
            participant.get_role_display(),
            participant.get_status_display(),
            "" if participant.capacity is None else str(participant.capacity),
            participant.enrolled_at.isoformat() if participant.enrolled_at else "",
            participant.motivation,
        ]
        row += [_export_cell(q, by_question.get(q.pk), skill_names) for q in questions]
        rows.append(row)
    return header, rows
