"""Background entry points for accounts. Idempotent: a token's use is recorded once per use
the trail has not seen."""

from django_tasks import task

from tandem.accounts.services import api_token_use_audit


@task()
def api_token_use_audit_task(period_start: str = "") -> int:
    """One audit entry per API token used since the last run: the hourly periodic job
    (registered in `AccountsConfig.ready`). Returns how many entries were written."""
    return api_token_use_audit()
