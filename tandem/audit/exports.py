"""The audit trail's CSV download, shared by the page and the API."""

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from tandem.audit import selectors, services
from tandem.audit.models import AuditEntry
from tandem.audit.permissions import AuditViewer, audit_admin_required
from tandem.core.exports import csv_download


def audit_csv_response(
    *, actor: AuditViewer, entries: "QuerySet[AuditEntry]"
) -> StreamingHttpResponse:
    """The CSV download of a search (the page's and the API's), itself recorded."""
    organization_id = audit_admin_required(actor)
    services.audit_export(
        actor=actor,  # type: ignore[arg-type]
        organization_id=organization_id,
        what="audit",
        export_format="csv",
    )
    return csv_download(
        filename=f"audit-trail-{timezone.localdate()}.csv",
        header=selectors.EXPORT_HEADER,
        rows=selectors.export_rows(entries),
    )
