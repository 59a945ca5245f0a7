"""Agreement test helpers. Agreements are built through the services, as people build them."""

from typing import Any

from tandem.agreements.models import (
    Agreement,
    AgreementSignature,
    AgreementTemplate,
    AgreementVersion,
)
from tandem.agreements.services import agreement_sign, agreement_update
from tandem.notifications.models import Notification
from tandem.relationships.models import Relationship, RelationshipEvent


def content(**overrides: Any) -> dict[str, Any]:
    """A complete agreement's editable fields (ready to sign)."""
    values: dict[str, Any] = {
        "goals_summary": "Lead my first team with confidence.",
        "cadence": "fortnightly",
        "channels": ["video", "in_person"],
        "duration_months": 6,
        "mentor_expectations": "Honest feedback within a week.",
        "mentee_expectations": "Bring the agenda to each meeting.",
        "boundaries": "No calls after 18:00.",
    }
    values.update(overrides)
    return values


def fill_in(
    relationship: Relationship, *, by: Any, version: int = 1, **overrides: Any
) -> Agreement:
    return agreement_update(
        actor=by, relationship_id=relationship.pk, version=version, **content(**overrides)
    )


def sign_by_both(relationship: Relationship, *, mentor: Any, mentee: Any) -> Agreement:
    """Fill the agreement in (if needed) and have both people sign its current version."""
    agreement = Agreement.objects.filter(relationship=relationship).first()
    if agreement is None or not agreement.goals_summary:
        agreement = fill_in(relationship, by=mentee, version=agreement.version if agreement else 1)
    agreement_sign(actor=mentor, relationship_id=relationship.pk, version=agreement.version)
    return agreement_sign(actor=mentee, relationship_id=relationship.pk, version=agreement.version)


def state() -> dict[str, list[dict[str, Any]]]:
    """Everything an agreement call could change, to compare before and after."""
    return {
        "templates": list(AgreementTemplate.objects.order_by("pk").values()),
        "agreements": list(Agreement.objects.order_by("pk").values()),
        "signatures": list(AgreementSignature.objects.order_by("pk").values()),
        "versions": list(AgreementVersion.objects.order_by("pk").values()),
        "events": list(RelationshipEvent.objects.order_by("pk").values()),
        "notifications": list(Notification.objects.order_by("pk").values()),
    }
