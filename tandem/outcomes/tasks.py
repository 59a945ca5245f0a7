"""Background entry points for outcomes. Idempotent: running one twice does no harm."""

from django_tasks import task

from tandem.outcomes.services import outcomes_summary_refresh


@task()
def outcomes_summary_refresh_task(period_start: str = "", organization_id: int = 0) -> int:
    """Bring the outcome summaries up to the HR data and the relationships: every
    organisation's (the hourly periodic job, registered in `OutcomesConfig.ready`; the
    report says how fresh they are), or one organisation's after an import committed."""
    return outcomes_summary_refresh(organization_id=organization_id or None)
