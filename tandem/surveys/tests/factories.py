"""Helpers that build surveys and invitations the way the app does (through its services)."""

from typing import Any

from tandem.relationships.models import Relationship
from tandem.surveys.models import Survey, SurveyInvitation
from tandem.surveys.services import DueInvitation, invitations_ensure, surveys_add_defaults


def defaults_of(program_id: int) -> dict[str, Survey]:
    """The programme's shipped surveys by template key (added if missing)."""
    surveys_add_defaults(program_ids=[program_id])
    return {survey.template_key: survey for survey in Survey.objects.filter(program_id=program_id)}


def invite(
    survey: Survey, relationship: Relationship, user: Any, occasion: str = "test"
) -> SurveyInvitation:
    ids = invitations_ensure(due=[DueInvitation(survey.pk, relationship.pk, user.pk, occasion)])
    return SurveyInvitation.objects.get(pk=next(iter(ids.values())))


def simple_definition(**overrides: Any) -> dict[str, Any]:
    return {
        "intro": "",
        "questions": [
            {"key": "score", "type": "rating", "text": "How is it going?", "required": True},
            {"key": "fit", "type": "pairing_fit", "text": "Good fit?", "required": True},
            {"key": "note", "type": "text", "text": "Anything else?", "required": False},
        ],
        **overrides,
    }
