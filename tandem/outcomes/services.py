"""Every write about outcomes: the HR outcomes import (dry run, stage, commit) and the
organisation's outcomes setting.

The import follows people's (`people.services`): the whole file is checked first and a row
that breaks a rule names its row, its column and why; committing writes every row or none,
upserting on the person (one employment record per person and organisation). People are found
by email among the organisation's accounts, or by an employee ID a previous import stored. A
row whose person is not found is listed and left out; an email of another organisation's
account is "not found" in exactly the same words, so the answer says nothing about it.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from tandem.accounts.models import Organization, User
from tandem.accounts.selectors import aggregate_min_group
from tandem.audit import events as audit_events
from tandem.audit.services import audit_record
from tandem.core.errors import Conflict, FieldError, InvalidInput
from tandem.core.text import single_line_problem
from tandem.outcomes import hrfile, selectors
from tandem.outcomes.models import (
    EmploymentRecord,
    OutcomesImport,
    OutcomesImportStatus,
    OutcomesSettings,
    OutcomesSummaryState,
    PersonOutcomeSummary,
    ProgramMatchSummary,
    Promotion,
)
from tandem.outcomes.permissions import require_org_admin
from tandem.people import csvfile

WRITE_BATCH_SIZE = 5000
EPOCH = date(1970, 1, 1)
# The fields of a record a file's columns write (promotions are handled apart).
_RECORD_FIELDS = ("employee_id", "hired_on", "terminated_on", "department", "grade", "location")
_COLUMN_OF_FIELD = {
    "employee_id": "employee_id",
    "hired_on": "hire_date",
    "terminated_on": "termination_date",
    "department": "department",
    "grade": "grade",
    "location": "location",
}


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    NOT_FOUND = "not_found"
    REJECT = "reject"


NOT_FOUND_EMAIL = "No one with this email is in your organisation; the row is left out."
NOT_FOUND_EMPLOYEE_ID = (
    "No one with this employee ID is in your organisation's outcome data yet; add their email "
    "to find them. The row is left out."
)


@dataclass
class RowPlan:
    row: int
    person: str  # the email, else the employee ID, as the file gives it
    action: RowAction
    changes: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    warnings: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def rejected(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == RowAction.REJECT]

    @property
    def not_found(self) -> list[RowPlan]:
        return [row for row in self.rows if row.action == RowAction.NOT_FOUND]

    @property
    def errors(self) -> list[FieldError]:
        return [error for row in self.rejected for error in row.errors]

    @property
    def counts(self) -> dict[str, int]:
        counts = {action.value: 0 for action in RowAction}
        for row in self.rows:
            counts[row.action.value] += 1
        return counts


@dataclass
class _CleanRow:
    row: int
    email: str
    employee_id: str
    values: dict[str, object]  # record field -> value, only the file's columns
    promotions: list[date] | None  # None: the file has no promotion column
    errors: list[FieldError]


def _check_size(size: int) -> None:
    limit = settings.OUTCOMES_IMPORT_MAX_BYTES
    if size > limit:
        raise InvalidInput.for_field("file", csvfile.too_large_message(size, limit))


def _clean_row(raw: hrfile.RawRow, header: hrfile.Header, today: date) -> _CleanRow:
    errors: list[FieldError] = []

    def error(field_name: str, message: str) -> None:
        errors.append(FieldError(header.column_name(field_name), message, row=raw.row))

    values: dict[str, object] = {}
    text: dict[str, str] = {}
    for name in ("employee_id", "email", "department", "grade", "location"):
        if name not in raw.values:
            continue
        value = raw.values[name].strip()
        problem = single_line_problem(value)
        if problem:
            error(name, problem)
        elif len(value) > hrfile.MAX_LENGTHS[name]:
            error(name, f"Keep this to {hrfile.MAX_LENGTHS[name]} characters or fewer.")
        text[name] = value
    email = text.get("email", "").lower()
    employee_id = text.get("employee_id", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("email", f"'{email}' is not a valid email address.")
    if not email and not employee_id:
        error(
            "email" if "email" in header.field_index else "employee_id",
            "Give the person's email or employee ID.",
        )
    for name in ("department", "grade", "location"):
        if name in text:
            values[name] = text[name]
    if "employee_id" in header.field_index:
        values["employee_id"] = employee_id

    def parse(name: str, cell: str) -> date | None:
        try:
            day = hrfile.parse_date(cell)
        except ValueError:
            error(name, f"'{cell}' is not a date; use {hrfile.DATE_FORMATS_TEXT}.")
            return None
        if day > today:
            error(name, f"{day.isoformat()} is in the future; give dates up to today.")
            return None
        return day

    hired_on = None
    hire_cell = raw.values.get("hire_date", "").strip()
    if not hire_cell:
        error("hire_date", "The hire date is required.")
    else:
        hired_on = parse("hire_date", hire_cell)
    values["hired_on"] = hired_on
    terminated_on = None
    if "termination_date" in raw.values:
        cell = raw.values["termination_date"].strip()
        terminated_on = parse("termination_date", cell) if cell else None
        if terminated_on and hired_on and terminated_on < hired_on:
            error(
                "termination_date",
                f"The termination date {terminated_on.isoformat()} is before the hire date "
                f"{hired_on.isoformat()}.",
            )
        values["terminated_on"] = terminated_on
    promotions: list[date] | None = None
    if "promotion_dates" in raw.values:
        promotions = []
        cells = hrfile.split_promotions(raw.values["promotion_dates"])
        if len(cells) > hrfile.MAX_PROMOTIONS:
            error("promotion_dates", f"Give at most {hrfile.MAX_PROMOTIONS} promotion dates.")
            cells = []
        for cell in cells:
            day = parse("promotion_dates", cell)
            if day is None:
                continue
            if hired_on and day < hired_on:
                error(
                    "promotion_dates",
                    f"The promotion on {day.isoformat()} is before the hire date "
                    f"{hired_on.isoformat()}.",
                )
            elif terminated_on and day > terminated_on:
                error(
                    "promotion_dates",
                    f"The promotion on {day.isoformat()} is after the termination date "
                    f"{terminated_on.isoformat()}.",
                )
            else:
                promotions.append(day)
        promotions = sorted(set(promotions))
    return _CleanRow(
        row=raw.row,
        email=email,
        employee_id=employee_id,
        values=values,
        promotions=promotions,
        errors=errors,
    )


@dataclass(slots=True)
class _Existing:
    record_id: int
    values: dict[str, object]
    promotions: list[date]


@dataclass
class _Work:
    plan: ImportPlan
    cleaned: list[_CleanRow]
    user_of_row: dict[int, int]  # row -> user id, for rows to write
    existing: dict[int, _Existing]  # user id -> their record


def _org_people(organization: Organization) -> dict[str, int]:
    """Every account of the organisation: lower-case email -> user id (one query)."""
    return dict(
        User.objects.filter(organization=organization)
        .annotate(email_lower=Lower("email"))
        .values_list("email_lower", "pk")
    )


def _org_records(organization: Organization) -> tuple[dict[int, _Existing], dict[str, int]]:
    """The organisation's employment records by user id, and employee ID -> user id."""
    records: dict[int, _Existing] = {}
    by_employee_id: dict[str, int] = {}
    record_user: dict[int, int] = {}
    rows = EmploymentRecord.objects.filter(organization=organization).values_list(
        "pk", "user_id", *_RECORD_FIELDS
    )
    for pk, user_id, *values in rows:
        record = _Existing(pk, dict(zip(_RECORD_FIELDS, values, strict=True)), [])
        records[user_id] = record
        record_user[pk] = user_id
        if record.values["employee_id"]:
            by_employee_id[str(record.values["employee_id"])] = user_id
    promotions = Promotion.objects.filter(record__organization=organization).values_list(
        "record_id", "promoted_on"
    )
    for record_id, promoted_on in promotions.order_by("record_id", "promoted_on"):
        records[record_user[record_id]].promotions.append(promoted_on)
    return records, by_employee_id


def _plan(*, organization: Organization, content: bytes) -> _Work:
    _check_size(len(content))
    today = timezone.localdate()
    try:
        header, raw_rows = hrfile.read_rows(content)
    except (hrfile.HrFileError, csvfile.CsvFormatError) as exc:
        raise InvalidInput.for_field("file", str(exc)) from exc
    cleaned = [_clean_row(raw, header, today) for raw in raw_rows]
    if not cleaned:
        raise InvalidInput.for_field("file", "The file has a header but no rows of people.")
    people = _org_people(organization)
    existing, by_employee_id = _org_records(organization)

    user_of_row: dict[int, int] = {}
    not_found: dict[int, str] = {}
    for item in cleaned:
        if item.errors:
            continue
        if item.email:
            user_id = people.get(item.email)
            if user_id is None:
                not_found[item.row] = NOT_FOUND_EMAIL
                continue
        else:
            user_id = by_employee_id.get(item.employee_id)
            if user_id is None:
                not_found[item.row] = NOT_FOUND_EMPLOYEE_ID
                continue
        user_of_row[item.row] = user_id

    # One row per person and one person per employee ID, in the file and in the organisation.
    rows_of_user: dict[int, list[int]] = defaultdict(list)
    rows_of_employee_id: dict[str, list[int]] = defaultdict(list)
    for item in cleaned:
        if item.row in user_of_row:
            rows_of_user[user_of_row[item.row]].append(item.row)
        if item.employee_id:
            rows_of_employee_id[item.employee_id].append(item.row)
    for item in cleaned:
        user_id = user_of_row.get(item.row)
        person_column = header.column_name("email" if item.email else "employee_id")
        if user_id is not None and len(rows_of_user[user_id]) > 1:
            listed = ", ".join(str(row) for row in rows_of_user[user_id])
            item.errors.append(
                FieldError(
                    person_column,
                    f"This person appears more than once in the file (rows {listed}); keep one "
                    "row per person.",
                    row=item.row,
                )
            )
        if item.employee_id and len(rows_of_employee_id[item.employee_id]) > 1:
            listed = ", ".join(str(row) for row in rows_of_employee_id[item.employee_id])
            item.errors.append(
                FieldError(
                    header.column_name("employee_id"),
                    f"The employee ID {item.employee_id} appears more than once in the file "
                    f"(rows {listed}).",
                    row=item.row,
                )
            )
        elif item.employee_id and user_id is not None:
            holder = by_employee_id.get(item.employee_id)
            if holder is not None and holder != user_id:
                item.errors.append(
                    FieldError(
                        header.column_name("employee_id"),
                        f"The employee ID {item.employee_id} already belongs to another "
                        "person in your organisation's outcome data.",
                        row=item.row,
                    )
                )

    plan_rows: list[RowPlan] = []
    for item in cleaned:
        person = item.email or item.employee_id
        if item.errors:
            user_of_row.pop(item.row, None)
            plan_rows.append(RowPlan(item.row, person, RowAction.REJECT, [], item.errors))
        elif item.row in not_found:
            plan_rows.append(RowPlan(item.row, person, RowAction.NOT_FOUND, [not_found[item.row]]))
        else:
            record = existing.get(user_of_row[item.row])
            if record is None:
                plan_rows.append(RowPlan(item.row, person, RowAction.CREATE))
                continue
            changes = [
                _COLUMN_OF_FIELD[name]
                for name, value in item.values.items()
                if record.values[name] != value
            ]
            if item.promotions is not None and item.promotions != record.promotions:
                changes.append("promotion_dates")
            action = RowAction.UPDATE if changes else RowAction.UNCHANGED
            plan_rows.append(RowPlan(item.row, person, action, changes))
    warnings = []
    if header.unknown:
        names = ", ".join(f"'{name}'" for name in header.unknown)
        warnings.append(f"These columns are not used and were ignored: {names}.")
    columns = [name for name, _ in hrfile.COLUMNS if name in header.field_index]
    plan = ImportPlan(rows=plan_rows, warnings=warnings, columns=columns)
    return _Work(plan=plan, cleaned=cleaned, user_of_row=user_of_row, existing=existing)


def outcomes_import_preview(*, actor: User, content: bytes) -> ImportPlan:
    """Dry run: what committing the file would do, row by row. Writes nothing."""
    organization = require_org_admin(actor)
    return _plan(organization=organization, content=content).plan


@transaction.atomic
def outcomes_import_commit(
    *, actor: User, content: bytes, source: OutcomesImport | None = None
) -> ImportPlan:
    """Import the file: every row or none. If any row is rejected, InvalidInput lists each
    rejected row and nothing is written. Otherwise creates or updates each found person's
    employment record (only the file's columns) and, when the file has a promotion column,
    replaces their promotion dates with the file's. Rows whose person is not found are left
    out and listed in the plan. A fixed number of statements, whatever the file's size."""
    organization = require_org_admin(actor)
    work = _plan(organization=organization, content=content)
    plan = work.plan
    if plan.rejected:
        count = len(plan.rejected)
        raise InvalidInput(
            f"{count} row{'s' if count != 1 else ''} of the file cannot be imported; nothing "
            "was imported. Fix them and upload the file again.",
            plan.errors,
        )
    action_of_row = {row.row: row.action for row in plan.rows}
    now = timezone.now()
    new_records: list[EmploymentRecord] = []
    changed_records: list[EmploymentRecord] = []
    changed_fields: set[str] = set()
    promotions_of_user: dict[int, list[date]] = {}
    for item in work.cleaned:
        action = action_of_row[item.row]
        if action not in (RowAction.CREATE, RowAction.UPDATE):
            continue
        user_id = work.user_of_row[item.row]
        if item.promotions is not None:
            promotions_of_user[user_id] = item.promotions
        if action == RowAction.CREATE:
            new_records.append(
                EmploymentRecord(
                    organization=organization, user_id=user_id, source_import=source, **item.values
                )
            )
        else:
            record = work.existing[user_id]
            changed_fields.update(item.values)
            values = {**record.values, **item.values}
            changed_records.append(
                EmploymentRecord(
                    pk=record.record_id, updated_at=now, source_import=source, **values
                )
            )
    try:
        with transaction.atomic():
            EmploymentRecord.objects.bulk_create(new_records, batch_size=WRITE_BATCH_SIZE)
            if changed_records:
                # Every record field: a row's values are the file's columns over what was stored.
                EmploymentRecord.objects.bulk_update(
                    changed_records,
                    [*_RECORD_FIELDS, "source_import", "updated_at"],
                    batch_size=WRITE_BATCH_SIZE,
                )
    except IntegrityError as exc:
        raise Conflict(
            "The outcome data changed while the file was being imported (someone else "
            "imported at the same time). Run the import again."
        ) from exc
    if promotions_of_user:
        record_ids = dict(
            EmploymentRecord.objects.filter(
                organization=organization, user_id__in=list(promotions_of_user)
            ).values_list("user_id", "pk")
        )
        Promotion.objects.filter(record_id__in=list(record_ids.values())).delete()
        Promotion.objects.bulk_create(
            [
                Promotion(record_id=record_ids[user_id], promoted_on=day)
                for user_id, days in promotions_of_user.items()
                for day in days
            ],
            batch_size=WRITE_BATCH_SIZE,
        )
    plan.committed = True
    _summary_refresh_after_commit(organization.pk)
    audit_record(
        actor=actor,
        event=audit_events.OUTCOMES_IMPORTED,
        organization_id=organization.pk,
        target=organization,
        data={"rows": len(plan.rows), "counts": plan.counts},
    )
    return plan


def _summary_refresh_after_commit(organization_id: int) -> None:
    """The organisation's outcome summaries take the import in once it is committed, not at
    the next hourly refresh. Robust: a queue that is down leaves it to that refresh."""
    from tandem.outcomes.tasks import outcomes_summary_refresh_task

    transaction.on_commit(
        lambda: outcomes_summary_refresh_task.enqueue(organization_id=organization_id),
        robust=True,
    )


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@transaction.atomic
def outcomes_import_stage(
    *, actor: User, filename: str, content: bytes
) -> tuple[OutcomesImport, ImportPlan]:
    """Check an uploaded file (dry run) and keep it so the admin can commit it next. The
    admin's older uncommitted uploads are dropped. A file that cannot be read at all raises
    InvalidInput and is not kept."""
    organization = require_org_admin(actor)
    plan = _plan(organization=organization, content=content).plan
    OutcomesImport.objects.filter(
        organization=organization, created_by=actor, status=OutcomesImportStatus.PREVIEWED
    ).delete()
    staged = OutcomesImport.objects.create(
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
def outcomes_import_commit_staged(*, actor: User, staged: OutcomesImport) -> ImportPlan:
    """Commit a file kept by `outcomes_import_stage`, checked intact and unused, planned again
    against the data as it is now."""
    organization = require_org_admin(actor)
    locked = (
        OutcomesImport.objects.select_for_update()
        .filter(pk=staged.pk, organization=organization)
        .first()
    )
    if locked is None:
        raise InvalidInput.for_field(
            "file", "This upload is no longer available; upload the file again."
        )
    if locked.status == OutcomesImportStatus.COMMITTED:
        raise Conflict("This file has already been imported.")
    content = bytes(locked.content)
    if _checksum(content) != locked.checksum:
        raise InvalidInput.for_field("file", "The stored file is damaged; upload it again.")
    plan = outcomes_import_commit(actor=actor, content=content, source=locked)
    locked.status = OutcomesImportStatus.COMMITTED
    locked.content = b""
    locked.committed_at = timezone.now()
    locked.summary = plan.counts
    locked.save(update_fields=["status", "content", "committed_at", "summary", "updated_at"])
    return plan


@transaction.atomic
def outcomes_settings_update(*, actor: User, managers_see_outcomes: bool) -> OutcomesSettings:
    """Let programme managers see the outcomes of their programmes (aggregates only), or not."""
    organization = require_org_admin(actor)
    saved, _ = OutcomesSettings.objects.update_or_create(
        organization=organization, defaults={"managers_see_outcomes": managers_see_outcomes}
    )
    return saved


def _date_of(day: int | None) -> date | None:
    return None if day is None else EPOCH + timedelta(days=day)


def _refresh_organization(*, organization_id: int, now: datetime) -> int:
    """One organisation's summaries, rewritten where they changed; returns how many rows
    were written or deleted."""
    min_group = aggregate_min_group(Organization.objects.get(pk=organization_id))
    as_of = selectors.as_of_date(now)
    wanted = selectors.summary_rows(
        organization_id=organization_id, as_of=as_of, min_group=min_group
    )
    with transaction.atomic():
        people, program_matches = selectors.summary_rows_stored(organization_id=organization_id)
        # Incremental: only the rows whose values moved are deleted and written again.
        stale_people = [key for key, row in people.items() if wanted.people.get(key) != row]
        fresh_people = [key for key, row in wanted.people.items() if people.get(key) != row]
        stale_matches = [
            key for key, row in program_matches.items() if wanted.program_matches.get(key) != row
        ]
        fresh_matches = [
            key for key, row in wanted.program_matches.items() if program_matches.get(key) != row
        ]
        for start in range(0, len(stale_people), WRITE_BATCH_SIZE):
            PersonOutcomeSummary.objects.filter(
                record_id__in=stale_people[start : start + WRITE_BATCH_SIZE]
            ).delete()
        PersonOutcomeSummary.objects.bulk_create(
            (
                PersonOutcomeSummary(
                    record_id=record_id,
                    organization_id=organization_id,
                    user_id=user_id,
                    hired_on=EPOCH + timedelta(days=hired),
                    terminated_on=_date_of(terminated),
                    department=department,
                    grade=grade,
                    location=location,
                    first_mentee_on=_date_of(mentee),
                    first_mentor_on=_date_of(mentor),
                    promotion_days=promotions,
                )
                for record_id in fresh_people
                for (
                    user_id,
                    hired,
                    terminated,
                    department,
                    grade,
                    location,
                    mentee,
                    mentor,
                    promotions,
                ) in [wanted.people[record_id]]
            ),
            batch_size=WRITE_BATCH_SIZE,
        )
        by_program: dict[int, list[int]] = defaultdict(list)
        for program_id, user_id in stale_matches:
            by_program[program_id].append(user_id)
        for program_id, user_ids in by_program.items():
            ProgramMatchSummary.objects.filter(program_id=program_id, user_id__in=user_ids).delete()
        ProgramMatchSummary.objects.bulk_create(
            (
                ProgramMatchSummary(
                    organization_id=organization_id,
                    program_id=program_id,
                    user_id=user_id,
                    first_mentee_on=_date_of(wanted.program_matches[(program_id, user_id)][0]),
                    first_mentor_on=_date_of(wanted.program_matches[(program_id, user_id)][1]),
                )
                for program_id, user_id in fresh_matches
            ),
            batch_size=WRITE_BATCH_SIZE,
        )
        state = selectors.summary_state(organization_id=organization_id)
        verdicts = (as_of, min_group, wanted.programs_with_pairs, wanted.withheld)
        changed = bool(stale_people or fresh_people or stale_matches or fresh_matches) or (
            state is None
            or verdicts != (state.as_of, state.min_group, state.programs_with_pairs, state.withheld)
        )
        OutcomesSummaryState.objects.update_or_create(
            organization_id=organization_id,
            defaults={
                "refreshed_at": now,
                "changed_at": now if changed or state is None else state.changed_at,
                "as_of": as_of,
                "min_group": min_group,
                "programs_with_pairs": wanted.programs_with_pairs,
                "withheld": wanted.withheld,
            },
        )
    return len(stale_people) + len(fresh_people) + len(stale_matches) + len(fresh_matches)


def outcomes_summary_refresh(
    *, organization_id: int | None = None, now: datetime | None = None
) -> int:
    """Bring the outcome summaries (`models.PersonOutcomeSummary`, `ProgramMatchSummary`,
    `OutcomesSummaryState`) of one organisation, or of every one with HR records, up to the
    raw tables as of `now`; returns how many summary rows were written or deleted. A system
    job (the hourly `outcomes_summary_refresh`, and after an import): no actor. Each
    organisation in one transaction, so a report reads the old summary or the new one, never
    a mix; only rows whose values changed are rewritten. Idempotent."""
    now = now or timezone.now()
    organizations = (
        [organization_id]
        if organization_id is not None
        else sorted(
            set(EmploymentRecord.objects.values_list("organization_id", flat=True).distinct())
            | set(OutcomesSummaryState.objects.values_list("organization_id", flat=True))
        )
    )
    written = 0
    for organization in organizations:
        try:
            written += _refresh_organization(organization_id=organization, now=now)
        except IntegrityError:
            # Another refresh of the organisation (the hourly one against an import's) wrote
            # the same rows first; this one's transaction is rolled back and theirs stands.
            continue
    return written
