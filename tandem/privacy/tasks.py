"""Background entry points for personal data rights. Idempotent."""

from django_tasks import task

from tandem.privacy.services import (
    data_export_build,
    data_exports_expire,
    data_exports_recover,
    erasures_execute,
    retention_apply,
)


@task()
def data_export_build_task(export_id: int) -> bool:
    """Build one export (enqueued when it is asked for). True when this run built it."""
    return data_export_build(export_id=export_id) is not None


@task()
def data_exports_expire_task(period_start: str = "") -> int:
    """Delete expired exports' files: the hourly periodic job (`PrivacyConfig.ready`)."""
    return data_exports_expire()


@task()
def data_exports_recover_task(period_start: str = "") -> int:
    """Enqueue again the builds of exports never started: the hourly periodic job."""
    return data_exports_recover()


@task()
def erasures_execute_task(period_start: str = "") -> int:
    """Erase the people whose erasure is due: the hourly periodic job (`PrivacyConfig.ready`)."""
    return erasures_execute()


@task()
def retention_apply_task(period_start: str = "") -> int:
    """Delete ended relationships' private data past each organisation's retention: the daily
    periodic job (`PrivacyConfig.ready`)."""
    return retention_apply()
