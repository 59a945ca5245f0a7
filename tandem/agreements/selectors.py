"""Every read about agreements, through the relationship's (or the programme's) guard.

Reads never write. A pair with no stored agreement reads an unsaved draft built from the
programme's template, cadence and duration (`agreement_draft`); a programme with no stored
template reads Tandem's default wording, unsaved (`agreement_template_read`). The first edit or
signature stores the agreement (`services.agreement_ensure`, inside that write's transaction),
and a manager's first template edit stores the template.

"Signed" has one definition, owned here: both the mentor and the mentee signed the CURRENT
version (an edit after signing moves the version on and asks both to sign again). It is exposed
twice, for the one pair (`agreement_is_signed`, from the signatures) and set-based, for other
apps' querysets (`signed_relationship_ids`, `agreement_signed_exists`, from the kept signed
versions); the nudges, the journeys' auto step and the managers' signals use those pieces.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from tandem.agreements.models import (
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_PROMPTS,
    MAX_DURATION_MONTHS,
    Agreement,
    AgreementChannel,
    AgreementSignature,
    AgreementStatus,
    AgreementTemplate,
    AgreementVersion,
)
from tandem.core.errors import NotFound
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


def agreement_status(
    *, relationship: Relationship, version: int, signatures: list[AgreementSignature]
) -> AgreementStatus:
    """The agreement's status from its signatures: SIGNED when the mentor and the mentee both
    signed `version` (the current one), AWAITING_PARTNER when one of them did, else DRAFT."""
    mentor_at, mentee_at = _signed_at(signatures, relationship, version)
    if mentor_at is not None and mentee_at is not None:
        return AgreementStatus.SIGNED
    if mentor_at is not None or mentee_at is not None:
        return AgreementStatus.AWAITING_PARTNER
    return AgreementStatus.DRAFT


def _signed_at(
    signatures: list[AgreementSignature], relationship: Relationship, version: int
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    by_user = {s.user_id: s.signed_at for s in signatures if s.version == version}
    return by_user.get(relationship.mentor.user_id), by_user.get(relationship.mentee.user_id)


# --- "signed": one definition, per pair and set-based ------------------------------------


def agreement_is_signed(*, relationship: Relationship) -> bool:
    """Whether both people signed the current version of this pair's agreement (one query).
    The per-pair form of `signed_relationship_ids`; the caller has checked who may know."""
    signatures = list(
        AgreementSignature.objects.filter(
            agreement__relationship=relationship, version=F("agreement__version")
        )
    )
    version = signatures[0].version if signatures else 0
    status = agreement_status(relationship=relationship, version=version, signatures=signatures)
    return status == AgreementStatus.SIGNED


def signed_relationship_ids() -> QuerySet[AgreementVersion, Any]:
    """The ids of the relationships whose current agreement both people signed, as a subquery
    for another queryset: `Relationship.objects.filter(pk__in=signed_relationship_ids())`.
    A kept AgreementVersion is written when the second person signs a version, so "a kept
    version equal to the agreement's current version" is the set-based form of
    `agreement_is_signed`."""
    return AgreementVersion.objects.filter(version=F("agreement__version")).values(
        "agreement__relationship_id"
    )


def agreement_signed_exists(relationship_ref: str = "pk") -> Exists:
    """`signed_relationship_ids` as an EXISTS over the relationship at `OuterRef(
    relationship_ref)`, to annotate or filter a queryset of relationships (or of rows that
    point at one) in the same query."""
    return Exists(
        signed_relationship_ids().filter(agreement__relationship_id=OuterRef(relationship_ref))
    )


def agreed_cadence(relationship_ref: str = "pk") -> Coalesce:
    """The meeting cadence the relationship at `OuterRef(relationship_ref)` agreed: its stored
    agreement's, else the programme's (what `agreement_draft` reads), as an expression to
    annotate a queryset of relationships (relationship health compares it with the meetings
    held)."""
    stored = Agreement.objects.filter(relationship_id=OuterRef(relationship_ref)).values("cadence")[
        :1
    ]
    return Coalesce(Subquery(stored), F("program__cadence"), output_field=CharField())


# --- the pair's agreement, read-only ------------------------------------------------------


def agreement_template_read(*, program: Program) -> AgreementTemplate:
    """The programme's template; when none is stored, Tandem's default wording, unsaved (as
    old as the programme). The caller has checked who may see it."""
    stored = AgreementTemplate.objects.filter(program=program).first()
    if stored is not None:
        return stored
    return AgreementTemplate(
        program=program,
        **DEFAULT_PROMPTS,
        confidentiality_statement=DEFAULT_CONFIDENTIALITY,
        created_at=program.created_at,
        updated_at=program.created_at,
    )


def agreement_draft(*, relationship: Relationship, template: AgreementTemplate) -> Agreement:
    """The agreement a pair starts from, unsaved: the programme's cadence and duration and the
    template's confidentiality statement, version 1, dated from the pair's opening.
    `services.agreement_ensure` stores exactly this on the first edit or signature."""
    program = relationship.program
    return Agreement(
        relationship=relationship,
        cadence=program.cadence,
        duration_months=min(max(program.duration_months, 1), MAX_DURATION_MONTHS),
        confidentiality=template.confidentiality_statement,
        created_at=relationship.created_at,
        updated_at=relationship.created_at,
    )


def agreement_read(*, relationship: Relationship) -> Agreement:
    """The pair's stored agreement, else its unsaved draft (one query, two for a draft)."""
    stored = Agreement.objects.filter(relationship=relationship).first()
    if stored is not None:
        return stored
    template = agreement_template_read(program=relationship.program)
    return agreement_draft(relationship=relationship, template=template)


def agreement_get_for_workspace(*, access: RelationshipAccess) -> AgreementDetail:
    """The pair's agreement with its signatures and kept versions (3 queries once it exists;
    before, the unsaved draft in 2 and nothing written). `access` comes from
    `relationship_access` without managers: the text is the pair's."""
    relationship = access.relationship
    agreement = agreement_read(relationship=relationship)
    signatures: list[AgreementSignature] = []
    kept_versions: list[AgreementVersion] = []
    if agreement.pk is not None:
        signatures = list(
            AgreementSignature.objects.filter(agreement=agreement, version=agreement.version)
        )
        kept_versions = list(AgreementVersion.objects.filter(agreement=agreement))
    mentor_at, mentee_at = _signed_at(signatures, relationship, agreement.version)
    mine = mentor_at if access.side == "mentor" else mentee_at
    return AgreementDetail(
        agreement=agreement,
        status=agreement_status(
            relationship=relationship, version=agreement.version, signatures=signatures
        ),
        mentor_signed_at=mentor_at,
        mentee_signed_at=mentee_at,
        signed_by_me=mine is not None,
        kept_versions=kept_versions,
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


# The hub's "what's next" folds a journey step about the same thing into this panel's item; the
# value is the journey's completion signal for "signed by both" (journeys sits above agreements).
AGREEMENT_SIGNED_CONCERN = "agreement_signed"


def agreement_panel(*, access: RelationshipAccess) -> dict[str, Any]:
    """The workspace hub's agreement card (at most 2 queries; creates nothing)."""
    relationship = access.relationship
    url = reverse("agreements:detail", args=[relationship.pk])
    agreement = (
        Agreement.objects.filter(relationship=relationship).prefetch_related("signatures").first()
    )
    version = agreement.version if agreement is not None else 1
    signatures = list(agreement.signatures.all()) if agreement is not None else []
    mentor_at, mentee_at = _signed_at(signatures, relationship, version)
    status = agreement_status(relationship=relationship, version=version, signatures=signatures)
    mine, theirs = (mentor_at, mentee_at) if access.side == "mentor" else (mentee_at, mentor_at)
    next_items: list[dict[str, Any]] = []
    if status != AgreementStatus.SIGNED and access.is_open:
        if mine is None:
            next_items.append(
                {
                    "text": "Sign the agreement",
                    "url": url,
                    "due": None,
                    "overdue": False,
                    "concern": AGREEMENT_SIGNED_CONCERN,
                }
            )
        elif theirs is None and access.partner is not None:
            next_items.append(
                {
                    "text": f"Waiting for {access.partner} to sign the agreement",
                    "url": url,
                    "due": None,
                    "overdue": False,
                    "concern": AGREEMENT_SIGNED_CONCERN,
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
    """Which of these relationships have their current agreement signed by both (one query;
    `signed_relationship_ids` narrowed to these). The caller has checked who may know this (a
    signal, never the text)."""
    if not relationship_ids:
        return set()
    return set(
        signed_relationship_ids()
        .filter(agreement__relationship_id__in=relationship_ids)
        .values_list("agreement__relationship_id", flat=True)
    )


def agreement_template_get(*, program: Program) -> AgreementTemplate:
    """The programme's template (the defaults, unsaved, until a manager first edits it).
    `program` comes from `program_access(..., manage=True)`."""
    return agreement_template_read(program=program)


def agreement_template_for_relationship(*, access: RelationshipAccess) -> AgreementTemplate:
    """The guidance the pair's page shows beside each section."""
    return agreement_template_read(program=access.relationship.program)


def channel_labels(channels: list[str]) -> list[str]:
    """The channels as people read them, in their usual order."""
    return [str(label) for value, label in AgreementChannel.choices if value in channels]


def cadence_label(cadence: str) -> str:
    return str(dict(MeetingCadence.choices).get(cadence, cadence))
