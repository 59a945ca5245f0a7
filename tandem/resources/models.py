"""The resource library: articles, checklists, conversation guides, links, videos and training
modules, per organisation with programme-level additions.

Starter pieces ship as Markdown files in `content/` and are loaded per organisation by
`services.starter_content_load` (upsert by `starter_key`; pieces the organisation edited are kept).
Bodies are stored as Markdown and sanitised when rendered (`rendering.py`). The ordered children
(checklist items, guide questions, lessons, knowledge-check questions) are parsed from the body by
the service on every save, so other screens (meeting mode, journeys) can list them.

Skills are a JSON list of free-text strings (not an M2M to people.Skill): shipped content names
skills in plain words, and an organisation's skill list differs from one tenant to the next.
"""

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organization, User
from tandem.core.models import TimeStampedModel
from tandem.programs.models import Program


class ResourceKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    CHECKLIST = "checklist", _("Checklist")
    GUIDE = "guide", _("Conversation guide")
    LINK = "link", _("External link")
    VIDEO = "video", _("Video")
    MODULE = "module", _("Training module")


# Kinds that point somewhere else and need a URL.
URL_KINDS = (ResourceKind.LINK, ResourceKind.VIDEO)


class Audience(models.TextChoices):
    MENTOR = "mentor", _("Mentors")
    MENTEE = "mentee", _("Mentees")
    BOTH = "both", _("Mentors and mentees")


class Stage(models.TextChoices):
    """The journey's stages, in order."""

    GETTING_STARTED = "getting-started", _("Getting started")
    SETTING_GOALS = "setting-goals", _("Setting goals")
    WORKING_TOGETHER = "working-together", _("Working together")
    MID_POINT_REVIEW = "mid-point-review", _("Mid-point review")
    CLOSING = "closing", _("Closing")


# A module passes its knowledge check at this share of right answers (per cent).
PASS_PERCENT = 80


class Resource(TimeStampedModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="resources"
    )
    # Empty for the organisation's library; set for a programme-level addition.
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="resources"
    )
    slug = models.SlugField(max_length=120)
    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400, blank=True)
    body_markdown = models.TextField(blank=True, max_length=100_000)
    url = models.URLField(max_length=500, blank=True)
    minutes = models.PositiveSmallIntegerField(default=5)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    stages = models.JSONField(default=list, blank=True)  # Stage values, validated by services
    skills = models.JSONField(default=list, blank=True)  # list of free-text strings
    is_hidden = models.BooleanField(default=False)
    # Shipped pieces: the file they came from and the hash of what was loaded, so a reload can tell
    # an organisation's edit (content_hash differs from the stored one) from an untouched piece.
    is_starter = models.BooleanField(default=False)
    starter_key = models.CharField(max_length=120, blank=True)
    starter_hash = models.CharField(max_length=64, blank=True)
    is_edited = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ResourceKind.values), name="resource_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values), name="resource_audience_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_starter=False) | ~Q(starter_key=""),
                name="resource_starter_has_key",
            ),
            models.UniqueConstraint(
                fields=["organization", "slug"],
                condition=Q(program__isnull=True),
                name="resource_org_slug_unique",
            ),
            models.UniqueConstraint(
                fields=["organization", "program", "slug"],
                condition=Q(program__isnull=False),
                name="resource_program_slug_unique",
            ),
            models.UniqueConstraint(
                fields=["organization", "starter_key"],
                condition=Q(is_starter=True),
                name="resource_starter_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "program", "is_hidden"]),
            models.Index(fields=["organization", "kind"]),
            # the library a member reads, in title order, paged by a cursor (decision 0020):
            # partial, as hidden pieces are never in it
            models.Index(
                fields=["organization", "title", "id"],
                condition=Q(is_hidden=False),
                name="resource_org_visible_title",
            ),
        ]

    # Set by `translations.localise` on a row whose words it swapped for a reader's language.
    shown_in_language = ""

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.shown_in_language:
            # A display copy holds a translation: writing it would replace the piece's own text.
            raise RuntimeError(f"Resource {self.pk} was localised for display; load it again.")
        super().save(*args, **kwargs)

    @property
    def stage_labels(self) -> list[str]:
        labels = dict(Stage.choices)
        return [str(labels.get(stage, stage)) for stage in self.stages]

    @property
    def is_module(self) -> bool:
        return self.kind == ResourceKind.MODULE


class ChecklistItem(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="checklist_items")
    order = models.PositiveIntegerField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "order"], name="checklist_item_order_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class GuideQuestion(models.Model):
    """One open question of a conversation guide."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="guide_questions")
    order = models.PositiveIntegerField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "order"], name="guide_question_order_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class Lesson(models.Model):
    """One short lesson of a training module."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="lessons")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body_markdown = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "order"], name="lesson_order_unique")
        ]

    def __str__(self) -> str:
        return self.title


class CheckQuestion(models.Model):
    """One question of a module's knowledge check."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="check_questions")
    order = models.PositiveIntegerField()
    text = models.CharField(max_length=500)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "order"], name="check_question_order_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class CheckOption(models.Model):
    question = models.ForeignKey(CheckQuestion, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveIntegerField()
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="check_option_order_unique")
        ]

    def __str__(self) -> str:
        return self.text


class ResourceProgress(TimeStampedModel):
    """One person's progress on one resource: done, rating, knowledge-check result, ticked items."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="resource_progress")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="progress")
    done_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    # Checklist: the orders of the items the person ticked.
    checked_items = models.JSONField(default=list, blank=True)
    check_score = models.PositiveSmallIntegerField(null=True, blank=True)  # per cent
    check_passed = models.BooleanField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="resource_progress_unique"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="resource_progress_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(check_score__isnull=True) | Q(check_score__lte=100),
                name="resource_progress_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(check_score__isnull=True, check_passed__isnull=True)
                | Q(check_score__isnull=False, check_passed__isnull=False),
                name="resource_progress_score_with_result",
            ),
        ]
        indexes = [models.Index(fields=["resource", "done_at"])]

    def __str__(self) -> str:
        return f"Progress of user {self.user_id} on resource {self.resource_id}"


class LessonCompletion(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lesson_completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_completion_unique")
        ]

    def __str__(self) -> str:
        return f"Lesson {self.lesson_id} done by user {self.user_id}"
