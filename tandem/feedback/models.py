"""Feedback between the pair: the mentor's structured feedback to the mentee (strengths, what
to develop, one specific suggestion) and the mentee's feedback on the mentoring (what helped,
what to change, how useful it is). Several over time. Private to the pair: no manager or admin
reads it (the guard answers them 404) and it is not in the Django admin.
"""

from django.db import models
from django.db.models import Q

from tandem.accounts.models import User
from tandem.relationships.models import Relationship


class FeedbackDirection(models.TextChoices):
    MENTOR_TO_MENTEE = "mentor_to_mentee", "Mentor's feedback to the mentee"
    MENTEE_TO_MENTOR = "mentee_to_mentor", "Mentee's feedback on the mentoring"


class Feedback(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="feedback"
    )
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # Derived from the author's side by the service, never chosen by the caller.
    direction = models.CharField(max_length=20, choices=FeedbackDirection.choices)
    # Mentor → mentee.
    strengths = models.TextField(blank=True)
    to_develop = models.TextField(blank=True)
    suggestion = models.TextField(blank=True)
    # Mentee → mentor.
    what_helped = models.TextField(blank=True)
    what_to_change = models.TextField(blank=True)
    usefulness = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["mentor_to_mentee", "mentee_to_mentor"]),
                name="feedback_direction_valid",
            ),
            # Each direction fills its own questions, and only those.
            models.CheckConstraint(
                condition=(
                    Q(direction="mentor_to_mentee")
                    & ~Q(strengths="")
                    & ~Q(to_develop="")
                    & ~Q(suggestion="")
                    & Q(what_helped="", what_to_change="", usefulness__isnull=True)
                )
                | (
                    Q(direction="mentee_to_mentor")
                    & ~Q(what_helped="")
                    & Q(usefulness__gte=1, usefulness__lte=5)
                    & Q(strengths="", to_develop="", suggestion="")
                ),
                name="feedback_fields_match_direction",
            ),
        ]
        indexes = [models.Index(fields=["relationship", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} ({self.created_at:%Y-%m-%d})"
