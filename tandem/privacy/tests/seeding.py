"""A person's life in Tandem, seeded so each thing they wrote carries a marker: the tests then
look for the markers in an export (or, later, anywhere in the database)."""

import io
import json
import zipfile
from typing import Any

from django.core.files.storage import default_storage

from tandem.accounts.models import User
from tandem.assessments.services import assessment_submit
from tandem.assessments.tests.factories import all_scores
from tandem.conversations.services import message_post
from tandem.feedback.tests.factories import MenteeFeedbackFactory, MentorFeedbackFactory
from tandem.goals.tests.factories import GoalFactory
from tandem.journals.tests.factories import JournalEntryFactory
from tandem.notifications.tests.factories import NotificationFactory
from tandem.privacy.models import DataExport
from tandem.relationships.models import Relationship
from tandem.surveys.models import Survey
from tandem.surveys.services import response_submit
from tandem.surveys.tests.factories import invite

# What each seeded marker is, and the export section it must appear in for its writer.
PRIVATE = ("journal", "assessment", "survey")
SHARED = ("message", "goal", "feedback")
SECTION_OF = {
    "journal": "journal",
    "assessment": "assessment_ratings",
    "survey": "survey_answers",
    "message": "messages_sent",
    "feedback": "feedback_given",
    "notification": "notifications",
}


def marker(user: User, what: str) -> str:
    return f"{what}-of-{user.email.split('@')[0]}-zq"


def seed_person(*, relationship: Relationship, user: User, survey: Survey) -> None:
    """Everything `user` writes in `relationship`, each text carrying its marker."""
    JournalEntryFactory(author=user, relationship=relationship, text=marker(user, "journal"))
    message_post(actor=user, relationship_id=relationship.pk, body=marker(user, "message"))
    if relationship.mentor.user_id == user.pk:
        MentorFeedbackFactory(relationship=relationship, strengths=marker(user, "feedback"))
    else:
        MenteeFeedbackFactory(relationship=relationship, what_helped=marker(user, "feedback"))
    GoalFactory(relationship=relationship, created_by=user, title=marker(user, "goal"))
    NotificationFactory(user=user, title=marker(user, "notification"))
    assessment_submit(
        actor=user,
        relationship_id=relationship.pk,
        moment="start",
        ratings=all_scores(relationship, 4),
        notes=dict.fromkeys(all_scores(relationship), marker(user, "assessment")),
    )
    invitation = invite(survey, relationship, user)
    response_submit(
        actor=user,
        invitation_id=invitation.pk,
        answers={"score": 4, "fit": "good_fit", "note": marker(user, "survey")},
    )


def archive_of(export: DataExport) -> dict[str, Any]:
    """The export's zip: every file by name, JSON parsed, the rest as text."""
    export.refresh_from_db()
    with default_storage.open(export.file_name, "rb") as stored:
        content = stored.read()
    files: dict[str, Any] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode()
            files[name] = json.loads(text) if name.endswith(".json") else text
    return files
