"""Every read about agreements, through the relationship's (or the programme's) guard.

The first read of a pair's agreement (or a programme's template) creates it from the defaults;
that write is the services' (`agreement_ensure`, `agreement_template_ensure`).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse

from tandem.accounts.models import User
from tandem.agreements.models import (
    Agreement,
    AgreementChannel,
    AgreementSignature,
    AgreementStatus,
    AgreementTemplate,
    AgreementVersion,
)
from tandem.agreements.services import agreement_ensure, agreement_template_ensure
from tandem.core.errors import NotFound
from tandem.people.models import Profile
from tandem.programs.models import MeetingCadence, Program
from tandem.relationships.models import Relationship
from tandem.relationships.permissions import RelationshipAccess


@dataclass(frozen=True)
class AgreementDetail:
    """The agreement as the pair sees it: its text, who signed the current version, and the
    versions both signed (newest first)."""

    agreement: Agreement
    status: str
    mentor_signed_at: datetime.datetime | None
    mentee_signed_at: datetime.datetime | None
    signed_by_me: bool
    kept_versions: list[AgreementVersion]

    @property
    def status_label(self) -> str:
        return str(AgreementStatus(self.status).label)


def _status(mentor_signed: bool, mentee_signed: bool) -> str:
    if mentor_signed and mentee_signed:
        return AgreementStatus.SIGNED
    if mentor_signed or mentee_signed:
        return AgreementStatus.AWAITING_PARTNER
    return AgreementStatus.DRAFT


def _signed_at(
    signatures: list[AgreementSignature], relationship: Relationship, version: int
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    by_user = {s.user_id: s.signed_at for s in signatures if s.version == version}
    return by_user.get(relationship.mentor.user_id), by_user.get(relationship.mentee.user_id)


def agreement_get_for_workspace(*, access: RelationshipAccess) -> AgreementDetail:
    """The pair's agreement with its signatures and kept versions (3 queries once it exists).
    `access` comes from `relationship_access` without managers: the text is the pair's."""
    agreement = agreement_ensure(access=access)
    relationship = access.relationship
    signatures = list(
        AgreementSignature.objects.filter(agreement=agreement, version=agreement.version)
    )
    mentor_at, mentee_at = _signed_at(signatures, relationship, agreement.version)
    mine = mentor_at if access.side == "mentor" else mentee_at
    return AgreementDetail(
        agreement=agreement,
        status=_status(mentor_at is not None, mentee_at is not None),
        mentor_signed_at=mentor_at,
        mentee_signed_at=mentee_at,
        signed_by_me=mine is not None,
        kept_versions=list(AgreementVersion.objects.filter(agreement=agreement)),
    )


def agreement_version_list(*, access: RelationshipAccess) -> QuerySet[AgreementVersion]:
    """The versions both people signed, newest first (one query)."""
    return AgreementVersion.objects.filter(agreement__relationship=access.relationship).defer(
        "content"
    )


def agreement_version_get(*, access: RelationshipAccess, version: int) -> AgreementVersion:
    """One signed version of the pair's agreement, or NotFound."""
    kept = AgreementVersion.objects.filter(
        agreement__relationship=access.relationship, version=version
    ).first()
    if kept is None:
        raise NotFound(f"Version {version} of this agreement was not signed by both.")
    return kept


def agreement_panel(*, access: RelationshipAccess) -> dict[str, Any]:
    """The workspace hub's agreement card (at most 2 queries; creates nothing)."""
    relationship = access.relationship
    url = reverse("agreements:detail", args=[relationship.pk])
    agreement = (
        Agreement.objects.filter(relationship=relationship).prefetch_related("signatures").first()
    )
    if agreement is None:
        version = 1
        mentor_at = mentee_at = None
    else:
        version = agreement.version
        mentor_at, mentee_at = _signed_at(list(agreement.signatures.all()), relationship, version)
    status = _status(mentor_at is not None, mentee_at is not None)
    mine, theirs = (mentor_at, mentee_at) if access.side == "mentor" else (mentee_at, mentor_at)
    next_items: list[dict[str, Any]] = []
    if status != AgreementStatus.SIGNED and access.is_open:
        if mine is None:
            next_items.append(
                {"text": "Sign the agreement", "url": url, "due": None, "overdue": False}
            )
        elif theirs is None and access.partner is not None:
            next_items.append(
                {
                    "text": f"Waiting for {access.partner} to sign the agreement",
                    "url": url,
                    "due": None,
                    "overdue": False,
                }
            )
    return {
        "status": status,
        "status_label": str(AgreementStatus(status).label),
        "version": version,
        "signed_by_me": mine is not None,
        "partner_signed": theirs is not None,
        "url": url,
        "next_items": next_items,
    }


def agreement_signed_relationship_ids(*, relationship_ids: list[int]) -> set[int]:
    """Which of these relationships have their current agreement signed by both (one query).
    The caller has checked who may know this (a signal, never the text)."""
    if not relationship_ids:
        return set()
    return set(
        AgreementVersion.objects.filter(
            agreement__relationship_id__in=relationship_ids,
            version=F("agreement__version"),
        ).values_list("agreement__relationship_id", flat=True)
    )


def agreement_template_get(*, program: Program) -> AgreementTemplate:
    """The programme's template (made from the defaults on first read). `program` comes from
    `program_access(..., manage=True)`."""
    return agreement_template_ensure(program=program)


def agreement_template_for_relationship(*, access: RelationshipAccess) -> AgreementTemplate:
    """The guidance the pair's page shows beside each section."""
    return agreement_template_ensure(program=access.relationship.program)


def viewer_timezone(*, actor: User) -> str:
    """The IANA timezone the actor's pages show times in (their profile's, else UTC)."""
    return Profile.objects.filter(user=actor).values_list("timezone", flat=True).first() or "UTC"


def channel_labels(channels: list[str]) -> list[str]:
    """The channels as people read them, in their usual order."""
    return [str(label) for value, label in AgreementChannel.choices if value in channels]


def cadence_label(cadence: str) -> str:
    return str(dict(MeetingCadence.choices).get(cadence, cadence))
