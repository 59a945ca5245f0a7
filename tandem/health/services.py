"""Every write of relationship health: refreshing the stored scores (the scheduler, and a
manager on demand), and the health list's one-click actions (nudge the pair, a manager's note).
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.names import display_name
from tandem.core.errors import InvalidInput
from tandem.health.gather import health_inputs
from tandem.health.models import HealthNote, RelationshipHealth, RelationshipHealthHistory
from tandem.health.permissions import health_relationship_access
from tandem.health.scoring import score
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import outbox_enqueue
from tandem.programs.permissions import program_access
from tandem.programs.selectors import program_for_email
from tandem.relationships.models import OPEN_STATUSES, Relationship

# Scores are recomputed every hour (the periodic job); pages say they may be this old.
REFRESH_EVERY = datetime.timedelta(hours=1)
BATCH = 2000
NOTE_MAX_LENGTH = 2000


def _week(moment: datetime.datetime) -> tuple[int, int]:
    year, week, _ = moment.isocalendar()
    return year, week


@transaction.atomic
def health_refresh(
    *, now: datetime.datetime | None = None, program_ids: list[int] | None = None
) -> int:
    """Score every open relationship (of `program_ids`, or all) and store the snapshot; add a
    history row for each pair whose bucket changed or that has no row for this week yet; drop
    the snapshots of pairs no longer open (their history stays). Returns how many were scored.

    Only the rows whose score, bucket, sentence or components changed (or are new) are
    written; the others only get the new `computed_at`, in one UPDATE. A fixed number of
    queries whatever the number of relationships (the gatherer's eight, one read of the
    stored rows, that UPDATE, one delete), plus one bulk upsert and one bulk insert per
    `BATCH` changed rows."""
    now = now or timezone.now()
    gathered = health_inputs(now=now, program_ids=program_ids)
    stored = RelationshipHealth.objects.all()
    if program_ids is not None:
        stored = stored.filter(program_id__in=program_ids)
    previous = {
        pk: (bucket, computed_at, (score_, bucket, sentence, components))
        for pk, bucket, computed_at, score_, sentence, components in stored.values_list(
            "relationship_id", "bucket", "computed_at", "score", "sentence", "components"
        )
    }
    changed = []
    history = []
    for item in gathered:
        result = score(item.inputs)
        components = [component.as_dict() for component in result.components]
        sentence = result.sentence[:300]
        before = previous.get(item.relationship_id)
        if before is None or before[2] != (result.score, result.bucket, sentence, components):
            changed.append(
                RelationshipHealth(
                    relationship_id=item.relationship_id,
                    program_id=item.program_id,
                    score=result.score,
                    bucket=result.bucket.value,
                    sentence=sentence,
                    components=components,
                    computed_at=now,
                )
            )
        if before is None or before[0] != result.bucket or _week(before[1]) != _week(now):
            history.append(
                RelationshipHealthHistory(
                    relationship_id=item.relationship_id,
                    score=result.score,
                    bucket=result.bucket.value,
                    sentence=sentence,
                    recorded_at=now,
                )
            )
    stored.update(computed_at=now)
    RelationshipHealth.objects.bulk_create(
        changed,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["relationship"],
        update_fields=["program", "score", "bucket", "sentence", "components", "computed_at"],
    )
    RelationshipHealthHistory.objects.bulk_create(history, batch_size=BATCH)
    stored.exclude(relationship__status__in=OPEN_STATUSES).delete()
    return len(gathered)


def health_refresh_if_stale(*, now: datetime.datetime | None = None) -> int | None:
    """Refresh every score when the newest is older than `REFRESH_EVERY` (one query when they
    are fresh). Returns how many were scored, or None. The scheduler no longer calls it: it
    enqueues the hourly periodic job `health_refresh` (`tasks.health_refresh_task`)."""
    now = now or timezone.now()
    newest = RelationshipHealth.objects.aggregate(newest=Max("computed_at"))["newest"]
    if newest is not None and newest > now - REFRESH_EVERY:
        return None
    return health_refresh(now=now)


@transaction.atomic
def health_refresh_for_program(*, actor: User, program_id: int) -> int:
    """A manager's "recompute now" for one programme."""
    program = program_access(actor=actor, program_id=program_id, manage=True)
    return health_refresh(program_ids=[program.pk])


@transaction.atomic
def health_nudge_pair(*, actor: User, relationship_id: int) -> int:
    """A manager's one-click nudge: a short message from the programme to both people of the
    pair, at most once a day per pair (the outbox key decides; a second click that day writes
    nothing). Returns how many emails were newly enqueued."""
    relationship = health_relationship_access(actor=actor, relationship_id=relationship_id)
    if relationship.status not in OPEN_STATUSES:
        raise InvalidInput.for_field("relationship", "This relationship is no longer open.")
    today = timezone.localdate().isoformat()
    program = relationship.program
    sent = 0
    for person, partner in (
        (relationship.mentor.user, relationship.mentee.user),
        (relationship.mentee.user, relationship.mentor.user),
    ):
        message = outbox_enqueue(
            key=f"health_nudge:{relationship.pk}:{person.pk}:{today}",
            rule="health_nudge",
            recipient=person,
            category=NotificationCategory.NUDGES,
            subject=f"How is your mentoring with {display_name(partner)} going?",
            text=(
                f"{program.name}'s team is checking in: how are things going with "
                f"{display_name(partner)}? If it has been a while, a short message or a "
                "20-minute call is enough to pick up the thread. If something is in the way, "
                "reply to your programme manager."
            ),
            url=f"/relationships/{relationship.pk}/",
            program=program_for_email(program),
        )
        sent += message is not None
    return sent


@transaction.atomic
def health_note_add(*, actor: User, relationship_id: int, text: str) -> HealthNote:
    """A manager's private note on a pair (the programme's managers read it, never the pair)."""
    relationship: Relationship = health_relationship_access(
        actor=actor, relationship_id=relationship_id
    )
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput.for_field("text", "Write the note first.")
    if len(cleaned) > NOTE_MAX_LENGTH:
        raise InvalidInput.for_field(
            "text", f"A note is at most {NOTE_MAX_LENGTH} characters (this one has {len(cleaned)})."
        )
    return HealthNote.objects.create(relationship=relationship, author=actor, text=cleaned)
