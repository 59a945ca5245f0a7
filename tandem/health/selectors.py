"""Every read of relationship health: the stored snapshot, never a recomputation per row.

Health owns "at risk" for managers (docs/architecture.md, "One owner per concept"): the health
list, the managers' signals, the weekly digest and the inactivity escalation all read the
bucket stored here, per pair (`health_by_relationship`), per programme
(`program_health_summary`) or set-based (`health_bucket_is`, a `Q` on relationships).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet

from tandem.health.models import HealthNote, RelationshipHealth, RelationshipHealthHistory
from tandem.health.scoring import BUCKET_LABELS, BUCKET_ORDER, Bucket
from tandem.programs.models import Program
from tandem.relationships.models import OPEN_STATUSES, Relationship

HISTORY_SHOWN = 52


def health_bucket_is(bucket: str, prefix: str = "") -> Q:
    """The condition "the stored health of this open relationship is in `bucket`" on
    relationships (or on rows reaching one through `prefix`, e.g. "relationship__")."""
    return Q(**{f"{prefix}health__bucket": bucket, f"{prefix}status__in": OPEN_STATUSES})


def health_at_risk(prefix: str = "") -> Q:
    """The set-based "at risk" for managers: the stored bucket is at risk."""
    return health_bucket_is(Bucket.AT_RISK, prefix)


def health_list_for_program(*, program: Program, bucket: str = "") -> QuerySet[RelationshipHealth]:
    """The programme's pairs as last scored, worst first (score, then pair), with their people
    loaded: one query a page, whatever the programme's size (the snapshot's index on
    programme, bucket and score; no condition on the relationship, which would join every
    row). The snapshot holds the open pairs of the last refresh: a pair closed since shows
    (with its status) until the next one, at most `services.REFRESH_EVERY` later. The caller
    checked `program_access(manage=True)`. An unknown bucket lists everything."""
    queryset = RelationshipHealth.objects.filter(program=program)
    if bucket in BUCKET_LABELS:
        queryset = queryset.filter(bucket=bucket)
    return queryset.select_related(
        "relationship__mentor__user", "relationship__mentee__user"
    ).order_by("score", "relationship_id")


def program_health_summary(*, program_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per programme: bucket -> how many open pairs are in it (every bucket present, 0 when
    none), from the stored snapshot (as of the last refresh; one index-only query). For the
    analytics endpoint's `health` section and the weekly digest; the caller checked who may
    read these programmes."""
    summary: dict[int, dict[str, int]] = {
        program_id: {bucket.value: 0 for bucket in BUCKET_ORDER} for program_id in program_ids
    }
    if not program_ids:
        return summary
    rows = (
        RelationshipHealth.objects.filter(program_id__in=program_ids)
        .values("program_id", "bucket")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("program_id", "bucket", "n")
    )
    for program_id, bucket, n in rows:
        summary[program_id][bucket] = n
    return summary


def health_freshness(
    *, program: Program, summary: dict[str, int]
) -> tuple[datetime.datetime | None, int]:
    """When the programme's scores were computed (the oldest of them: a page is as fresh as its
    stalest row) and how many open pairs the last refresh has not scored yet (open now, minus
    those scored: `summary` is `program_health_summary`'s for the programme). Two indexed
    queries."""
    oldest = RelationshipHealth.objects.filter(program=program).aggregate(at=Min("computed_at"))[
        "at"
    ]
    open_now = (
        Relationship.objects.filter(program=program, status__in=OPEN_STATUSES).order_by().count()
    )
    return oldest, max(0, open_now - sum(summary.values()))


def health_by_relationship(*, relationship_ids: list[int]) -> dict[int, RelationshipHealth]:
    """The stored health of each of these relationships (those without one are left out). One
    query; the caller checked that the actor manages them."""
    if not relationship_ids:
        return {}
    return {
        row.relationship_id: row
        for row in RelationshipHealth.objects.filter(relationship_id__in=relationship_ids)
    }


@dataclass(frozen=True)
class PairHealth:
    """A pair's health page: the current score, its history, the managers' notes."""

    relationship: Relationship
    current: RelationshipHealth | None
    history: list[RelationshipHealthHistory]
    notes: list[HealthNote]

    @property
    def sparkline(self) -> str:
        """The scores as SVG polyline points (oldest first, 0-100 upwards), for the page."""
        width = max(1, len(self.history) - 1)
        return " ".join(
            f"{round(index * 200 / width)},{100 - row.score}"
            for index, row in enumerate(self.history)
        )


def pair_health(*, relationship: Relationship) -> PairHealth:
    """One pair's health for its managers: the snapshot, the last `HISTORY_SHOWN` history rows
    (oldest first) and the notes (newest first, with their authors). Three queries; the
    caller got `relationship` from `health_relationship_access`."""
    current = RelationshipHealth.objects.filter(relationship=relationship).first()
    history = list(
        RelationshipHealthHistory.objects.filter(relationship=relationship).order_by(
            "-recorded_at", "-id"
        )[:HISTORY_SHOWN]
    )
    history.reverse()
    notes = list(HealthNote.objects.filter(relationship=relationship).select_related("author"))
    return PairHealth(relationship=relationship, current=current, history=history, notes=notes)


def bucket_counts(summary: dict[str, int]) -> list[tuple[str, str, int]]:
    """(bucket, label, count) in the buckets' order (worst first), for pages."""
    return [
        (bucket.value, BUCKET_LABELS[bucket], summary.get(bucket.value, 0))
        for bucket in BUCKET_ORDER
    ]
