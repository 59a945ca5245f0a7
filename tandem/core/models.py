from django.db import models


class TimeStampedModel(models.Model):
    """Every domain row records when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class PeriodicRun(models.Model):
    """One periodic job enqueued for one period (`tandem.core.periodic`). The unique
    (job, period_start) is what makes a job run once per period whatever the number of
    schedulers: the one whose INSERT wins enqueues the task."""

    job = models.CharField(max_length=60)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    # The task backend's id of the enqueued task (empty until the enqueue after commit).
    task_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-period_start", "job"]
        constraints = [
            models.UniqueConstraint("job", "period_start", name="periodic_run_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} for {self.period_start:%Y-%m-%d %H:%M}"
