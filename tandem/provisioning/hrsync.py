"""HR data sync: an HR system's export (CSV or XLSX), pushed to the API or dropped in the
organisation's folder, applied as the people import and the outcomes import together, with the
leavers deactivated through the one lifecycle (decision record 0016).

A run, in one transaction:
1. both imports read the file (`people_import_preview`, `outcomes_import_preview`): every row
   either import rejects is an error naming its row, column and why. With errors and not
   `valid_only`, nothing is kept and the run is recorded as failed with them; with
   `valid_only`, the rejected rows are left out and the rest go ahead;
2. people are upserted (`people_import_commit`: on email, profile columns), then their HR
   records (`outcomes_import_commit`: on the person, the employee ID kept unique per
   organisation; hire, termination and promotion dates, department, grade, location);
3. leavers are deactivated through `lifecycle.person_deactivate`: a row whose termination
   date has come, and (`full`) every active person of the organisation the file does not
   list. Someone already deactivated is left alone, so a re-run deactivates nobody twice;
4. a dry run does all of it and rolls it back, so its answer is what the services said, not a
   guess. The run itself (`HrSyncRun`) is kept in every case, with what changed per person.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Organization, Role, User
from tandem.core.errors import Conflict, DomainError, FieldError, InvalidInput
from tandem.outcomes import hrfile
from tandem.outcomes import selectors as outcomes_selectors
from tandem.outcomes import services as outcomes_services
from tandem.people import csvfile
from tandem.people import services as people_services
from tandem.provisioning.actors import require_provisioning
from tandem.provisioning.lifecycle import person_deactivate
from tandem.provisioning.models import HrSyncRun, HrSyncSource, HrSyncStatus

LEAVER_REASON = "The HR sync says they left (termination date {day})."
ABSENT_REASON = "Not in the HR system's full export."


@dataclass
class _Outcome:
    report: list[dict[str, object]]
    errors: list[FieldError]
    rows: int
    created: int
    updated: int
    deactivated: int


def _as_csv(content: bytes) -> bytes:
    """The file as CSV bytes whatever it came as, so both imports read the same rows."""
    if not hrfile.is_xlsx(content):
        return content
    out = io.StringIO()
    writer = csv.writer(out)
    try:
        for _, cells in hrfile._xlsx_records(content):
            writer.writerow(cells)
    except hrfile.HrFileError as exc:
        raise InvalidInput.for_field("file", str(exc)) from exc
    return out.getvalue().encode()


def _without_rows(content: bytes, rows: set[int]) -> tuple[bytes, dict[int, int]]:
    """The CSV without the given spreadsheet rows, and each kept row's new number -> old."""
    text = csvfile.decode(content)
    delimiter = csvfile.sniff_delimiter(text)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    numbers: dict[int, int] = {}
    kept = 0
    for number, cells in enumerate(
        csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1
    ):
        if number in rows:
            continue
        kept += 1
        numbers[kept] = number
        writer.writerow(cells)
    return out.getvalue().encode(), numbers


def _termination_dates(content: bytes) -> dict[str, date]:
    """Email -> termination date for each row that has both (rows already validated)."""
    header, rows = hrfile.read_rows(content)
    if "termination_date" not in header.field_index or "email" not in header.field_index:
        return {}
    found = {}
    for raw in rows:
        email = raw.values.get("email", "").strip().lower()
        cell = raw.values.get("termination_date", "").strip()
        if email and cell:
            found[email] = hrfile.parse_date(cell)
    return found


def _preview_errors(actor: User, content: bytes) -> list[FieldError]:
    people = people_services.people_import_preview(actor=actor, content=content)
    outcomes = outcomes_services.outcomes_import_preview(actor=actor, content=content)
    # Both imports read the shared columns (email, hire date, ...): one error per cell.
    unique = {(error.row, error.field): error for error in outcomes.errors + people.errors}
    return sorted(unique.values(), key=lambda error: (error.row or 0, error.field))


def _follow_employee_ids(
    actor: User, content: bytes
) -> tuple[dict[str, dict[str, object]], list[FieldError]]:
    """Upsert on the employee ID: a row whose employee ID Tandem already knows, under another
    email, is that same person with a new address (a name change, a new domain), so their
    account takes the new email before the imports (which find people by email) run. A new
    email that is already someone else's account is an error on that row. Returns the report
    entries of the changed people (by new email) and the errors."""
    try:
        header, rows = hrfile.read_rows(content)
    except (hrfile.HrFileError, csvfile.CsvFormatError):
        return {}, []  # the imports' previews report an unreadable file
    if "employee_id" not in header.field_index or "email" not in header.field_index:
        return {}, []
    emails_of: dict[str, tuple[int, str]] = {}
    for raw in rows:
        employee_id = raw.values.get("employee_id", "").strip()
        email = raw.values.get("email", "").strip()
        if employee_id and email:
            emails_of[employee_id] = (raw.row, email)
    if not emails_of:
        return {}, []
    known = outcomes_selectors.people_by_employee_id(
        organization_id=actor.organization_id or 0, employee_ids=list(emails_of)
    )
    moves = {
        user_id: emails_of[employee_id]
        for employee_id, (user_id, current) in known.items()
        if current.lower() != emails_of[employee_id][1].lower()
    }
    if not moves:
        return {}, []
    report: dict[str, dict[str, object]] = {}
    errors: list[FieldError] = []
    previous = dict(User.objects.filter(pk__in=list(moves)).values_list("pk", "email"))
    for user_id, (row, email) in sorted(moves.items(), key=lambda item: item[1][0]):
        # Case-insensitive, as the accounts' unique index sees it; in any organisation, as
        # an email names one account in the whole installation. People change address
        # rarely, so one look-up per changed person is fine.
        holder = User.objects.filter(email__iexact=email).values_list("pk", flat=True).first()
        if holder is not None and holder != user_id:
            errors.append(
                FieldError(
                    header.column_name("email"),
                    f"The employee ID is {previous[user_id]}'s in Tandem, but {email} is "
                    "another person's account: fix the row or merge the two people first.",
                    row=row,
                )
            )
            continue
        User.objects.filter(pk=user_id).update(email=email)
        report[email.lower()] = {
            "person": email,
            "row": row,
            "action": "update",
            "changes": [f"email (was {previous[user_id]})"],
        }
    return report, errors


def _apply(actor: User, content: bytes, *, full: bool, valid_only: bool) -> _Outcome:
    content = _as_csv(content)
    moved, move_errors = _follow_employee_ids(actor, content)
    errors = _preview_errors(actor, content) + move_errors
    if errors and not valid_only:
        count = len({error.row for error in errors})
        raise InvalidInput(
            f"{count} row{'s' if count != 1 else ''} of the file cannot be imported; nothing "
            "was changed. Fix them and send the file again.",
            errors,
        )
    numbers: dict[int, int] = {}
    if errors:
        content, numbers = _without_rows(content, {error.row for error in errors if error.row})
    people = people_services.people_import_commit(actor=actor, content=content)
    outcomes = outcomes_services.outcomes_import_commit(actor=actor, content=content)
    changes: dict[str, dict[str, object]] = {}
    for row in people.rows:
        changes[row.email] = {
            "person": row.email,
            "row": numbers.get(row.row, row.row),
            "action": row.action.value,
            "changes": list(row.changes),
        }
    for email, move in moved.items():
        if email in changes:
            changes[email]["changes"] = [*move["changes"], *changes[email]["changes"]]  # type: ignore[misc]
            changes[email]["action"] = "update"
    for outcome_row in outcomes.rows:
        entry = changes.get(outcome_row.person.lower())
        if entry is not None and outcome_row.action in ("create", "update"):
            known = list(entry["changes"])  # type: ignore[call-overload]
            entry["changes"] = known + [c for c in outcome_row.changes if c not in known]
            if entry["action"] == "unchanged":
                entry["action"] = "update"

    organization_id = actor.organization_id or 0
    today = timezone.localdate()
    leavers: dict[str, str] = {
        email: LEAVER_REASON.format(day=day.isoformat())
        for email, day in _termination_dates(content).items()
        if day <= today
    }
    if full:
        listed = set(changes)
        for email in (
            User.objects.filter(organization_id=organization_id, is_active=True)
            .exclude(pk=actor.pk)
            .values_list("email", flat=True)
        ):
            if email.lower() not in listed:
                leavers.setdefault(email.lower(), ABSENT_REASON)
    deactivated = 0
    for person in User.objects.filter(
        organization_id=organization_id, is_active=True, email__in=list(leavers)
    ).order_by("pk"):
        try:
            with transaction.atomic():
                person_deactivate(actor=actor, user=person, reason=leavers[person.email])
        except DomainError as refusal:
            errors.append(FieldError("person", f"{person.email} stays active: {refusal.detail}"))
            continue
        deactivated += 1
        entry = changes.setdefault(
            person.email,
            {"person": person.email, "row": None, "action": "unchanged", "changes": []},
        )
        entry["action"] = "deactivate"
        entry["changes"] = [*entry["changes"], "deactivated"]  # type: ignore[misc]
    counts = people.counts
    return _Outcome(
        report=[entry for entry in changes.values() if entry["action"] != "unchanged"],
        errors=errors,
        rows=len(people.rows) + len({error.row for error in errors if error.row}),
        created=counts.get("create", 0),
        updated=sum(1 for entry in changes.values() if entry["action"] == "update"),
        deactivated=deactivated,
    )


def hr_sync_run(
    *,
    actor: User,
    content: bytes,
    source: str = HrSyncSource.API,
    file_name: str = "",
    full: bool = False,
    dry_run: bool = False,
    valid_only: bool = False,
) -> HrSyncRun:
    """Apply an HR export to the actor's organisation (see the module's text) and record the
    run. Org admins only (anyone else: NotFound). Returns the recorded run; a file with
    rejected rows (and not `valid_only`) is recorded as failed, with each row's errors, and
    nothing else is kept."""
    organization_id = require_provisioning(actor=actor, organization_id=actor.organization_id)
    if len(content) == 0:
        raise InvalidInput.for_field("file", "The file is empty.")
    status = HrSyncStatus.DRY_RUN if dry_run else HrSyncStatus.DONE
    try:
        with transaction.atomic():
            outcome = _apply(actor, content, full=full, valid_only=valid_only)
            if dry_run:
                transaction.set_rollback(True)
    except InvalidInput as refusal:
        errors = refusal.errors or [FieldError("file", refusal.detail)]
        outcome = _Outcome(report=[], errors=errors, rows=0, created=0, updated=0, deactivated=0)
        status = HrSyncStatus.FAILED
    except Conflict as refusal:
        outcome = _Outcome(
            report=[],
            errors=[FieldError("file", refusal.detail)],
            rows=0,
            created=0,
            updated=0,
            deactivated=0,
        )
        status = HrSyncStatus.FAILED
    return HrSyncRun.objects.create(
        organization_id=organization_id,
        source=source,
        file_name=file_name[:255],
        is_full=full,
        valid_only=valid_only,
        status=status,
        started_by=actor,
        rows=outcome.rows,
        created=outcome.created,
        updated=outcome.updated,
        deactivated=outcome.deactivated,
        error_count=len(outcome.errors),
        report=outcome.report,
        errors=[error.as_dict() for error in outcome.errors],
    )


def hr_sync_actor(*, organization_id: int) -> User | None:
    """Whom a folder run acts as: the organisation's longest-standing active admin (the
    imports and the lifecycle act for a person; the run records that it came from the
    folder)."""
    return (
        User.objects.filter(organization_id=organization_id, role=Role.ORG_ADMIN, is_active=True)
        .order_by("date_joined", "pk")
        .first()
    )


def hr_sync_folder(*, root: Path) -> list[HrSyncRun]:
    """Run every export waiting in `root/<org slug>/` (`*.csv`, `*.xlsx`; a name containing
    "full" is a full export), oldest first, then move each into `done/` beside it so it is
    never run twice. A folder whose organisation has no active admin is left as it is."""
    runs: list[HrSyncRun] = []
    if not root.is_dir():
        return runs
    for folder in sorted(path for path in root.iterdir() if path.is_dir()):
        organization = Organization.objects.filter(slug=folder.name).first()
        if organization is None:
            continue
        actor = hr_sync_actor(organization_id=organization.pk)
        if actor is None:
            continue
        files = sorted(
            (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".xlsx")),
            key=lambda p: (p.stat().st_mtime, p.name),
        )
        for path in files:
            runs.append(
                hr_sync_run(
                    actor=actor,
                    content=path.read_bytes(),
                    source=HrSyncSource.FOLDER,
                    file_name=path.name,
                    full="full" in path.stem.lower(),
                )
            )
            done = folder / "done"
            done.mkdir(exist_ok=True)
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
            path.rename(done / f"{stamp}-{path.name}")
    return runs
