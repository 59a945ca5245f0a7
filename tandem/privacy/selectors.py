"""Reads of personal data exports: always the caller's own requests."""

from django.db.models import QuerySet

from tandem.accounts.models import User
from tandem.privacy.models import DataExport, ErasureRequest

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


ERASURES_SHOWN = 20


def erasure_requests_of_person(*, person_id: int) -> QuerySet[ErasureRequest]:
    """The erasure requests about one person (the caller's access to them checked before),
    newest first, with who asked: one query."""
    return (
        ErasureRequest.objects.filter(person_id=person_id)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")[:ERASURES_SHOWN]
    )


def erasure_requests_for(*, actor: User) -> QuerySet[ErasureRequest]:
    """The erasure requests `actor` may see: about themselves, or (an organisation admin)
    about anyone of their organisation; newest first, the last 20, with the person."""
    requests = ErasureRequest.objects.select_related("person")
    if actor.is_org_admin and actor.organization_id is not None:
        requests = requests.filter(organization_id=actor.organization_id)
    else:
        requests = requests.filter(person=actor)
    return requests.order_by("-requested_at", "-id")[:ERASURES_SHOWN]
