"""Reads of personal data exports: always the caller's own requests."""

from django.db.models import QuerySet

from tandem.accounts.models import User
from tandem.privacy.models import DataExport

EXPORTS_SHOWN = 20


def data_exports_of_requester(
    *, actor: User, subject_id: int | None = None
) -> QuerySet[DataExport]:
    """The exports `actor` asked for (for one person when `subject_id` is given), newest first,
    with the person each is about: one query."""
    exports = DataExport.objects.filter(requester=actor).select_related("subject")
    if subject_id is not None:
        exports = exports.filter(subject_id=subject_id)
    return exports.order_by("-created_at", "-id")[:EXPORTS_SHOWN]
