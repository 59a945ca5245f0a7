"""The private journal: what one person writes for themselves about their mentoring.

Only the author ever reads an entry, unless they share that one entry with their partner.
The text, the mood and the tags are encrypted at rest (`tandem.core.encryption`); the model
is not in the Django admin, leaves no timeline event, and every selector filters by the
author. An encrypted column cannot be filtered or constrained in SQL: the services check the
mood and tags, and any filter on them runs in Python over the author's own entries.
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import User
from tandem.core.encryption import EncryptedJSONField, EncryptedTextField
from tandem.core.models import TimeStampedModel
from tandem.relationships.models import Relationship


class JournalMood(models.TextChoices):
    GREAT = "great", "Great"
    GOOD = "good", "Good"
    OKAY = "okay", "Okay"
    LOW = "low", "Low"
    STUCK = "stuck", "Stuck"


class JournalEntry(TimeStampedModel):
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="journal_entries")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="journal_entries"
    )
    text = EncryptedTextField()
    # How the author felt is as private as what they wrote: encrypted too.
    mood = EncryptedTextField(choices=JournalMood.choices, blank=True, default="")
    tags = EncryptedJSONField(default=list, blank=True)
    # Optionally about one of the pair's meetings (no reverse accessor: meetings never see it).
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_with_partner = models.BooleanField(default=False)
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shared_with_partner=True, shared_at__isnull=False)
                | Q(shared_with_partner=False, shared_at__isnull=True),
                name="journal_shared_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "relationship", "-created_at"]),
            models.Index(fields=["relationship", "shared_with_partner", "-created_at"]),
        ]

    def __str__(self) -> str:
        # Never the text: this may end up in a log or an error page.
        return f"Journal entry {self.pk}"
