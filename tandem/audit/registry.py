"""Which models django-auditlog watches, and how each row names its organisation.

Each app registers its own administrative models from its `AppConfig.ready` with
`audit_model`, so this low app never imports a higher one. Registration is an allow-list:
`fields` names every column whose change is recorded; nothing else of the row is stored (no
serialized copy). A model holding private content (journal, messages, survey answers,
feedback, meeting notes, assessment notes) is never registered: `PRIVATE_MODELS` lists them and
`audit_model` refuses them, and a test walks auditlog's registry to check it.
"""

from collections.abc import Callable, Sequence
from typing import Any

from auditlog.registry import auditlog
from django.db import models

from tandem.core.encryption import EncryptedJSONField, EncryptedTextField

# Models whose rows hold someone's private words. Never registered, whatever their fields.
PRIVATE_MODELS = frozenset(
    {
        "journals.journalentry",
        "conversations.message",
        "conversations.messageread",
        "surveys.surveyresponse",
        "surveys.surveyanswer",
        "feedback.feedback",
        "meetings.meeting",
        "meetings.agendaitem",
        "meetings.checkin",
        "assessments.selfassessment",
        "assessments.rating",
        "health.healthnote",
        "goals.goal",
        "goals.milestone",
        "goals.goalcomment",
        "goals.goalchange",
        "agreements.agreement",
        "agreements.agreementversion",
        "actions.actionitem",
        "people.profile",
    }
)

# A model's row -> the id of the organisation it belongs to (None: no organisation).
OrganizationOf = Callable[[Any], int | None]
_ORGANIZATION_OF: dict[str, OrganizationOf] = {}


class PrivateModelError(ValueError):
    """Raised when a model holding private content is offered to the audit trail."""


def audit_model(
    model: type[models.Model], *, fields: Sequence[str], organization: OrganizationOf
) -> None:
    """Record creation, deletion and the changes of `fields` of `model` in the audit trail."""
    label = model._meta.label_lower
    if label in PRIVATE_MODELS:
        raise PrivateModelError(f"{label} holds private content and is never audited.")
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, EncryptedTextField | EncryptedJSONField):
            raise PrivateModelError(f"{label}.{name} is private (encrypted) and never audited.")
    auditlog.register(model, include_fields=list(fields), serialize_data=False)
    _ORGANIZATION_OF[label] = organization


def organization_of(instance: models.Model) -> int | None:
    """The organisation a registered model's row belongs to (None if it names none)."""
    finder = _ORGANIZATION_OF.get(instance._meta.label_lower)
    return finder(instance) if finder is not None else None


def registered_models() -> list[type[models.Model]]:
    return list(auditlog.get_models())
