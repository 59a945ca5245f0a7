"""Factories for matching's rows, and `enrol_person` for people with a full profile."""

from collections.abc import Iterable
from typing import Any

import factory

from tandem.accounts.models import User
from tandem.accounts.tests.factories import UserFactory
from tandem.matching.models import (
    MatchingSettings,
    MatchProposal,
    MatchRun,
    PairRule,
    PairRuleKind,
    RunObjective,
    RunStatus,
    SuggestionDecline,
)
from tandem.participants.models import Participant, ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.models import Skill
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import Program
from tandem.programs.tests.factories import ProgramFactory


class MatchingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchingSettings

    program = factory.SubFactory(ProgramFactory)


class MatchRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchRun

    program = factory.SubFactory(ProgramFactory)
    objective = RunObjective.TOTAL
    status = RunStatus.DRAFT


class MatchProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchProposal

    run = factory.SubFactory(MatchRunFactory)
    mentor = factory.SubFactory(
        ParticipantFactory,
        program=factory.SelfAttribute("..run.program"),
        role=ParticipantRole.MENTOR,
    )
    mentee = factory.SubFactory(ParticipantFactory, program=factory.SelfAttribute("..run.program"))
    score = 5.0
    contributions = factory.LazyFunction(lambda: {"skills": 3.0, "goals": 2.0})
    reasons = factory.LazyFunction(lambda: ["Shares 2 skills"])


class PairRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairRule

    program = factory.SelfAttribute("mentor.program")
    mentor = factory.SubFactory(ParticipantFactory, role=ParticipantRole.MENTOR)
    mentee = factory.SubFactory(
        ParticipantFactory, program=factory.SelfAttribute("..mentor.program")
    )
    kind = PairRuleKind.EXCLUDE


class SuggestionDeclineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuggestionDecline

    mentor = factory.SubFactory(ParticipantFactory, role=ParticipantRole.MENTOR)
    mentee = factory.SubFactory(
        ParticipantFactory, program=factory.SelfAttribute("..mentor.program")
    )


def enrol_person(
    program: Program,
    *,
    role: str = ParticipantRole.MENTEE,
    first_name: str | None = None,
    last_name: str = "",
    email: str | None = None,
    capacity: int | None = None,
    manager: User | None = None,
    wants: Iterable[Skill] = (),
    offers: Iterable[Skill] = (),
    participant: dict[str, Any] | None = None,
    **profile: Any,
) -> Participant:
    """A new person of the programme's organisation, with a profile, enrolled in `program`."""
    user_fields: dict[str, Any] = {"organization": program.organization, "last_name": last_name}
    if first_name is not None:
        user_fields["first_name"] = first_name
    if email is not None:
        user_fields["email"] = email
    user = UserFactory(**user_fields)
    created = ProfileFactory(user=user, manager=manager, **profile)
    created.skills_wanted.set(list(wants))
    created.skills_offered.set(list(offers))
    extra = dict(participant or {})
    if role == ParticipantRole.MENTOR:
        extra.setdefault("capacity", capacity or 1)
    return ParticipantFactory(program=program, user=user, role=role, **extra)
