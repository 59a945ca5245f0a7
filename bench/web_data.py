"""The organisation `bench.web` measures, written with bulk_create (the services would take hours
at 100,000 people; the shapes are what they would write).

For `people` people: 3 published programmes, 60 % of the people enrolled (20 % in each
programme, alternately mentor and mentee), one relationship per two participants (a fifth of them
completed, the rest active), 1.3 meetings and 2 messages per relationship, half a notification per
person, a profile for everyone. Beside the crowd, the people whose requests are measured:
`subject`, a member who is in all three programmes (a mentor twice, a mentee once) with a
relationship in each, and `manager`, the programme manager of the first programme.
"""

import datetime
import random
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models

BATCH = 5000
M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class BenchOrganisation:
    organization_id: int
    subject_id: int
    manager_id: int
    program_id: int
    relationship_id: int
    people: int


def _write(model: type[M], rows: list[M]) -> list[M]:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def build(*, slug: str, people: int, seed: int, now: datetime.datetime) -> BenchOrganisation:
    from tandem.accounts.models import Organization, Role, User
    from tandem.conversations.models import Message
    from tandem.meetings.models import Meeting, MeetingStatus
    from tandem.notifications.models import Notification, NotificationCategory
    from tandem.participants.models import Participant, ParticipantRole
    from tandem.people.models import Profile
    from tandem.programs.models import Program, ProgramStatus
    from tandem.relationships.models import Relationship, RelationshipStatus

    rng = random.Random(seed)
    org = Organization.objects.create(name=f"Bench {slug}", slug=f"bench-{slug}")
    domain = f"{slug}.bench.example"
    manager = User.objects.create(
        email=f"manager@{domain}",
        first_name="Morgan",
        last_name="Manager",
        organization=org,
        role=Role.PROGRAM_MANAGER,
        password=UNUSABLE_PASSWORD_PREFIX,
    )
    subject = User.objects.create(
        email=f"subject@{domain}",
        first_name="Sam",
        last_name="Subject",
        organization=org,
        password=UNUSABLE_PASSWORD_PREFIX,
    )
    programs = _write(
        Program,
        [
            Program(
                organization=org,
                name=f"Programme {index}",
                status=ProgramStatus.PUBLISHED,
                is_ongoing=True,
                published_at=now,
            )
            for index in range(3)
        ],
    )
    programs[0].managers.add(manager)
    surnames = [f"{chr(65 + a)}{chr(97 + b)}son" for a in range(26) for b in range(26)]
    users = _write(
        User,
        [
            User(
                email=f"person{index}@{domain}",
                first_name=f"First{index}",
                last_name=rng.choice(surnames),
                organization=org,
                password=UNUSABLE_PASSWORD_PREFIX,
            )
            for index in range(people)
        ],
    )
    departments = [f"Department {index}" for index in range(12)]
    _write(
        Profile,
        [
            Profile(user=user, department=rng.choice(departments), timezone="Europe/London")
            for user in [*users, manager, subject]
        ],
    )
    enrolled = users[: int(people * 0.6) // 6 * 6]
    participants = _write(
        Participant,
        [
            Participant(
                program=programs[(index // 2) % 3],
                user=user,
                role=ParticipantRole.MENTOR if index % 2 == 0 else ParticipantRole.MENTEE,
                capacity=1 if index % 2 == 0 else None,
                matched_count=1,
                enrolled_at=now - datetime.timedelta(days=rng.uniform(30, 400)),
            )
            for index, user in enumerate(enrolled)
        ],
    )
    # The subject: a mentor in programmes 0 and 2, a mentee in programme 1, each with a partner
    # taken from the people nobody enrolled.
    partners = users[len(enrolled) : len(enrolled) + 3]
    subject_rows = []
    for index, (program, partner) in enumerate(zip(programs, partners, strict=True)):
        mine = ParticipantRole.MENTEE if index == 1 else ParticipantRole.MENTOR
        theirs = ParticipantRole.MENTOR if index == 1 else ParticipantRole.MENTEE
        subject_rows.append(
            (
                Participant(
                    program=program,
                    user=subject,
                    role=mine,
                    capacity=1 if mine == ParticipantRole.MENTOR else None,
                    matched_count=1,
                    enrolled_at=now,
                ),
                Participant(
                    program=program,
                    user=partner,
                    role=theirs,
                    capacity=1 if theirs == ParticipantRole.MENTOR else None,
                    matched_count=1,
                    enrolled_at=now,
                ),
            )
        )
    _write(Participant, [row for pair in subject_rows for row in pair])
    pair_rows: list[tuple[Participant, Participant]] = [
        (participants[index], participants[index + 1]) for index in range(0, len(participants), 2)
    ]
    pair_rows += [
        (mine, theirs) if mine.role == ParticipantRole.MENTOR else (theirs, mine)
        for mine, theirs in subject_rows
    ]
    relationships = []
    for mentor, mentee in pair_rows:
        started = now - datetime.timedelta(days=rng.uniform(1, 360))
        completed = rng.random() < 0.2 and mentor.user_id != subject.pk
        relationships.append(
            Relationship(
                program_id=mentor.program_id,
                mentor=mentor,
                mentee=mentee,
                status=RelationshipStatus.COMPLETED if completed else RelationshipStatus.ACTIVE,
                source="bulk",
                started_on=started.date(),
                planned_end_on=started.date() + datetime.timedelta(days=365),
                activated_at=started,
                last_activity_at=now - datetime.timedelta(days=rng.uniform(0, 60)),
                closed_at=now if completed else None,
            )
        )
    relationships = _write(Relationship, relationships)
    meetings = []
    messages = []
    for relationship in relationships:
        mentor_user = relationship.mentor.user_id
        for _ in range(1 + (rng.random() < 0.3)):
            held = now - datetime.timedelta(hours=rng.uniform(1, 90 * 24))
            meetings.append(
                Meeting(
                    relationship=relationship,
                    title="Mentoring conversation",
                    starts_at=held,
                    timezone="Europe/London",
                    status=MeetingStatus.HELD,
                    held_at=held,
                )
            )
        for turn in range(2):
            messages.append(
                Message(
                    relationship=relationship,
                    author_id=mentor_user if turn == 0 else relationship.mentee.user_id,
                    body="How did the presentation go?" if turn == 0 else "Better than I feared.",
                    created_at=now - datetime.timedelta(hours=rng.uniform(1, 60 * 24)),
                )
            )
    _write(Meeting, meetings)
    _write(Message, messages)
    notified = [*rng.sample(users, people // 2), *([subject] * 30)]
    _write(
        Notification,
        [
            Notification(
                user=user,
                category=NotificationCategory.MEETINGS,
                title="A meeting was scheduled",
                url="/",
            )
            for user in notified
        ],
    )
    subject_relationship = next(
        r
        for r in relationships
        if r.program_id == programs[0].pk and r.mentor.user_id == subject.pk
    )
    return BenchOrganisation(
        organization_id=org.pk,
        subject_id=subject.pk,
        manager_id=manager.pk,
        program_id=programs[0].pk,
        relationship_id=subject_relationship.pk,
        people=people,
    )
