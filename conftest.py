"""Fixtures every app's tests share: the cast of an authorization matrix and an API client.

Kept at the repository root (outside the `tandem` package) so that app tests can use every
app's factories without the import-linter layers seeing an upward import.
"""

import json
from dataclasses import dataclass
from typing import Any

import pytest
from auditlog.context import disable_auditlog
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings

from tandem.accounts.models import Organization, Role, User
from tandem.accounts.services import api_token_create
from tandem.accounts.tests.factories import OrganizationFactory, UserFactory
from tandem.participants.models import Participant, ParticipantRole
from tandem.participants.tests.factories import ParticipantFactory
from tandem.people.tests.factories import ProfileFactory
from tandem.programs.models import Program
from tandem.programs.tests.factories import ProgramFactory
from tandem.relationships.models import Relationship
from tandem.relationships.services import relationship_propose, relationship_transition

# No per-example time limit: timings belong in the benchmarks, and on a loaded CI machine
# hypothesis's default 200 ms deadline fails tests for the machine's speed, not the code's.
hypothesis_settings.register_profile("tandem", deadline=None)
hypothesis_settings.load_profile("tandem")

# The browser fixtures (Playwright on Debian's chromium) are shared by every app's journeys.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the sign-in throttle and rate limits count in it,
    and the outcomes report and analytics' sections are kept in it."""
    cache.clear()
    yield
    cache.clear()


class ApiClient:
    """JSON calls to /api/v1 as one user (by personal token) or anonymously."""

    def __init__(self, user: User | None = None) -> None:
        self.user = user
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            # The client's own token is set-up, not the subject of a test: its creation is
            # left out of the audit trail, so query budgets measure only the request.
            with disable_auditlog():
                _, raw = api_token_create(user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {raw}"

    def _call(self, method: str, path: str, data: Any = None, **extra: Any) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        kwargs: dict[str, Any] = {"headers": self.headers}
        if data is not None and method != "get":
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        elif data is not None:
            kwargs["data"] = data
        kwargs.update(extra)
        return getattr(self.client, method)(url, **kwargs)

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self._call("get", path, params, **extra)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._call("post", path, data if data is not None else {}, **extra)

    def patch(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._call("patch", path, data if data is not None else {}, **extra)

    def put(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self._call("put", path, data if data is not None else {}, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self._call("delete", path, None, **extra)


@dataclass
class Cast:
    """Everyone an authorization matrix needs, around one published programme."""

    org: Organization
    other_org: Organization
    program: Program
    admin: User  # organisation admin
    manager: User  # programme manager of `program`
    other_manager: User  # programme manager role, not of `program`
    member: User  # plain member, not in the programme
    mentor: User  # active mentor in `program`
    mentee: User  # active mentee in `program`
    outsider: User  # organisation admin of another organisation
    mentor_participant: Participant
    mentee_participant: Participant

    def by_name(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


ACTOR_NAMES = [
    "anonymous",
    "outsider",
    "member",
    "mentee",
    "mentor",
    "other_manager",
    "manager",
    "admin",
]


@pytest.fixture
def cast(db: None) -> Cast:
    org = OrganizationFactory(name="Northwind", slug="northwind")
    other_org = OrganizationFactory(name="Globex", slug="globex")
    admin = UserFactory(organization=org, role=Role.ORG_ADMIN, email="admin@northwind.test")
    manager = UserFactory(
        organization=org, role=Role.PROGRAM_MANAGER, email="manager@northwind.test"
    )
    other_manager = UserFactory(
        organization=org, role=Role.PROGRAM_MANAGER, email="other-manager@northwind.test"
    )
    member = UserFactory(organization=org, email="member@northwind.test")
    mentor = UserFactory(organization=org, email="mentor@northwind.test")
    mentee = UserFactory(organization=org, email="mentee@northwind.test")
    outsider = UserFactory(organization=other_org, role=Role.ORG_ADMIN, email="admin@globex.test")
    for user in (admin, manager, other_manager, member, mentor, mentee, outsider):
        ProfileFactory(user=user)
    program = ProgramFactory(organization=org, name="Leadership cohort", managers=[manager])
    mentor_participant = ParticipantFactory(
        program=program, user=mentor, role=ParticipantRole.MENTOR, capacity=2
    )
    mentee_participant = ParticipantFactory(program=program, user=mentee)
    return Cast(
        org=org,
        other_org=other_org,
        program=program,
        admin=admin,
        manager=manager,
        other_manager=other_manager,
        member=member,
        mentor=mentor,
        mentee=mentee,
        outsider=outsider,
        mentor_participant=mentor_participant,
        mentee_participant=mentee_participant,
    )


@pytest.fixture
def api_as():
    """`api_as(user)` gives a JSON client authenticated as that user (None: anonymous)."""

    def make(user: User | None) -> ApiClient:
        return ApiClient(user)

    return make


@dataclass
class Pair:
    """Two active relationships in `cast.program`: the pair under test (cast.mentor with
    cast.mentee) and another pair whose people must never see the first pair's workspace."""

    cast: Cast
    relationship: Relationship
    other_mentor: User
    other_mentee: User
    other_relationship: Relationship

    @property
    def mentor(self) -> User:
        return self.cast.mentor

    @property
    def mentee(self) -> User:
        return self.cast.mentee

    def by_name(self, name: str) -> User | None:
        if name in ("other_mentor", "other_mentee"):
            return getattr(self, name)
        return self.cast.by_name(name)


# Everyone a workspace authorization matrix tries; only "mentor" and "mentee" are the pair.
PAIR_ACTOR_NAMES = [
    "anonymous",
    "outsider",
    "member",
    "other_mentor",
    "other_mentee",
    "manager",
    "admin",
    "mentor",
    "mentee",
]


def start_relationship(mentor: Participant, mentee: Participant) -> Relationship:
    """Propose and start a relationship the way people do it (through the services)."""
    relationship = relationship_propose(mentor=mentor, mentee=mentee, source="manual")
    return relationship_transition(
        actor=mentor.user, relationship_id=relationship.pk, action="start"
    )


@pytest.fixture
def pair(cast: Cast) -> Pair:
    other_mentor = UserFactory(organization=cast.org, email="other-mentor@northwind.test")
    other_mentee = UserFactory(organization=cast.org, email="other-mentee@northwind.test")
    for user in (other_mentor, other_mentee):
        ProfileFactory(user=user)
    other_mentor_participant = ParticipantFactory(
        program=cast.program, user=other_mentor, role=ParticipantRole.MENTOR, capacity=1
    )
    other_mentee_participant = ParticipantFactory(program=cast.program, user=other_mentee)
    return Pair(
        cast=cast,
        relationship=start_relationship(cast.mentor_participant, cast.mentee_participant),
        other_mentor=other_mentor,
        other_mentee=other_mentee,
        other_relationship=start_relationship(other_mentor_participant, other_mentee_participant),
    )
