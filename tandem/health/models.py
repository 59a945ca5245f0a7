"""The stored health of each open relationship (a snapshot the scheduler refreshes), its
history, and the managers' private notes on a pair.

The snapshot is what lists read: one row per relationship, indexed by programme and bucket, so
the health list's page is a read, never a recomputation per row. `scoring.py` computes it;
`services.health_refresh` writes it.
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.models import TimeStampedModel
from tandem.health.scoring import BUCKET_LABELS, Bucket
from tandem.programs.models import Program
from tandem.relationships.models import Relationship

BUCKET_CHOICES = [(bucket.value, BUCKET_LABELS[bucket]) for bucket in Bucket]


class RelationshipHealth(models.Model):
    """The latest score of one open relationship. `program` is copied from the relationship
    (it never changes) so the list filters and counts without a join."""

    relationship = models.OneToOneField(
        Relationship, on_delete=models.CASCADE, related_name="health"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField()
    bucket = models.CharField(max_length=20, choices=BUCKET_CHOICES)
    sentence = models.CharField(max_length=300)
    # [{"key", "points", "text"}], biggest first: what took points off, in a manager's words.
    components = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The health list: a programme's pairs (of one bucket), worst score first.
            models.Index(
                fields=["program", "bucket", "score", "relationship"], name="health_program_bucket"
            ),
            models.Index(fields=["program", "score", "relationship"], name="health_program_score"),
            models.Index(fields=["computed_at"], name="health_computed_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="health_score_at_most_100"),
            models.CheckConstraint(
                condition=Q(bucket__in=[bucket.value for bucket in Bucket]),
                name="health_bucket_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Health of {self.relationship_id}: {self.bucket} ({self.score})"

    @property
    def bucket_label(self) -> str:
        return BUCKET_LABELS.get(self.bucket, self.bucket)


class RelationshipHealthHistory(models.Model):
    """One row per relationship per week it was scored, and one more whenever its bucket
    changed: the pair's health over time."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="health_history"
    )
    score = models.PositiveSmallIntegerField()
    bucket = models.CharField(max_length=20, choices=BUCKET_CHOICES)
    sentence = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["relationship", "recorded_at", "id"]
        indexes = [
            models.Index(fields=["relationship", "recorded_at"], name="health_history_pair"),
        ]

    def __str__(self) -> str:
        return f"Health of {self.relationship_id} at {self.recorded_at:%Y-%m-%d}: {self.bucket}"

    @property
    def bucket_label(self) -> str:
        return BUCKET_LABELS.get(self.bucket, self.bucket)


class HealthNote(TimeStampedModel):
    """A programme manager's private note on a pair: seen by the programme's managers and the
    organisation's admins, never by the pair."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="health_notes"
    )
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["relationship", "-created_at"], name="health_note_pair")]

    def __str__(self) -> str:
        # Never the text: it ends up in logs and the admin's lists.
        return f"Note {self.pk} on {self.relationship_id}"
