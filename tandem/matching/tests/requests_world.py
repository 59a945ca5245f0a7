"""Helpers the self-matching tests share: people with skills, and requests made by services."""

from django.db.models import QuerySet

from tandem.matching.models import MatchingSettings, MatchRequest
from tandem.matching.requests.services import match_request_create
from tandem.matching.tests.factories import enrol_person
from tandem.participants.models import Participant, ParticipantRole
from tandem.people.models import Skill
from tandem.people.tests.factories import SkillFactory
from tandem.programs.models import Program


def skills(program: Program, *names: str) -> list[Skill]:
    return [SkillFactory(organization=program.organization, name=name) for name in names]


def mentor_in(
    program: Program,
    first_name: str,
    *,
    capacity: int = 2,
    offers: list[Skill] | None = None,
    **profile: object,
) -> Participant:
    """An enrolled mentor with a full profile (senior, in another department)."""
    profile.setdefault("seniority", 4)
    profile.setdefault("department", "Research")
    return enrol_person(
        program,
        role=ParticipantRole.MENTOR,
        first_name=first_name,
        last_name="Mentor",
        email=f"{first_name.lower()}@northwind.test",
        capacity=capacity,
        offers=offers or [],
        **profile,
    )


def mentee_in(
    program: Program, first_name: str, *, wants: list[Skill] | None = None, **profile: object
) -> Participant:
    """An enrolled mentee with a full profile (junior, in Engineering)."""
    profile.setdefault("seniority", 2)
    return enrol_person(
        program,
        role=ParticipantRole.MENTEE,
        first_name=first_name,
        last_name="Mentee",
        email=f"{first_name.lower()}@northwind.test",
        wants=wants or [],
        **profile,
    )


def ask(mentee: Participant, mentor: Participant, note: str = "") -> MatchRequest:
    """The mentee asks the mentor, through the service."""
    return match_request_create(
        actor=mentee.user,
        program_id=mentee.program_id,
        mentor_participant_id=mentor.pk,
        note=note,
    )


def need_approval(program: Program, *, expiry_days: int = 14) -> MatchingSettings:
    settings, _ = MatchingSettings.objects.update_or_create(
        program=program,
        defaults={"requests_need_approval": True, "request_expiry_days": expiry_days},
    )
    return settings


def request_rows() -> list[dict]:
    """Every request as stored, to compare before and after a refused action."""
    return list(MatchRequest.objects.order_by("pk").values())


def statuses(queryset: QuerySet[MatchRequest] | None = None) -> list[tuple[int, str]]:
    rows = queryset if queryset is not None else MatchRequest.objects.all()
    return list(rows.order_by("pk").values_list("pk", "status"))
