"""HR outcome data: each person's employment (hire, termination, promotions) and the files
it came from, and the organisation's one outcomes setting.

Sensitive: only organisation admins import it, nobody reads a person's row back through a
page or an endpoint, and what anyone sees of it is the aggregate analysis (`selectors`).
"""

from django.db import models
from django.db.models import F, Q

from tandem.accounts.models import Organization, User
from tandem.core.models import TimeStampedModel
from tandem.programs.models import Program


class OutcomesImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Checked, waiting to be committed"
    COMMITTED = "committed", "Committed"


class OutcomesImport(TimeStampedModel):
    """An HR outcomes file (CSV or XLSX) an admin uploaded in the browser, kept between the
    dry run and the commit with its SHA-256, like `people.PeopleImport`. The content is
    emptied once committed; an admin's older uncommitted uploads are dropped on a new one."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="outcomes_imports"
    )
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(editable=False)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the content, hex")
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=OutcomesImportStatus.choices, default=OutcomesImportStatus.PREVIEWED
    )
    summary = models.JSONField(default=dict, blank=True, help_text="Counts per planned action")
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "created_by", "status"])]

    def __str__(self) -> str:
        return f"Outcomes import of {self.filename or 'a file'} ({self.get_status_display()})"


class EmploymentRecord(TimeStampedModel):
    """One person's employment as the HR system reports it. One per person and organisation;
    a re-import updates it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="employment_records"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    employee_id = models.CharField(max_length=64, blank=True)
    hired_on = models.DateField()
    terminated_on = models.DateField(null=True, blank=True, help_text="Blank while employed")
    department = models.CharField(max_length=150, blank=True)
    grade = models.CharField(max_length=150, blank=True, help_text="Grade or seniority band")
    location = models.CharField(max_length=150, blank=True)
    source_import = models.ForeignKey(
        OutcomesImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("organization", "user", name="employment_one_per_person"),
            models.UniqueConstraint(
                "organization",
                "employee_id",
                condition=~Q(employee_id=""),
                name="employment_employee_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True) | Q(terminated_on__gte=F("hired_on")),
                name="employment_terminated_after_hired",
            ),
        ]

    def __str__(self) -> str:
        return f"Employment of user {self.user_id}"


class Promotion(models.Model):
    """A date on which the person was promoted, within their employment."""

    record = models.ForeignKey(
        EmploymentRecord, on_delete=models.CASCADE, related_name="promotions"
    )
    promoted_on = models.DateField()

    class Meta:
        ordering = ["record", "promoted_on"]
        constraints = [
            models.UniqueConstraint("record", "promoted_on", name="promotion_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"Promotion on {self.promoted_on}"


class OutcomesSettings(TimeStampedModel):
    """The organisation's choice about who besides its admins sees the outcomes page. Read
    as the default (admins only) until an admin saves it."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="outcomes_settings"
    )
    managers_see_outcomes = models.BooleanField(
        default=False,
        help_text=(
            "Programme managers see the outcomes page (aggregates only) for the programmes "
            "they manage."
        ),
    )

    class Meta:
        verbose_name_plural = "outcomes settings"

    def __str__(self) -> str:
        return f"Outcomes settings of organisation {self.organization_id}"


class PersonOutcomeSummary(models.Model):
    """One HR record as the outcomes report reads it, with its person's first match days
    and promotion days folded in: the report's cold path reads this one narrow table instead
    of the records, every relationship, every participant and every promotion (bench/
    README.md, "Outcomes"). Derived data, rewritten by `services.outcomes_summary_refresh`
    (the hourly `outcomes_summary_refresh` job and after each import), and deleted with its
    record."""

    record = models.OneToOneField(
        EmploymentRecord, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    hired_on = models.DateField()
    terminated_on = models.DateField(null=True)
    department = models.CharField(max_length=150, blank=True)
    grade = models.CharField(max_length=150, blank=True)
    location = models.CharField(max_length=150, blank=True)
    # Across every programme of the organisation; None: never matched in that role.
    first_mentee_on = models.DateField(null=True)
    first_mentor_on = models.DateField(null=True)
    # Every promotion day of the record, as days since 1970-01-01, ascending, space-separated:
    # the report counts the first one after each person's index day, which depends on the
    # programmes chosen, so no single day would do.
    promotion_days = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization"])]

    def __str__(self) -> str:
        return f"Outcome summary of record {self.record_id}"


class ProgramMatchSummary(models.Model):
    """A person's first match day in one programme, in each role (None: never in that role):
    what a one-programme report and the differencing guard read. Derived data, rewritten
    with `PersonOutcomeSummary`."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    first_mentee_on = models.DateField(null=True)
    first_mentor_on = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("program", "user", name="program_match_summary_once"),
            models.CheckConstraint(
                condition=Q(first_mentee_on__isnull=False) | Q(first_mentor_on__isnull=False),
                name="program_match_summary_some_role",
            ),
        ]
        indexes = [models.Index(fields=["organization"])]

    def __str__(self) -> str:
        return f"First matches of user {self.user_id} in programme {self.program_id}"


class OutcomesSummaryState(models.Model):
    """When an organisation's outcome summaries were last refreshed and last changed, and
    the differencing guard's verdicts over the family of reports (docs/decisions/0004),
    worked out by the refresh for one as-of day and minimum group: a report asked for under
    another (a month has closed, the admin changed the minimum) checks live instead."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    refreshed_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    as_of = models.DateField()
    min_group = models.PositiveSmallIntegerField()
    # The programmes with activated relationships, and the members of the family withheld
    # as [programme id or None for every programme, role].
    programs_with_pairs = models.JSONField(default=list)
    withheld = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Outcome summaries of organisation {self.organization_id}"
