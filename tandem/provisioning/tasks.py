"""Background entry points for provisioning. Idempotent: an export is moved aside once run."""

from pathlib import Path

from django.conf import settings
from django_tasks import task

from tandem.provisioning.hrsync import hr_sync_folder


@task()
def hr_sync_folder_task(period_start: str = "") -> int:
    """Run the HR exports waiting in HR_SYNC_DIR: the hourly periodic job (registered in
    `ProvisioningConfig.ready`). Returns how many files were run."""
    if not settings.HR_SYNC_DIR:
        return 0
    return len(hr_sync_folder(root=Path(settings.HR_SYNC_DIR)))
