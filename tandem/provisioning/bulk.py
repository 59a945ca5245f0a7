"""The people directory's bulk "deactivate": see who will be signed out and what happens to
their pairs, then do it, through `lifecycle.person_deactivate` for each person.

It follows participants' bulk pattern (`participants/bulk.py`): the preview runs every row for
real, each in its own savepoint, and rolls everything back, so it is what the lifecycle answers
and not a second copy of its rules; applying runs the same rows in one transaction and keeps
them only if the outcome is the one the admin confirmed (its fingerprint).
"""

from dataclasses import dataclass

from django.db import transaction

from tandem.accounts.models import User
from tandem.core.bulk import PreviewedRows
from tandem.core.errors import Conflict, DomainError, InvalidInput
from tandem.provisioning.lifecycle import person_deactivate, person_deactivation_preview
from tandem.provisioning.selectors import person_for_lifecycle

MAX_BULK = 200


@dataclass(frozen=True)
class DeactivationRow:
    user_id: int
    name: str
    email: str
    done: bool
    # What happens to this person ("signed out; 1 pair paused") or why they are skipped.
    outcome: str


@dataclass(frozen=True)
class BulkDeactivation(PreviewedRows[DeactivationRow]):
    rows: list[DeactivationRow]


class BulkDeactivationChanged(Conflict):
    def __init__(self, outcome: BulkDeactivation) -> None:
        super().__init__(
            "Something changed since the preview, so nobody was deactivated. Check the new "
            "preview and confirm again."
        )
        self.outcome = outcome


def _what_happens(actor: User, user: User) -> str:
    preview = person_deactivation_preview(actor=actor, user=user)
    parts = ["signed out"]
    for becomes in ("paused", "ended"):
        count = sum(1 for pair in preview.pairs if pair.becomes == becomes)
        if count:
            parts.append(f"{count} pair{'s' if count != 1 else ''} {becomes}")
    return "; ".join(parts)


def _run(actor: User, ids: tuple[int, ...], reason: str) -> BulkDeactivation:
    if not ids:
        raise InvalidInput.for_field("ids", "Tick at least one person.")
    if len(ids) > MAX_BULK:
        raise InvalidInput.for_field(
            "ids", f"Choose at most {MAX_BULK} people at a time ({len(ids)} chosen)."
        )
    organization_id = actor.organization_id or 0
    people = [person_for_lifecycle(organization_id=organization_id, user_id=pk) for pk in ids]
    people.sort(key=lambda person: (person.last_name, person.first_name, person.email, person.pk))
    rows = []
    for person in people:
        try:
            with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
                if not person.is_active:
                    raise Conflict("Already deactivated.")
                outcome = _what_happens(actor, person)
                person_deactivate(actor=actor, user=person, reason=reason)
                done = True
        except DomainError as error:
            outcome, done = error.detail, False
        rows.append(
            DeactivationRow(
                user_id=person.pk, name=str(person), email=person.email, done=done, outcome=outcome
            )
        )
    return BulkDeactivation(rows=rows)


def people_deactivate_preview(
    *, actor: User, ids: tuple[int, ...], reason: str
) -> BulkDeactivation:
    """What `people_deactivate_apply` would do, person by person; nothing is kept."""
    with transaction.atomic():
        # The reason is asked for on the preview's page, so it may still be blank here.
        outcome = _run(actor, ids, reason or "(preview)")
        transaction.set_rollback(True)
    return outcome


@transaction.atomic
def people_deactivate_apply(
    *, actor: User, ids: tuple[int, ...], reason: str, fingerprint: str
) -> BulkDeactivation:
    """Deactivate the people the preview with this `fingerprint` showed, all in one
    transaction, or nobody (BulkDeactivationChanged carries the new preview)."""
    if not " ".join(reason.split()):
        raise InvalidInput.for_field("reason", "Say why these people are being deactivated.")
    outcome = _run(actor, ids, reason)
    if outcome.fingerprint != fingerprint:
        transaction.set_rollback(True)
        raise BulkDeactivationChanged(outcome)
    return outcome
