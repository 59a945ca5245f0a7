"""Who may ask for whose data, and who may fetch an archive."""

from tandem.accounts.models import User
from tandem.core.errors import NotFound
from tandem.privacy.models import DataExport, ErasureRequest


def data_subject_access(*, actor: User, subject_id: int) -> User:
    """The person whose data `actor` may export: themselves, or (for an organisation admin)
    anyone of their organisation. Anyone else is NotFound, as if they did not exist."""
    organization_id = actor.organization_id
    if organization_id is None:
        # An export belongs to an organisation (its admins, its retention): no organisation,
        # no export.
        raise NotFound("No such person.")
    if subject_id == actor.pk:
        return actor
    subject = (
        User.objects.filter(pk=subject_id, organization_id=organization_id).first()
        if actor.is_org_admin
        else None
    )
    if subject is None:
        raise NotFound("No such person.")
    return subject


def data_export_access(*, actor: User, export_id: int) -> DataExport:
    """An export `actor` asked for; nobody else's, not even the person's it is about when an
    admin asked for it (the admin hands it over), nor another admin's."""
    export = (
        DataExport.objects.select_related("subject").filter(pk=export_id, requester=actor).first()
    )
    if export is None:
        raise NotFound("No such data export.")
    return export


def erasure_request_access(
    *, actor: User, erasure_id: int, for_update: bool = False
) -> ErasureRequest:
    """An erasure request about `actor`, or (for an organisation admin) about a person of
    their organisation. Anyone else is NotFound. `for_update` locks the row (a cancel racing
    the job)."""
    requests = ErasureRequest.objects.select_related("person")
    if for_update:
        requests = requests.select_for_update(of=("self",))
    if actor.is_org_admin and actor.organization_id is not None:
        requests = requests.filter(organization_id=actor.organization_id)
    else:
        requests = requests.filter(person=actor)
    erasure = requests.filter(pk=erasure_id).first()
    if erasure is None:
        raise NotFound("No such erasure request.")
    return erasure
