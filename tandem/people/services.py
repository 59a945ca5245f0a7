"""Every write about people: profiles, the organisation's skill list, and the HR CSV import."""

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, StrEnum
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from tandem.accounts import services as account_services
from tandem.accounts.models import Organization, Role, User
from tandem.audit import events as audit_events
from tandem.audit.services import audit_record
from tandem.core.errors import Conflict, FieldError, InvalidInput
from tandem.core.text import single_line_problem
from tandem.people import csvfile
from tandem.people.models import (
    PeopleImport,
    PeopleImportStatus,
    Profile,
    Seniority,
    Skill,
)
from tandem.people.permissions import (
    require_org_admin,
    require_organization,
    require_skill_manager,
)


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
"""Marks a profile field the caller did not send (leave it as it is)."""

MAX_LANGUAGES = 20
MAX_LANGUAGE_LENGTH = 50
_PROFILE_TEXT_LIMITS = {"job_title": 150, "department": 150, "location": 150}


# --- profile ------------------------------------------------------------------------------


@transaction.atomic
def profile_get_or_create(*, actor: User) -> Profile:
    """The actor's own profile, created empty (timezone UTC, capacity 1) on their first visit."""
    require_organization(actor)
    profile, _ = Profile.objects.get_or_create(user=actor)
    return profile


def _clean_languages(languages: Iterable[str]) -> tuple[list[str], list[FieldError]]:
    cleaned: list[str] = []
    seen: set[str] = set()
    errors: list[FieldError] = []
    for language in languages:
        name = " ".join(str(language).split())
        if not name or name.lower() in seen:
            continue
        if len(name) > MAX_LANGUAGE_LENGTH:
            errors.append(
                FieldError(
                    "languages", f"'{name[:20]}…' is longer than {MAX_LANGUAGE_LENGTH} characters."
                )
            )
            continue
        seen.add(name.lower())
        cleaned.append(name)
    if len(cleaned) > MAX_LANGUAGES:
        errors.append(FieldError("languages", f"List at most {MAX_LANGUAGES} languages."))
    return cleaned, errors


def _org_skills(
    organization: Organization, skill_ids: Iterable[int], field_name: str
) -> tuple[list[Skill], list[FieldError]]:
    wanted = set(skill_ids)
    skills = list(Skill.objects.filter(organization=organization, pk__in=wanted))
    missing = sorted(wanted - {skill.pk for skill in skills})
    if missing:
        ids = ", ".join(str(pk) for pk in missing)
        return skills, [
            FieldError(field_name, f"Skill {ids} is not on your organisation's skill list.")
        ]
    return skills, []


@transaction.atomic
def profile_update(
    *,
    actor: User,
    job_title: str | _Unset = UNSET,
    department: str | _Unset = UNSET,
    seniority: int | _Unset | None = UNSET,
    location: str | _Unset = UNSET,
    timezone_name: str | _Unset = UNSET,
    languages: list[str] | _Unset = UNSET,
    bio: str | _Unset = UNSET,
    skills_offered: list[int] | _Unset = UNSET,
    skills_wanted: list[int] | _Unset = UNSET,
    goals: str | _Unset = UNSET,
    availability: str | _Unset = UNSET,
    mentor_capacity: int | _Unset = UNSET,
    language: str | _Unset = UNSET,
) -> Profile:
    """Change the actor's own profile. Only the fields passed change; all errors come at once.

    Skills must come from the actor's organisation's list; the timezone must be an IANA name;
    mentor capacity is at least 1; the language (what the actor reads Tandem in, kept on the
    account by accounts) one Tandem offers. Nothing is saved if anything is wrong.
    """
    organization = require_organization(actor)
    profile, _ = Profile.objects.select_for_update().get_or_create(user=actor)
    errors: list[FieldError] = []
    changed: list[str] = []

    def set_value(name: str, value: object) -> None:
        if getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)

    texts = {
        "job_title": job_title,
        "department": department,
        "location": location,
        "bio": bio,
        "goals": goals,
        "availability": availability,
    }
    for name, value in texts.items():
        if isinstance(value, str):
            value = value.strip()
            limit = _PROFILE_TEXT_LIMITS.get(name)
            if limit is not None and len(value) > limit:
                errors.append(FieldError(name, f"Keep this to {limit} characters or fewer."))
            else:
                set_value(name, value)
    if seniority is not UNSET:
        if seniority is not None and seniority not in Seniority.values:
            choices = ", ".join(f"{value} ({label})" for value, label in Seniority.choices)
            errors.append(FieldError("seniority", f"Choose one of {choices}."))
        else:
            set_value("seniority", seniority)
    if isinstance(timezone_name, str):
        canonical = csvfile.canonical_timezone(timezone_name)
        if canonical is None:
            errors.append(
                FieldError(
                    "timezone",
                    f"'{timezone_name}' is not a known timezone. Use an IANA name such as "
                    "Europe/London or America/New_York.",
                )
            )
        else:
            set_value("timezone", canonical)
    if isinstance(languages, list):
        cleaned, language_errors = _clean_languages(languages)
        errors.extend(language_errors)
        set_value("languages", cleaned)
    if isinstance(mentor_capacity, int):
        if mentor_capacity < 1:
            errors.append(
                FieldError("mentor_capacity", "Mentor capacity must be at least 1 mentee.")
            )
        elif mentor_capacity > 32767:
            errors.append(FieldError("mentor_capacity", "Mentor capacity is too large."))
        else:
            set_value("mentor_capacity", mentor_capacity)
    offered: list[Skill] | None = None
    wanted: list[Skill] | None = None
    if isinstance(skills_offered, list):
        offered, skill_errors = _org_skills(organization, skills_offered, "skills_offered")
        errors.extend(skill_errors)
    if isinstance(skills_wanted, list):
        wanted, skill_errors = _org_skills(organization, skills_wanted, "skills_wanted")
        errors.extend(skill_errors)
    if isinstance(language, str):
        errors.extend(account_services.person_language_check(language=language))
    if errors:
        raise InvalidInput(gettext("Some of the profile is not valid; nothing was saved."), errors)
    if isinstance(language, str):
        account_services.person_language_set(actor=actor, language=language)
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    if offered is not None:
        profile.skills_offered.set(offered)
    if wanted is not None:
        profile.skills_wanted.set(wanted)
    return profile


# --- skills -------------------------------------------------------------------------------


def _clean_skill_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput.for_field("name", "A skill needs a name.")
    if len(cleaned) > 80:
        raise InvalidInput.for_field("name", "Keep a skill's name to 80 characters or fewer.")
    return cleaned


def _duplicate_skill(name: str) -> Conflict:
    return Conflict(
        f"The skill list already has '{name}'.",
        [FieldError("name", f"'{name}' is already on the list (names ignore upper/lower case).")],
    )


@transaction.atomic
def skill_create(*, actor: User, name: str, category: str = "") -> Skill:
    """Add a skill to the actor's organisation's list. Names are unique ignoring case."""
    organization = require_skill_manager(actor)
    name = _clean_skill_name(name)
    if Skill.objects.filter(organization=organization, name__iexact=name).exists():
        raise _duplicate_skill(name)
    try:
        with transaction.atomic():
            return Skill.objects.create(
                organization=organization, name=name, category=category.strip()[:80]
            )
    except IntegrityError as exc:  # created meanwhile by someone else
        raise _duplicate_skill(name) from exc


@transaction.atomic
def skill_update(
    *, actor: User, skill: Skill, name: str | None = None, category: str | None = None
) -> Skill:
    """Rename a skill (or change its category). Profiles keep it under its new name."""
    organization = require_skill_manager(actor)
    locked = Skill.objects.select_for_update().get(pk=skill.pk, organization=organization)
    fields: list[str] = []
    if name is not None:
        name = _clean_skill_name(name)
        duplicate = (
            Skill.objects.filter(organization=organization, name__iexact=name)
            .exclude(pk=locked.pk)
            .exists()
        )
        if duplicate:
            raise _duplicate_skill(name)
        locked.name = name
        fields.append("name")
    if category is not None:
        locked.category = category.strip()[:80]
        fields.append("category")
    if fields:
        try:
            with transaction.atomic():
                locked.save(update_fields=[*fields, "updated_at"])
        except IntegrityError as exc:
            raise _duplicate_skill(locked.name) from exc
    return locked


@transaction.atomic
def skill_delete(*, actor: User, skill: Skill) -> None:
    """Remove a skill from the list, and with it from every profile that offers or wants it."""
    organization = require_skill_manager(actor)
    Skill.objects.filter(pk=skill.pk, organization=organization).delete()


# --- CSV import of people -----------------------------------------------------------------


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"
    # Committed only: the address already has an account that is not this organisation's.
    SKIP = "skip"


# Why a committed row was skipped: true, and no more than the directory shows after the commit
# (the person is not in it). The dry run says nothing of it, so that no admin can test an address
# for an account elsewhere without committing it.
SKIP_REASON = gettext_noop(
    "Not added: this address cannot be given an account in your organisation. Ask the person "
    "for their work address."
)


@dataclass
class RowPlan:
    """What the import does (or would do) with one row of the file."""

    row: int
    email: str
    action: RowAction
    changes: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


@dataclass
class ImportPlan:
    """The outcome of reading a file: a plan per row, warnings about the file, and counts."""

    rows: list[RowPlan]
    warnings: list[str]
    columns: list[str]
    committed: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RowAction, 0)
        for plan in self.rows:
            counts[plan.action] += 1
        # "skip" only happens on a commit, and is counted only when it did.
        return {
            action.value: count
            for action, count in counts.items()
            if action != RowAction.SKIP or count
        }

    @property
    def errors(self) -> list[FieldError]:
        return [error for plan in self.rows for error in plan.errors]

    @property
    def rejected(self) -> list[RowPlan]:
        return [plan for plan in self.rows if plan.action == RowAction.REJECT]


@dataclass
class _CleanRow:
    row: int
    email: str
    values: dict[str, Any]
    manager_email: str
    errors: list[FieldError] = field(default_factory=list)


_USER_FIELDS = ("first_name", "last_name")
_PROFILE_FIELDS = ("job_title", "department", "location", "timezone", "hire_date")


def _check_size(size: int) -> None:
    limit = settings.PEOPLE_IMPORT_MAX_BYTES
    if size > limit:
        raise InvalidInput.for_field("file", csvfile.too_large_message(size, limit))


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _clean_row(raw: csvfile.RawRow, header: csvfile.Header) -> _CleanRow:
    errors: list[FieldError] = []

    def error(field_name: str, message: str) -> None:
        errors.append(FieldError(header.column_name(field_name), message, row=raw.row))

    email = raw.values["email"].lower()
    if not email:
        error("email", gettext("The email is missing; every person needs one."))
    elif len(email) > csvfile.MAX_LENGTHS["email"] or not _is_email(email):
        error(
            "email",
            gettext("'%(email)s' is not a valid email address.") % {"email": raw.values["email"]},
        )
    values: dict[str, Any] = {}
    for name in ("first_name", "last_name", "job_title", "department", "location"):
        if name in raw.values:
            value = raw.values[name]
            if len(value) > csvfile.MAX_LENGTHS[name]:
                error(
                    name,
                    gettext("Keep this to %(limit)s characters or fewer.")
                    % {"limit": csvfile.MAX_LENGTHS[name]},
                )
            elif problem := single_line_problem(value):
                # A quoted CSV cell may hold a line break; names end up in email subjects.
                error(name, problem)
            values[name] = value
    if "timezone" in raw.values:
        given = raw.values["timezone"]
        canonical = csvfile.canonical_timezone(given) if given else "UTC"
        if canonical is None:
            error(
                "timezone",
                gettext(
                    "'%(zone)s' is not a known timezone. Use an IANA name such as Europe/London."
                )
                % {"zone": given},
            )
        values["timezone"] = canonical
    if "hire_date" in raw.values:
        given = raw.values["hire_date"]
        hire_date: date | None = None
        if given:
            try:
                hire_date = csvfile.parse_date(given)
            except ValueError:
                error(
                    "hire_date",
                    gettext("'%(date)s' is not a date. Use %(formats)s.")
                    % {"date": given, "formats": gettext(csvfile.DATE_FORMATS_TEXT)},
                )
        values["hire_date"] = hire_date
    manager_email = raw.values.get("manager_email", "").lower()
    if manager_email:
        if not _is_email(manager_email):
            error(
                "manager_email",
                gettext("'%(email)s' is not a valid email address.") % {"email": manager_email},
            )
        elif manager_email == email:
            error("manager_email", gettext("A person cannot be their own manager."))
    if raw.extra_cells:
        errors.append(
            FieldError(
                "row",
                gettext(
                    "This row has %(count)s more filled cell(s) than the header has columns; "
                    "put values that contain the delimiter in double quotes."
                )
                % {"count": raw.extra_cells},
                row=raw.row,
            )
        )
    return _CleanRow(
        row=raw.row, email=email, values=values, manager_email=manager_email, errors=errors
    )


# Rows per INSERT/UPDATE and values per IN list where the database sets no lower limit, so
# that no single statement grows without bound with a 100,000-row file.
WRITE_BATCH_SIZE = 5000
LOOKUP_BATCH_SIZE = 10_000


def _in_batches(values: list[str]) -> Iterator[list[str]]:
    """Split an IN list so one statement stays under the database's parameter limit."""
    limit = connection.features.max_query_params
    size = min(limit - 10, LOOKUP_BATCH_SIZE) if limit else LOOKUP_BATCH_SIZE
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(slots=True)
class _Known:
    """An existing account and its profile, as plain values (20,000 model instances are slow)."""

    user_id: int
    organization_id: int | None
    first_name: str
    last_name: str
    profile_id: int | None
    profile: dict[str, Any]


_KNOWN_PROFILE_FIELDS = (*_PROFILE_FIELDS, "manager_id")


def _existing_users(emails: set[str], *, lock: bool) -> dict[str, _Known]:
    """Every account (in any organisation) with one of these emails, with its profile."""
    found: dict[str, _Known] = {}
    columns = [f"profile__{name}" for name in _KNOWN_PROFILE_FIELDS]
    for batch in _in_batches(sorted(emails)):
        queryset = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=batch)
            .values_list(
                "email_lower",
                "pk",
                "organization_id",
                "first_name",
                "last_name",
                "profile__id",
                *columns,
            )
        )
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        for email, pk, organization_id, first_name, last_name, profile_id, *rest in queryset:
            found[email] = _Known(
                user_id=pk,
                organization_id=organization_id,
                first_name=first_name,
                last_name=last_name,
                profile_id=profile_id,
                profile=dict(zip(_KNOWN_PROFILE_FIELDS, rest, strict=True)),
            )
    return found


@dataclass
class _Work:
    plan: ImportPlan
    cleaned: list[_CleanRow]
    existing: dict[str, _Known]  # accounts of the importing organisation only
    header: csvfile.Header
    # Emails of accounts in other organisations: planned and reported exactly like new
    # people, so that the file's answer says nothing about another organisation, and
    # skipped when committing (an email is one account, and that one is not ours to touch).
    foreign: set[str] = field(default_factory=set)


def _plan(
    *, organization: Organization, content: bytes, lock: bool, valid_only: bool = False
) -> _Work:
    _check_size(len(content))
    try:
        header, raw_rows = csvfile.read_rows(csvfile.decode(content))
        cleaned = [_clean_row(raw, header) for raw in raw_rows]
    except csvfile.CsvFormatError as exc:
        raise InvalidInput.for_field("file", str(exc)) from exc
    if not cleaned:
        raise InvalidInput.for_field(
            "file", gettext("The file has a header but no rows of people.")
        )
    email_column = header.column_name("email")
    rows_by_email: dict[str, list[int]] = defaultdict(list)
    for item in cleaned:
        if item.email:
            rows_by_email[item.email].append(item.row)
    for item in cleaned:
        rows = rows_by_email.get(item.email, [])
        if len(rows) > 1:
            listed = ", ".join(str(row) for row in rows)
            item.errors.append(
                FieldError(
                    email_column,
                    f"{item.email} appears more than once in the file (rows {listed}); "
                    "keep one row per person.",
                    row=item.row,
                )
            )
    manager_emails = {item.manager_email for item in cleaned if item.manager_email}
    found = _existing_users(set(rows_by_email) | manager_emails, lock=lock)
    # From here on an account in another organisation is as unknown as a new address.
    existing = {
        email: known for email, known in found.items() if known.organization_id == organization.pk
    }
    foreign = set(found) - set(existing)
    manager_column = header.column_name("manager_email")
    if valid_only:
        _reject_rows_whose_manager_is_rejected(cleaned, existing, manager_column)
    plan_rows: list[RowPlan] = []
    for item in cleaned:
        user = existing.get(item.email)
        manager_id: int | None = None
        if item.manager_email:
            manager = existing.get(item.manager_email)
            if manager is not None:
                manager_id = manager.user_id
            elif item.manager_email not in rows_by_email and not any(
                error.field == manager_column for error in item.errors
            ):
                item.errors.append(
                    FieldError(
                        manager_column,
                        gettext(
                            "The manager %(email)s was not found in the file or in your "
                            "organisation."
                        )
                        % {"email": item.manager_email},
                        row=item.row,
                    )
                )
        if item.errors:
            plan_rows.append(RowPlan(item.row, item.email, RowAction.REJECT, [], item.errors))
        elif user is None:
            plan_rows.append(RowPlan(item.row, item.email, RowAction.CREATE))
        else:
            changes = _changes(
                user, item, manager_id, manager="manager_email" in header.field_index
            )
            action = RowAction.UPDATE if changes else RowAction.UNCHANGED
            plan_rows.append(RowPlan(item.row, item.email, action, changes))
    warnings = []
    if header.unknown:
        names = ", ".join(f"'{name}'" for name in header.unknown)
        warnings.append(
            gettext("These columns are not used and were ignored: %(names)s.") % {"names": names}
        )
    columns = [name for name, _ in csvfile.COLUMNS if name in header.field_index]
    plan = ImportPlan(rows=plan_rows, warnings=warnings, columns=columns)
    return _Work(plan=plan, cleaned=cleaned, existing=existing, header=header, foreign=foreign)


def _reject_rows_whose_manager_is_rejected(
    cleaned: list[_CleanRow], existing: dict[str, _Known], manager_column: str
) -> None:
    """Importing the valid rows only: a row whose manager is a new person on a rejected row
    cannot be imported either (the manager will not exist), and so on down the chain."""
    row_of = {item.email: item for item in cleaned if item.email}
    changed = True
    while changed:
        changed = False
        for item in cleaned:
            manager = row_of.get(item.manager_email)
            if (
                item.errors
                or manager is None
                or not manager.errors
                or item.manager_email in existing
            ):
                continue
            item.errors.append(
                FieldError(
                    manager_column,
                    gettext("The manager %(email)s is on row %(row)s, which is not imported.")
                    % {"email": item.manager_email, "row": manager.row},
                    row=item.row,
                )
            )
            changed = True


def _changes(known: _Known, item: _CleanRow, manager_id: int | None, *, manager: bool) -> list[str]:
    """The fields this row would change on an existing person of the organisation.

    `manager` says whether the file has a manager column; `manager_id` is None either when the
    cell is empty or when the manager is a person the file creates (then it always changes).
    """
    if known.profile_id is None:
        return ["profile"]
    changes = [
        name
        for name in _USER_FIELDS
        if name in item.values and getattr(known, name) != item.values[name]
    ]
    changes += [
        name
        for name in _PROFILE_FIELDS
        if name in item.values and known.profile[name] != item.values[name]
    ]
    if manager and (
        (item.manager_email and manager_id is None) or known.profile["manager_id"] != manager_id
    ):
        changes.append("manager")
    return changes


def people_import_preview(*, actor: User, content: bytes) -> ImportPlan:
    """Dry run: read the file and say what committing it would do, row by row. Writes nothing.

    Rejected rows carry FieldErrors naming the row (as a spreadsheet numbers it, header = 1),
    the column as the file spells it, and the reason.
    """
    organization = require_org_admin(actor)
    return _plan(organization=organization, content=content, lock=False).plan


@transaction.atomic
def people_import_commit(*, actor: User, content: bytes, valid_only: bool = False) -> ImportPlan:
    """Import the file into the actor's organisation: all rows or none, or (`valid_only`) the
    valid rows, reporting the rest.

    If any row is rejected, raises InvalidInput listing every rejected row and writes nothing;
    with `valid_only`, imports every other row and returns the rejected ones in the plan
    (`plan.rejected`, each with its errors), rows whose manager is on a rejected row included.
    Otherwise upserts on email (case-insensitive) in this one transaction with a fixed number
    of bulk statements (no query per row): new people become members without a usable password
    (they sign in after a password reset or an invitation), each with a profile; managers are
    resolved once everyone exists, so a manager may be a row further down the file. Rows that
    change nothing are not written, so their `updated_at` stays as it was.

    An email that already has an account in another organisation is planned like a new person
    in the dry run (saying otherwise would let an admin test any address for an account
    elsewhere) and is left alone when committing: no account is created or changed for it, and
    the commit's report says so (`RowAction.SKIP`) rather than claim it was added.
    """
    organization = require_org_admin(actor)
    work = _plan(organization=organization, content=content, lock=True, valid_only=valid_only)
    plan = work.plan
    if plan.rejected and not valid_only:
        count = len(plan.rejected)
        raise InvalidInput(
            f"{count} row{'s' if count != 1 else ''} of the file cannot be imported; nothing "
            "was imported. Fix them and upload the file again.",
            plan.errors,
        )
    action_by_row = {row_plan.row: row_plan.action for row_plan in plan.rows}
    header_fields = work.header.field_index
    now = timezone.now()

    new_users: list[User] = []
    for item in work.cleaned:
        if action_by_row[item.row] == RowAction.CREATE and item.email not in work.foreign:
            new_users.append(
                User(
                    organization=organization,
                    email=item.email,
                    first_name=item.values.get("first_name", ""),
                    last_name=item.values.get("last_name", ""),
                    role=Role.MEMBER,
                    language=organization.default_language,
                    # What set_unusable_password() stores, without its 40 random.choice()
                    # calls per person (a third of the time of a 20,000-row import).
                    password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                )
            )
    try:
        with transaction.atomic():
            User.objects.bulk_create(new_users, batch_size=WRITE_BATCH_SIZE)
    except IntegrityError as exc:
        raise Conflict(
            gettext(
                "Someone with one of these emails was added while the file was being imported. "
                "Run the import again."
            )
        ) from exc

    user_ids = {email: known.user_id for email, known in work.existing.items()}
    user_ids.update({user.email: user.pk for user in new_users})

    has_manager = "manager_email" in header_fields
    header_profile_fields = [name for name in _PROFILE_FIELDS if name in header_fields]
    header_user_fields = [name for name in _USER_FIELDS if name in header_fields]
    new_profiles: list[Profile] = []
    changed_profiles: list[Profile] = []
    changed_users: list[User] = []
    for item in work.cleaned:
        if (
            action_by_row[item.row] in (RowAction.UNCHANGED, RowAction.REJECT)
            or item.email in work.foreign
        ):
            continue
        values = {name: item.values[name] for name in header_profile_fields}
        if has_manager:
            values["manager_id"] = user_ids.get(item.manager_email) if item.manager_email else None
        known = work.existing.get(item.email)
        if known is None or known.profile_id is None:
            new_profiles.append(Profile(user_id=user_ids[item.email], **values))
        else:
            # Only the file's columns are written; they hold the wanted state for this person.
            changed_profiles.append(Profile(pk=known.profile_id, updated_at=now, **values))
        if known is not None and any(
            getattr(known, name) != item.values[name] for name in header_user_fields
        ):
            changed_users.append(
                User(pk=known.user_id, **{name: item.values[name] for name in header_user_fields})
            )
    Profile.objects.bulk_create(new_profiles, batch_size=WRITE_BATCH_SIZE)
    if changed_profiles:
        fields = [*header_profile_fields, *(["manager"] if has_manager else []), "updated_at"]
        Profile.objects.bulk_update(changed_profiles, fields, batch_size=WRITE_BATCH_SIZE)
    if changed_users:
        User.objects.bulk_update(changed_users, header_user_fields, batch_size=WRITE_BATCH_SIZE)
    for row_plan in plan.rows:
        if row_plan.email in work.foreign and row_plan.action != RowAction.REJECT:
            row_plan.action, row_plan.changes = RowAction.SKIP, [gettext(SKIP_REASON)]
    plan.committed = True
    audit_record(
        actor=actor,
        event=audit_events.PEOPLE_IMPORTED,
        organization_id=organization.pk,
        target=organization,
        data={"rows": len(plan.rows), "counts": plan.counts},
    )
    return plan


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@transaction.atomic
def people_import_stage(
    *, actor: User, filename: str, content: bytes
) -> tuple[PeopleImport, ImportPlan]:
    """Check an uploaded file (dry run) and keep it so the admin can commit it next.

    The admin's older uncommitted uploads are dropped. A file that cannot be read at all
    (too big, no email column, empty) raises InvalidInput and is not kept.
    """
    organization = require_org_admin(actor)
    plan = _plan(organization=organization, content=content, lock=False).plan
    PeopleImport.objects.filter(
        organization=organization, created_by=actor, status=PeopleImportStatus.PREVIEWED
    ).delete()
    staged = PeopleImport.objects.create(
        organization=organization,
        created_by=actor,
        filename=filename[:255],
        content=content,
        checksum=_checksum(content),
        size=len(content),
        summary=plan.counts,
    )
    return staged, plan


@transaction.atomic
def people_import_commit_staged(
    *, actor: User, staged: PeopleImport, valid_only: bool = False
) -> ImportPlan:
    """Commit a file kept by `people_import_stage`, after checking it is intact and unused.

    The rows are planned again against the database as it is now; if any is rejected nothing
    is written and the file stays staged, unless `valid_only` asks for the others anyway.
    """
    organization = require_org_admin(actor)
    locked = (
        PeopleImport.objects.select_for_update()
        .filter(pk=staged.pk, organization=organization)
        .first()
    )
    if locked is None:
        raise InvalidInput.for_field(
            "file", gettext("This upload is no longer available; upload the file again.")
        )
    if locked.status == PeopleImportStatus.COMMITTED:
        raise Conflict(gettext("This file has already been imported."))
    content = bytes(locked.content)
    if _checksum(content) != locked.checksum:
        raise InvalidInput.for_field(
            "file", gettext("The stored file is damaged; upload it again.")
        )
    plan = people_import_commit(actor=actor, content=content, valid_only=valid_only)
    locked.status = PeopleImportStatus.COMMITTED
    locked.content = b""
    locked.committed_at = timezone.now()
    locked.summary = plan.counts
    locked.save(update_fields=["status", "content", "committed_at", "summary", "updated_at"])
    return plan
