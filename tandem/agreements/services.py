"""Every write about agreements: the programme's template, the pair's edits and signatures.

Edits and signatures lock the relationship row (through its guard) first, so two people acting
at once on one agreement are serialised: the second sees the first's version and, when it based
its change on an older one, gets a Conflict instead of overwriting it.
"""

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.agreements.models import (
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_PROMPTS,
    MAX_AGREEMENT_TEXT,
    MAX_DURATION_MONTHS,
    Agreement,
    AgreementChannel,
    AgreementSignature,
    AgreementTemplate,
    AgreementVersion,
)
from tandem.agreements.selectors import agreement_draft, agreement_template_read
from tandem.core.errors import Conflict, FieldError, InvalidInput
from tandem.notifications.models import NotificationCategory
from tandem.notifications.services import notification_send
from tandem.programs.models import MeetingCadence, Program
from tandem.programs.permissions import program_access
from tandem.relationships.models import RelationshipEventKind
from tandem.relationships.permissions import RelationshipAccess, relationship_access
from tandem.relationships.services import relationship_record_activity

TEMPLATE_FIELDS = (*DEFAULT_PROMPTS, "confidentiality_statement")
# What the pair edits; the confidentiality statement comes from the programme's template.
EDITABLE_FIELDS = (
    "goals_summary",
    "cadence",
    "channels",
    "duration_months",
    "mentor_expectations",
    "mentee_expectations",
    "boundaries",
)
CONTENT_FIELDS = (*EDITABLE_FIELDS, "confidentiality")
TEXT_FIELDS = ("goals_summary", "mentor_expectations", "mentee_expectations", "boundaries")
FIELD_LABELS = {
    "goals_summary": "What the mentee wants",
    "cadence": "Meeting cadence",
    "channels": "Preferred channels",
    "duration_months": "Duration",
    "mentor_expectations": "Mentor's expectations",
    "mentee_expectations": "Mentee's expectations",
    "boundaries": "Boundaries",
    "confidentiality_statement": "Confidentiality statement",
}
# Edits by the same person within this window make one timeline entry, not one per field.
EDIT_EVENT_WINDOW = datetime.timedelta(minutes=15)


def agreement_url(relationship_id: int) -> str:
    return reverse("agreements:detail", args=[relationship_id])


# --- the programme's template ------------------------------------------------------------


def agreement_template_ensure(*, program: Program) -> AgreementTemplate:
    """The programme's template, made from Tandem's default wording the first time it is
    needed. The caller has checked who may see it."""
    template, _ = AgreementTemplate.objects.get_or_create(
        program=program,
        defaults={**DEFAULT_PROMPTS, "confidentiality_statement": DEFAULT_CONFIDENTIALITY},
    )
    return template


@transaction.atomic
def agreement_template_update(
    *,
    actor: User,
    program_id: int,
    goals_prompt: str,
    cadence_prompt: str,
    channels_prompt: str,
    duration_prompt: str,
    mentor_expectations_prompt: str,
    mentee_expectations_prompt: str,
    boundaries_prompt: str,
    confidentiality_statement: str,
) -> AgreementTemplate:
    """Change a programme's agreement template (its managers and the organisation's admins).

    Agreements already started keep their text; new ones start from this. Raises InvalidInput
    naming each field that is too long, or an empty confidentiality statement; changes nothing
    then.
    """
    program = program_access(actor=actor, program_id=program_id, manage=True)
    given = {
        "goals_prompt": goals_prompt,
        "cadence_prompt": cadence_prompt,
        "channels_prompt": channels_prompt,
        "duration_prompt": duration_prompt,
        "mentor_expectations_prompt": mentor_expectations_prompt,
        "mentee_expectations_prompt": mentee_expectations_prompt,
        "boundaries_prompt": boundaries_prompt,
        "confidentiality_statement": confidentiality_statement,
    }
    cleaned = {name: (value or "").strip() for name, value in given.items()}
    errors = [
        FieldError(name, f"Keep this to {MAX_AGREEMENT_TEXT} characters or fewer.")
        for name, value in cleaned.items()
        if len(value) > MAX_AGREEMENT_TEXT
    ]
    if not cleaned["confidentiality_statement"]:
        errors.append(
            FieldError("confidentiality_statement", "The confidentiality statement is needed.")
        )
    if errors:
        raise InvalidInput("Some of the template is not valid.", errors=errors)
    agreement_template_ensure(program=program)
    template = AgreementTemplate.objects.select_for_update().get(program=program)
    for name, value in cleaned.items():
        setattr(template, name, value)
    template.updated_by = actor
    template.save(update_fields=[*cleaned, "updated_by", "updated_at"])
    return template


# --- the pair's agreement ----------------------------------------------------------------


def agreement_ensure(*, access: RelationshipAccess) -> Agreement:
    """The relationship's stored agreement; the first write (an edit or a signature) stores
    the draft the pair was reading (`selectors.agreement_draft`: the programme's template,
    cadence and duration). Reads never call this. `access` comes from the relationship's
    guard, taken for update, so two first writes at once store one agreement."""
    relationship = access.relationship
    existing = Agreement.objects.filter(relationship=relationship).first()
    if existing is not None:
        return existing
    draft = agreement_draft(
        relationship=relationship,
        template=agreement_template_read(program=relationship.program),
    )
    agreement, _ = Agreement.objects.get_or_create(
        relationship=relationship,
        defaults={
            "cadence": draft.cadence,
            "duration_months": draft.duration_months,
            "confidentiality": draft.confidentiality,
        },
    )
    return agreement


def _locked_agreement(access: RelationshipAccess) -> Agreement:
    agreement_ensure(access=access)
    return Agreement.objects.select_for_update().get(relationship=access.relationship)


def _require_version(agreement: Agreement, version: int, access: RelationshipAccess) -> None:
    if version == agreement.version:
        return
    if agreement.updated_by_id is not None and agreement.updated_by_id != access.user.pk:
        who = str(access.partner) if access.partner is not None else "Someone"
        message = (
            f"{who} changed the agreement meanwhile (it is now version {agreement.version}). "
            "Reload it to see their changes before you edit or sign."
        )
    else:
        message = (
            f"The agreement changed meanwhile (it is now version {agreement.version}). "
            "Reload it to see the changes before you edit or sign."
        )
    raise Conflict(message, errors=[FieldError("version", message)])


def _clean_content(values: dict[str, Any]) -> dict[str, Any]:
    """The editable fields as stored, or InvalidInput naming every field that is wrong."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = values[name]
        if not isinstance(value, str):
            errors.append(FieldError(name, f"{FIELD_LABELS[name]} must be text."))
            continue
        value = value.strip()
        if len(value) > MAX_AGREEMENT_TEXT:
            errors.append(
                FieldError(
                    name,
                    f"{FIELD_LABELS[name]}: keep this to {MAX_AGREEMENT_TEXT} characters or fewer.",
                )
            )
        cleaned[name] = value
    cadence = values["cadence"]
    if cadence not in MeetingCadence.values:
        options = ", ".join(MeetingCadence.values)
        errors.append(
            FieldError("cadence", f"Meeting cadence: '{cadence}' is not one of {options}.")
        )
    cleaned["cadence"] = cadence
    channels = values["channels"]
    if not isinstance(channels, list | tuple) or not all(isinstance(c, str) for c in channels):
        errors.append(FieldError("channels", "Preferred channels must be a list of channels."))
    else:
        unknown = [c for c in channels if c not in AgreementChannel.values]
        if unknown:
            listed = ", ".join(f"'{c}'" for c in unknown)
            options = ", ".join(AgreementChannel.values)
            errors.append(
                FieldError("channels", f"Preferred channels: {listed} not among {options}.")
            )
        # One canonical order, each once: the stored list compares equal whatever the order.
        cleaned["channels"] = [c for c in AgreementChannel.values if c in channels]
    duration = values["duration_months"]
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not 1 <= duration <= MAX_DURATION_MONTHS
    ):
        errors.append(
            FieldError(
                "duration_months",
                f"Duration must be a whole number of months from 1 to {MAX_DURATION_MONTHS}.",
            )
        )
    cleaned["duration_months"] = duration
    if errors:
        raise InvalidInput("Some of the agreement is not valid.", errors=errors)
    return cleaned


def _current_signer_ids(agreement: Agreement) -> dict[int, datetime.datetime]:
    return dict(
        AgreementSignature.objects.filter(
            agreement=agreement, version=agreement.version
        ).values_list("user_id", "signed_at")
    )


@transaction.atomic
def agreement_update(
    *,
    actor: User,
    relationship_id: int,
    version: int,
    goals_summary: str,
    cadence: str,
    channels: list[str],
    duration_months: int,
    mentor_expectations: str,
    mentee_expectations: str,
    boundaries: str,
) -> Agreement:
    """Change the agreement (the mentor or the mentee), based on the `version` they saw.

    A change moves the version on, so earlier signatures no longer count; when someone had
    signed, the partner is asked to sign again. An edit that changes nothing writes nothing.
    Raises Conflict when `version` is not the current one (the partner changed it meanwhile)
    or the relationship is closed; InvalidInput naming each wrong field.
    """
    access = relationship_access(actor=actor, relationship_id=relationship_id, for_update=True)
    access.require_open()
    agreement = _locked_agreement(access)
    _require_version(agreement, version, access)
    cleaned = _clean_content(
        {
            "goals_summary": goals_summary,
            "cadence": cadence,
            "channels": channels,
            "duration_months": duration_months,
            "mentor_expectations": mentor_expectations,
            "mentee_expectations": mentee_expectations,
            "boundaries": boundaries,
        }
    )
    changed = [name for name in EDITABLE_FIELDS if getattr(agreement, name) != cleaned[name]]
    if not changed:
        return agreement
    had_signatures = bool(_current_signer_ids(agreement))
    now = timezone.now()
    recently_edited_by_actor = (
        agreement.updated_by_id == actor.pk
        and agreement.version > 1
        and agreement.updated_at > now - EDIT_EVENT_WINDOW
    )
    for name in changed:
        setattr(agreement, name, cleaned[name])
    agreement.version += 1
    agreement.updated_by = actor
    agreement.save(update_fields=[*changed, "version", "updated_by", "updated_at"])
    if had_signatures or not recently_edited_by_actor:
        relationship_record_activity(
            relationship=access.relationship,
            actor=actor,
            kind=RelationshipEventKind.AGREEMENT_UPDATED,
            summary=f"{actor} updated the agreement",
        )
    partner = access.partner
    if had_signatures and partner is not None:
        notification_send(
            recipients=[partner],
            category=NotificationCategory.AGREEMENT,
            subject=f"{actor} changed your mentoring agreement: please sign again",
            body=(
                f"{actor} changed the mentoring agreement after it was signed, so the earlier "
                "signatures no longer count. Please read the new version and sign it again."
            ),
            url=agreement_url(relationship_id),
        )
    return agreement


def _missing_for_signing(agreement: Agreement) -> list[FieldError]:
    errors = []
    if not agreement.goals_summary.strip():
        errors.append(FieldError("goals_summary", "Write what the mentee wants before signing."))
    if not agreement.channels:
        errors.append(FieldError("channels", "Choose at least one channel before signing."))
    return errors


def agreement_content(agreement: Agreement) -> dict[str, Any]:
    """The agreement's text as kept in a signed version."""
    return {name: getattr(agreement, name) for name in CONTENT_FIELDS}


@transaction.atomic
def agreement_sign(*, actor: User, relationship_id: int, version: int) -> Agreement:
    """Sign the current version of the agreement (the mentor or the mentee).

    Signing twice is harmless. The first signature asks the partner to sign; the second keeps
    the signed text as an AgreementVersion, notes it on the timeline and tells both. Raises
    Conflict when `version` is not the current one or the relationship is closed, and
    InvalidInput when the agreement still lacks what the mentee wants or a channel.
    """
    access = relationship_access(actor=actor, relationship_id=relationship_id, for_update=True)
    access.require_open()
    agreement = _locked_agreement(access)
    _require_version(agreement, version, access)
    missing = _missing_for_signing(agreement)
    if missing:
        raise InvalidInput("The agreement is not complete enough to sign yet.", errors=missing)
    now = timezone.now()
    _, created = AgreementSignature.objects.get_or_create(
        agreement=agreement, user=actor, version=agreement.version, defaults={"signed_at": now}
    )
    if not created:
        return agreement
    relationship = access.relationship
    mentor, mentee = relationship.mentor.user, relationship.mentee.user
    signed = _current_signer_ids(agreement)
    url = agreement_url(relationship_id)
    if mentor.pk not in signed or mentee.pk not in signed:
        partner = access.partner
        if partner is not None:
            notification_send(
                recipients=[partner],
                category=NotificationCategory.AGREEMENT,
                subject=f"{actor} signed your mentoring agreement",
                body=(
                    f"{actor} signed version {agreement.version} of your mentoring agreement. "
                    "Please read it and sign it too."
                ),
                url=url,
            )
        return agreement
    AgreementVersion.objects.create(
        agreement=agreement,
        version=agreement.version,
        content=agreement_content(agreement),
        mentor_signed_at=signed[mentor.pk],
        mentee_signed_at=signed[mentee.pk],
        created_at=now,
    )
    relationship_record_activity(
        relationship=relationship,
        actor=actor,
        kind=RelationshipEventKind.AGREEMENT_SIGNED,
        summary=f"{mentor} and {mentee} signed the agreement (version {agreement.version})",
    )
    notification_send(
        recipients=[mentor, mentee],
        category=NotificationCategory.AGREEMENT,
        subject="Your mentoring agreement is signed",
        body=(
            f"{mentor} and {mentee} have both signed version {agreement.version} of the "
            "mentoring agreement. Tandem keeps this signed version."
        ),
        url=url,
    )
    return agreement
