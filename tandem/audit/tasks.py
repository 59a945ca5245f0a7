"""Background entry points for the audit trail. Idempotent: a second run deletes nothing more."""

from django_tasks import task

from tandem.audit.services import audit_purge


@task()
def audit_purge_task(period_start: str = "") -> int:
    """Delete entries older than each organisation's retention: the daily periodic job
    (registered in `AuditConfig.ready`). Returns how many were deleted."""
    return audit_purge()
