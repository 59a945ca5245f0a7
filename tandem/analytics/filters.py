"""Which people a dashboard is about: the programmes, the role, the cohort (when people joined)
and their profile's department and location. One `Scope` is built per request and every figure
of the dashboard reads through it, so the page, the API and the exports agree.

Filters are checked here, once: a bad value is an `InvalidInput` naming the field and why, and
nothing is read.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q
from django.utils import timezone

from tandem.accounts.models import Organization
from tandem.accounts.selectors import aggregate_min_group
from tandem.core.aggregates import min_group_size
from tandem.core.errors import FieldError, InvalidInput
from tandem.core.text import single_line_problem
from tandem.participants.models import ParticipantRole

# How many whole weeks the engagement series covers unless asked otherwise, and at most.
DEFAULT_WEEKS = 12
MAX_WEEKS = 104
TEXT_MAX = 150  # the profile's department and location columns


@dataclass(frozen=True)
class Filters:
    """What the manager narrowed the dashboard to (GET parameters, API query)."""

    role: str = ParticipantRole.MENTEE
    joined_from: datetime.date | None = None
    joined_to: datetime.date | None = None
    department: str = ""
    location: str = ""
    weeks: int = DEFAULT_WEEKS

    def as_params(self) -> dict[str, str]:
        """The filters as GET parameters (for links, downloads and drill-downs)."""
        params = {"role": str(self.role), "weeks": str(self.weeks)}
        if self.joined_from:
            params["joined_from"] = self.joined_from.isoformat()
        if self.joined_to:
            params["joined_to"] = self.joined_to.isoformat()
        if self.department:
            params["department"] = self.department
        if self.location:
            params["location"] = self.location
        return params


def _date(name: str, raw: str, errors: list[FieldError]) -> datetime.date | None:
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(name, f"'{raw}' is not a date: use YYYY-MM-DD."))
        return None


def filters_parse(params: dict[str, str], *, prefix: str = "") -> Filters:
    """Filters from GET parameters (`prefix` reads a second cohort, e.g. "b_"), or
    InvalidInput naming each parameter that is wrong."""
    errors: list[FieldError] = []

    def get(name: str) -> str:
        return (params.get(prefix + name) or "").strip()

    role = get("role") or ParticipantRole.MENTEE
    if role not in ParticipantRole.values:
        errors.append(FieldError(prefix + "role", f"'{role}' is not a role: mentor or mentee."))
        role = ParticipantRole.MENTEE
    joined_from = _date(prefix + "joined_from", get("joined_from"), errors)
    joined_to = _date(prefix + "joined_to", get("joined_to"), errors)
    if joined_from and joined_to and joined_to < joined_from:
        errors.append(
            FieldError(prefix + "joined_to", "The end of the cohort is before its start.")
        )
    weeks = DEFAULT_WEEKS
    if get("weeks"):
        try:
            weeks = int(get("weeks"))
        except ValueError:
            weeks = 0
        if not 1 <= weeks <= MAX_WEEKS:
            errors.append(
                FieldError(prefix + "weeks", f"Weeks must be a whole number from 1 to {MAX_WEEKS}.")
            )
            weeks = DEFAULT_WEEKS
    for name in ("department", "location"):
        if len(get(name)) > TEXT_MAX:
            errors.append(FieldError(prefix + name, f"At most {TEXT_MAX} characters."))
        problem = single_line_problem(get(name))
        if problem:
            errors.append(FieldError(prefix + name, problem))
    if errors:
        raise InvalidInput("Some filters are not valid.", errors=errors)
    return Filters(
        role=role,
        joined_from=joined_from,
        joined_to=joined_to,
        department=get("department")[:TEXT_MAX],
        location=get("location")[:TEXT_MAX],
        weeks=weeks,
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Scope:
    """The programmes a dashboard covers (already guarded), the filters and the moment."""

    program_ids: tuple[int, ...]
    filters: Filters = field(default_factory=Filters)
    now: datetime.datetime = field(default_factory=timezone.now)

    @cached_property
    def min_group(self) -> int:
        """The smallest group the organisation's aggregates cover (its own setting, through
        the rule's floor): what satisfaction and skills publish by. One query, once."""
        organization = Organization.objects.filter(programs__pk__in=self.program_ids).first()
        return aggregate_min_group(organization) if organization else min_group_size()

    @property
    def role(self) -> str:
        return str(self.filters.role)

    def people(self, prefix: str = "") -> Q:
        """The condition "one of the people this dashboard is about" on participants, or on
        rows reaching a participant through `prefix` (e.g. "mentee__", "relationship__mentee__")."""
        f = self.filters
        condition = Q(**{f"{prefix}program_id__in": self.program_ids, f"{prefix}role": f.role})
        if f.joined_from:
            condition &= Q(**{f"{prefix}created_at__gte": _start_of(f.joined_from)})
        if f.joined_to:
            end = _start_of(f.joined_to + datetime.timedelta(days=1))
            condition &= Q(**{f"{prefix}created_at__lt": end})
        if f.department:
            condition &= Q(**{f"{prefix}user__profile__department__iexact": f.department})
        if f.location:
            condition &= Q(**{f"{prefix}user__profile__location__iexact": f.location})
        return condition

    def pairs(self, prefix: str = "") -> Q:
        """The condition "a pair this dashboard is about" (its person of the role is one of
        `people`) on relationships, or on rows reaching one through `prefix`."""
        return self.people(f"{prefix}{self.role}__")
