"""The Django side of matching: a programme's people as the engine's arrays, and back.

Two steps, so that a run can record exactly what it matched and be reproduced:

1. `matching_pool(program=...)` decides who takes part: active mentees without a mentor, active
   mentors who accept mentees and have a free place (with how many), the pinned pairs and every
   pair that may not be matched, and why. A run stores it as its `inputs`.
2. `matching_problem_build(program=..., pool=..., config=...)` loads those people's profiles and
   enrolment answers and builds a `MatchingProblem`, keeping index <-> participant id maps.

Both read a fixed number of queries whatever the size of the programme (no query per person).
"""

import datetime
import math
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils import timezone
from scipy import sparse

from tandem.accounts.names import display_name
from tandem.matching.engine import (
    DepartmentPreference,
    MatchingProblem,
    QuestionFeature,
    QuestionMode,
    Settings,
    Side,
    Weights,
)
from tandem.matching.models import MatchingSettings, PairRule, PairRuleKind, SuggestionDecline
from tandem.participants.models import Answer, Participant, ParticipantRole, ParticipantStatus
from tandem.people.models import Profile, Skill
from tandem.programs.models import (
    CHOICE_KINDS,
    EnrollmentQuestion,
    Program,
    ProgramFormat,
    ProgramPurpose,
    QuestionAudience,
    QuestionKind,
)
from tandem.relationships.selectors import relationship_pairs_in_program

# The working day assumed for everyone, in their own timezone.
WORKDAY_START_HOUR = 9
WORKDAY_END_HOUR = 17
SCALE_RANGE = 4.0  # scale questions are 1..5

# Why a pair may not be matched (stored with the run, shown to managers).
EXCLUDED_REPORTING_LINE = "reporting_line"
EXCLUDED_BY_RULE = "rule"
EXCLUDED_DECLINED = "declined"
EXCLUDED_EARLIER = "earlier_relationship"

EXCLUSION_LABELS = {
    EXCLUDED_REPORTING_LINE: "the mentor is in the mentee's reporting line",
    EXCLUDED_BY_RULE: "a manager said never to pair them",
    EXCLUDED_DECLINED: "the mentor declined this mentee",
    EXCLUDED_EARLIER: "they were already paired in this programme",
}

# The same, as the sentence the engine gives as `blocked_because` for a forbidden pair.
EXCLUSION_SENTENCES = {
    EXCLUDED_REPORTING_LINE: "The mentor is in the mentee's reporting line",
    EXCLUDED_BY_RULE: "A manager ruled this pair out",
    EXCLUDED_DECLINED: "The mentor declined this mentee",
    EXCLUDED_EARLIER: "They were already paired in this programme",
}

# The weights a manager may edit (0-5 each). `preferred` needs mentees' stated preferences,
# which no enrolment question collects yet, so it is not offered.
EDITABLE_CRITERIA = (
    "skills",
    "goals",
    "seniority",
    "department",
    "timezone",
    "language",
    "questions",
)
WEIGHT_MIN, WEIGHT_MAX = 0, 5
QUESTION_MODES = frozenset(mode.value for mode in QuestionMode)

_BASE_WEIGHTS: dict[str, int] = {
    "skills": 4,
    "goals": 2,
    "seniority": 2,
    "department": 1,
    "timezone": 2,
    "language": 1,
    "questions": 2,
}
# What each kind of programme cares about most.
PURPOSE_WEIGHTS: dict[str, dict[str, int]] = {
    ProgramPurpose.CAREER: {},
    ProgramPurpose.SKILLS: {"skills": 5, "seniority": 1},
    ProgramPurpose.LEADERSHIP: {"seniority": 5, "skills": 4, "timezone": 1},
    ProgramPurpose.DIVERSITY: {"goals": 4, "questions": 4, "skills": 2, "department": 2},
    ProgramPurpose.ONBOARDING: {"timezone": 3, "skills": 3, "goals": 1},
    ProgramPurpose.OTHER: {},
}
PURPOSE_RULES: dict[str, dict[str, Any]] = {
    ProgramPurpose.LEADERSHIP: {"seniority_gap_min": 2, "seniority_gap_max": 4},
    ProgramPurpose.ONBOARDING: {"seniority_gap_min": 0, "seniority_gap_max": 2},
}
_BASE_RULES: dict[str, Any] = {
    "seniority_gap_min": 1,
    "seniority_gap_max": 3,
    "department": DepartmentPreference.DIFFERENT.value,
    "shared_hours_target": 4.0,
    "require_shared_language": False,
    "questions": {},
}


def default_weights(purpose: str) -> dict[str, int]:
    """The weights a programme of this purpose starts with."""
    return {**_BASE_WEIGHTS, **PURPOSE_WEIGHTS.get(purpose, {})}


def default_rules(purpose: str) -> dict[str, Any]:
    """The rules a programme of this purpose starts with."""
    return {**_BASE_RULES, "questions": {}, **PURPOSE_RULES.get(purpose, {})}


@dataclass(frozen=True)
class MatchingConfig:
    """A programme's effective weights and rules: its saved settings over the defaults."""

    weights: dict[str, int]
    rules: dict[str, Any]

    @classmethod
    def for_program(cls, program: Program, stored: MatchingSettings | None) -> "MatchingConfig":
        weights = default_weights(program.purpose)
        rules = default_rules(program.purpose)
        if stored is not None:
            weights.update(
                {k: int(v) for k, v in (stored.weights or {}).items() if k in EDITABLE_CRITERIA}
            )
            rules.update({k: v for k, v in (stored.rules or {}).items() if k in _BASE_RULES})
        return cls(weights=weights, rules=rules)

    def engine_weights(self) -> Weights:
        # `preferred` stays at its default: no preferred pairs are given to the engine.
        return Weights(**{name: float(self.weights[name]) for name in EDITABLE_CRITERIA})

    def engine_settings(self) -> Settings:
        return Settings(
            seniority_gap_min=int(self.rules["seniority_gap_min"]),
            seniority_gap_max=int(self.rules["seniority_gap_max"]),
            department=DepartmentPreference(self.rules["department"]),
            shared_hours_target=float(self.rules["shared_hours_target"]),
            require_shared_language=bool(self.rules["require_shared_language"]),
        )

    def question_mode(self, question: EnrollmentQuestion) -> QuestionMode:
        stored = (self.rules.get("questions") or {}).get(str(question.pk))
        if stored in QUESTION_MODES and QuestionMode(stored) in question_modes_allowed(question):
            return QuestionMode(stored)
        return default_question_mode(question)


def default_question_mode(question: EnrollmentQuestion) -> QuestionMode:
    if question.kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        return QuestionMode.CLOSER
    return QuestionMode.SAME


def question_modes_allowed(question: EnrollmentQuestion) -> list[QuestionMode]:
    """Numbers can be compared by closeness; choices by sameness or difference."""
    if question.kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        return [QuestionMode.CLOSER, QuestionMode.SAME, QuestionMode.DIFFERENT]
    return [QuestionMode.SAME, QuestionMode.DIFFERENT]


def is_comparable_question(question: EnrollmentQuestion) -> bool:
    """A question the engine can use: flagged for matching, asked of both sides, not free text."""
    return (
        question.use_for_matching
        and question.audience == QuestionAudience.BOTH
        and question.kind != QuestionKind.TEXT
    )


# --- who takes part ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """Who a run matches. Pairs are (mentee participant id, mentor participant id)."""

    mentee_ids: tuple[int, ...]
    mentor_ids: tuple[int, ...]
    capacity: tuple[int, ...]  # free places per mentor, parallel to mentor_ids
    pins: tuple[tuple[int, int], ...] = ()
    exclusions: tuple[tuple[int, int, str], ...] = ()  # (mentee, mentor, why)

    def as_inputs(self) -> dict[str, Any]:
        return {
            "mentees": list(self.mentee_ids),
            "mentors": list(self.mentor_ids),
            "capacity": list(self.capacity),
            "pins": [list(pair) for pair in self.pins],
            "exclusions": [list(item) for item in self.exclusions],
        }

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any]) -> "Pool":
        return cls(
            mentee_ids=tuple(int(v) for v in inputs.get("mentees", [])),
            mentor_ids=tuple(int(v) for v in inputs.get("mentors", [])),
            capacity=tuple(int(v) for v in inputs.get("capacity", [])),
            pins=tuple((int(a), int(b)) for a, b in inputs.get("pins", [])),
            exclusions=tuple((int(a), int(b), str(why)) for a, b, why in inputs["exclusions"])
            if inputs.get("exclusions")
            else (),
        )

    def capacity_of(self) -> dict[int, int]:
        return dict(zip(self.mentor_ids, self.capacity, strict=True))

    def exclusion_reasons(self) -> dict[tuple[int, int], str]:
        return {(mentee, mentor): why for mentee, mentor, why in self.exclusions}


def reporting_chain_pairs(
    *, mentee_users: Mapping[int, int], mentor_users: Mapping[int, int], managers: Mapping[int, int]
) -> list[tuple[int, int]]:
    """(mentee id, mentor id) for every mentor who is a mentee's manager, or above them.

    `mentee_users`/`mentor_users` map participant id -> user id; `managers` maps user id -> the
    user id of their manager. Walks up each chain in memory, stopping at a loop.
    """
    mentor_by_user: dict[int, list[int]] = defaultdict(list)
    for mentor_id, user_id in mentor_users.items():
        mentor_by_user[user_id].append(mentor_id)
    pairs: list[tuple[int, int]] = []
    for mentee_id, user_id in mentee_users.items():
        seen = {user_id}
        boss = managers.get(user_id)
        while boss is not None and boss not in seen:
            seen.add(boss)
            pairs.extend((mentee_id, mentor_id) for mentor_id in mentor_by_user.get(boss, ()))
            boss = managers.get(boss)
    return pairs


def mentor_places(program: Program, capacity: int | None, matched: int) -> int:
    """Free places of a mentor in this programme's next run (circles are capped in size)."""
    places = capacity or 0
    if program.format == ProgramFormat.GROUP:
        places = min(places, program.max_circle_size)
    return max(places - matched, 0)


def matching_pool(*, program: Program, extra_pins: Iterable[tuple[int, int]] = ()) -> Pool:
    """Who the next run of `program` matches, with its pins and forbidden pairs. Five queries.

    Pins come from the programme's PIN rules and `extra_pins` (mentee id, mentor id); a pin is
    dropped when either person is not in the pool, the pair is forbidden, the mentee is already
    pinned, or the mentor's places are all pinned.
    """
    rows = Participant.objects.filter(program=program, status=ParticipantStatus.ACTIVE).values_list(
        "pk", "user_id", "role", "capacity", "matched_count", "is_accepting_mentees"
    )
    mentee_users: dict[int, int] = {}
    mentor_users: dict[int, int] = {}
    capacity: dict[int, int] = {}
    for pk, user_id, role, mentor_capacity, matched, accepting in rows.order_by("pk"):
        if role == ParticipantRole.MENTEE and matched == 0:
            mentee_users[pk] = user_id
        elif role == ParticipantRole.MENTOR and accepting:
            places = mentor_places(program, mentor_capacity, matched)
            if places > 0:
                mentor_users[pk] = user_id
                capacity[pk] = places

    managers = dict(
        Profile.objects.filter(user__organization_id=program.organization_id, manager__isnull=False)
        .values_list("user_id", "manager_id")
        .order_by()
    )
    excluded: dict[tuple[int, int], str] = {}
    for pair in reporting_chain_pairs(
        mentee_users=mentee_users, mentor_users=mentor_users, managers=managers
    ):
        excluded.setdefault(pair, EXCLUDED_REPORTING_LINE)

    def in_pool(mentee_id: int, mentor_id: int) -> bool:
        return mentee_id in mentee_users and mentor_id in mentor_users

    rule_pins: list[tuple[int, int]] = []
    for mentee_id, mentor_id, kind in (
        PairRule.objects.filter(program=program)
        .values_list("mentee_id", "mentor_id", "kind")
        .order_by("pk")
    ):
        if not in_pool(mentee_id, mentor_id):
            continue
        if kind == PairRuleKind.EXCLUDE:
            excluded.setdefault((mentee_id, mentor_id), EXCLUDED_BY_RULE)
        else:
            rule_pins.append((mentee_id, mentor_id))
    for pair in (
        SuggestionDecline.objects.filter(mentee__program=program)
        .values_list("mentee_id", "mentor_id")
        .order_by()
    ):
        if in_pool(*pair):
            excluded.setdefault(pair, EXCLUDED_DECLINED)
    earlier = relationship_pairs_in_program(program=program).values_list("mentee_id", "mentor_id")
    for pair in earlier.order_by():
        if in_pool(*pair):
            excluded.setdefault(pair, EXCLUDED_EARLIER)

    pins: list[tuple[int, int]] = []
    pinned_mentees: set[int] = set()
    pinned_places: Counter[int] = Counter()
    for mentee_id, mentor_id in [*extra_pins, *rule_pins]:
        if (
            not in_pool(mentee_id, mentor_id)
            or (mentee_id, mentor_id) in excluded
            or mentee_id in pinned_mentees
            or pinned_places[mentor_id] >= capacity[mentor_id]
        ):
            continue
        pins.append((mentee_id, mentor_id))
        pinned_mentees.add(mentee_id)
        pinned_places[mentor_id] += 1

    mentor_ids = tuple(mentor_users)
    return Pool(
        mentee_ids=tuple(mentee_users),
        mentor_ids=mentor_ids,
        capacity=tuple(capacity[pk] for pk in mentor_ids),
        pins=tuple(pins),
        exclusions=tuple(
            (mentee, mentor, why) for (mentee, mentor), why in sorted(excluded.items())
        ),
    )


# --- the problem -------------------------------------------------------------------------


@dataclass
class BuiltProblem:
    """A problem with the maps between its row indices and participant ids."""

    problem: MatchingProblem
    pool: Pool
    mentee_ids: list[int]
    mentor_ids: list[int]
    mentee_index: dict[int, int] = field(default_factory=dict)
    mentor_index: dict[int, int] = field(default_factory=dict)
    # (mentee index, mentor index) -> why the pair is forbidden
    forbidden_reason: dict[tuple[int, int], str] = field(default_factory=dict)

    def pair_indices(self, mentee_id: int, mentor_id: int) -> tuple[int, int]:
        return self.mentee_index[mentee_id], self.mentor_index[mentor_id]


def workday_in_utc(tz_name: str, *, now: datetime.datetime | None = None) -> tuple[float, float]:
    """The 09:00-17:00 working day of someone in `tz_name`, in UTC hours for today's offset.

    The start may be greater than the end when the day wraps past midnight UTC. NaN for an
    unknown timezone.
    """
    try:
        zone = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return math.nan, math.nan
    moment = (now or timezone.now()).astimezone(zone)
    offset = moment.utcoffset()
    hours = offset.total_seconds() / 3600 if offset is not None else 0.0
    return (WORKDAY_START_HOUR - hours) % 24, (WORKDAY_END_HOUR - hours) % 24


def _one_hot(rows: list[list[int]], columns: int) -> sparse.csr_matrix:
    data, indices, indptr = [], [], [0]
    for row in rows:
        unique = sorted(set(row))
        indices.extend(unique)
        data.extend([1.0] * len(unique))
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(rows), columns),
    )


def _language_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


@dataclass
class _Person:
    participant_id: int
    name: str
    profile: Profile | None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    return float(value)


def _question_feature(
    question: EnrollmentQuestion,
    mode: QuestionMode,
    mentee_answers: list[Any],
    mentor_answers: list[Any],
    skill_columns: dict[int, int],
    skill_names: list[str],
) -> QuestionFeature:
    if question.kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        mentee_values = np.array([_number(v) for v in mentee_answers], dtype=np.float64)
        mentor_values = np.array([_number(v) for v in mentor_answers], dtype=np.float64)
        if question.kind == QuestionKind.SCALE:
            value_range = SCALE_RANGE
        elif question.min_value is not None and question.max_value is not None:
            value_range = float(question.max_value - question.min_value)
        else:
            known = np.concatenate([mentee_values, mentor_values])
            known = known[~np.isnan(known)]
            value_range = float(known.max() - known.min()) if known.size else 0.0
        return QuestionFeature(
            label=question.prompt,
            kind="number",
            mode=mode,
            mentee_values=mentee_values,
            mentor_values=mentor_values,
            value_range=max(value_range, 1.0),
        )
    columns: dict[Any, int]
    if question.kind == QuestionKind.SKILLS:
        columns, labels = dict(skill_columns), skill_names
    else:
        labels = [str(option) for option in (question.choices or [])]
        columns = {option: position for position, option in enumerate(labels)}

    def encode(answer: Any) -> list[int]:
        values = answer if isinstance(answer, list) else [answer]
        return [
            columns[v]
            for v in values
            if isinstance(v, str | int) and not isinstance(v, bool) and v in columns
        ]

    return QuestionFeature(
        label=question.prompt,
        kind="choice",
        mode=mode,
        mentee_values=_one_hot([encode(a) for a in mentee_answers], len(labels)),
        mentor_values=_one_hot([encode(a) for a in mentor_answers], len(labels)),
        option_labels=list(labels),
    )


def matching_problem_build(
    *,
    program: Program,
    pool: Pool,
    config: MatchingConfig,
    now: datetime.datetime | None = None,
) -> BuiltProblem:
    """The engine's problem for `pool`: profiles, matching answers and constraints as arrays.

    Six queries whatever the size: participants with users and profiles, skills wanted, skills
    offered, the organisation's skills, the matching questions, and their answers. People who
    left the programme since the pool was taken are still described (the pool decides who runs).
    """
    wanted_ids = set(pool.mentee_ids) | set(pool.mentor_ids)
    people: dict[int, _Person] = {}
    for participant in Participant.objects.filter(program=program).select_related(
        "user", "user__profile"
    ):
        if participant.pk not in wanted_ids:
            continue
        user = participant.user
        profile = getattr(user, "profile", None)
        people[participant.pk] = _Person(participant.pk, display_name(user), profile)

    profile_to_participant = {
        person.profile.pk: pk for pk, person in people.items() if person.profile is not None
    }
    skill_list = list(
        Skill.objects.filter(organization_id=program.organization_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    skill_columns = {pk: position for position, (pk, _) in enumerate(skill_list)}
    skill_names = [name for _, name in skill_list]

    def skills_of(through: Any) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for profile_id, skill_id in (
            through.objects.filter(profile__user__participations__program=program)
            .values_list("profile_id", "skill_id")
            .order_by()
        ):
            participant_id = profile_to_participant.get(profile_id)
            if participant_id is not None and skill_id in skill_columns:
                found[participant_id].append(skill_columns[skill_id])
        return found

    wanted = skills_of(Profile.skills_wanted.through)
    offered = skills_of(Profile.skills_offered.through)

    departments: dict[str, int] = {}
    languages: dict[str, int] = {}
    department_names: list[str] = []
    language_names: list[str] = []
    for pk in sorted(people):
        profile = people[pk].profile
        if profile is None:
            continue
        department = profile.department.strip()
        if department and department.casefold() not in departments:
            departments[department.casefold()] = len(department_names)
            department_names.append(department)
        for language in profile.languages or []:
            key = _language_key(language)
            if key and key not in languages:
                languages[key] = len(language_names)
                language_names.append(" ".join(str(language).split()))

    moment = now or timezone.now()

    def side(ids: list[int], skills: dict[int, list[int]], *, mentor: bool) -> Side:
        names: list[str] = []
        texts: list[str] = []
        seniority: list[int] = []
        department: list[int] = []
        starts: list[float] = []
        ends: list[float] = []
        spoken: list[list[int]] = []
        for pk in ids:
            person = people.get(pk) or _Person(pk, f"Participant {pk}", None)
            profile = person.profile
            names.append(person.name)
            if profile is None:
                texts.append("")
                seniority.append(0)
                department.append(-1)
                starts.append(math.nan)
                ends.append(math.nan)
                spoken.append([])
                continue
            text = f"{profile.bio}\n{profile.goals}" if mentor else profile.goals
            texts.append(text.strip())
            seniority.append(int(profile.seniority or 0))
            department.append(departments.get(profile.department.strip().casefold(), -1))
            start, end = workday_in_utc(profile.timezone, now=moment)
            starts.append(start)
            ends.append(end)
            keys = [_language_key(language) for language in profile.languages or []]
            spoken.append([languages[key] for key in keys if key in languages])
        return Side(
            names=names,
            skills=_one_hot([skills.get(pk, []) for pk in ids], len(skill_names)),
            text=texts,
            seniority=np.asarray(seniority, dtype=np.int64),
            department=np.asarray(department, dtype=np.int64),
            work_start_utc=np.asarray(starts, dtype=np.float64),
            work_end_utc=np.asarray(ends, dtype=np.float64),
            languages=_one_hot(spoken, len(language_names)),
        )

    mentee_ids = list(pool.mentee_ids)
    mentor_ids = list(pool.mentor_ids)
    mentee_index = {pk: i for i, pk in enumerate(mentee_ids)}
    mentor_index = {pk: j for j, pk in enumerate(mentor_ids)}

    questions = [
        q
        for q in EnrollmentQuestion.objects.filter(program=program, use_for_matching=True).order_by(
            "position", "pk"
        )
        if is_comparable_question(q)
    ]
    answers: dict[tuple[int, int], Any] = {}
    if questions:
        for participant_id, question_id, value in (
            Answer.objects.filter(question__in=[q.pk for q in questions])
            .values_list("participant_id", "question_id", "value")
            .order_by()
        ):
            answers[(participant_id, question_id)] = value
    features = [
        _question_feature(
            question,
            config.question_mode(question),
            [answers.get((pk, question.pk)) for pk in mentee_ids],
            [answers.get((pk, question.pk)) for pk in mentor_ids],
            skill_columns,
            skill_names,
        )
        for question in questions
        if question.kind in CHOICE_KINDS
        or question.kind in (QuestionKind.SKILLS, QuestionKind.SCALE, QuestionKind.NUMBER)
    ]

    forbidden_reason: dict[tuple[int, int], str] = {}
    for mentee_id, mentor_id, why in pool.exclusions:
        if mentee_id in mentee_index and mentor_id in mentor_index:
            forbidden_reason[(mentee_index[mentee_id], mentor_index[mentor_id])] = why
    forbidden_pairs = sorted(forbidden_reason)
    pinned_pairs = [
        (mentee_index[a], mentor_index[b])
        for a, b in pool.pins
        if a in mentee_index and b in mentor_index
    ]

    def as_arrays(pairs: list[tuple[int, int]]) -> tuple[Any, Any]:
        return (
            np.asarray([a for a, _ in pairs], dtype=np.int64),
            np.asarray([b for _, b in pairs], dtype=np.int64),
        )

    problem = MatchingProblem(
        mentees=side(mentee_ids, wanted, mentor=False),
        mentors=side(mentor_ids, offered, mentor=True),
        capacity=np.asarray(pool.capacity, dtype=np.int64),
        weights=config.engine_weights(),
        settings=config.engine_settings(),
        questions=features,
        forbidden=as_arrays(forbidden_pairs),
        forbidden_reasons=[EXCLUSION_SENTENCES[forbidden_reason[pair]] for pair in forbidden_pairs],
        pinned=as_arrays(pinned_pairs),
        skill_names=skill_names,
        language_names=language_names,
        department_names=department_names,
    )
    return BuiltProblem(
        problem=problem,
        pool=pool,
        mentee_ids=mentee_ids,
        mentor_ids=mentor_ids,
        mentee_index=mentee_index,
        mentor_index=mentor_index,
        forbidden_reason=forbidden_reason,
    )


def matching_config_for(program: Program) -> MatchingConfig:
    """The programme's effective matching weights and rules (one query)."""
    stored = MatchingSettings.objects.filter(program=program).first()
    return MatchingConfig.for_program(program, stored)


def matching_problem_for_program(
    *, program: Program, config: MatchingConfig | None = None
) -> BuiltProblem:
    """Everything the next run of `program` would match, as a problem (for suggestions too)."""
    config = config or matching_config_for(program)
    pool = matching_pool(program=program)
    return matching_problem_build(program=program, pool=pool, config=config)
