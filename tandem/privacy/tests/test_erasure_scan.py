"""The acceptance test of erasure (GDPR article 17): a person seeded into every model that can
hold their data, erased, then the whole database dumped as text (SQLite and PostgreSQL) and
searched for their name, email, address and private words. What the partner also owns stays,
readable by the partner, written by "Former member"."""

import datetime
import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import format_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.accounts.models import ApiToken, Invitation, User
from tandem.actions.tests.factories import ActionItemFactory
from tandem.analytics.models import MonthlyReport
from tandem.audit import events
from tandem.audit.services import audit_record
from tandem.conversations.models import Message
from tandem.core.personal_data import html_forms
from tandem.goals.models import Goal, GoalComment
from tandem.journals.models import JournalEntry
from tandem.meetings.models import AgendaItem, CalendarFeedToken, CheckIn, Meeting
from tandem.notifications.models import (
    ChatAddress,
    NotificationCategory,
    NotificationPreference,
    OutboxMessage,
    PushSubscription,
    QuietHours,
)
from tandem.notifications.services import outbox_enqueue
from tandem.outcomes.models import EmploymentRecord
from tandem.participants.models import Answer, Participant
from tandem.people.models import DirectoryGroup, DirectoryGroupMember, Profile
from tandem.privacy.models import DataExport, ErasureRequest, ErasureStatus
from tandem.privacy.services import (
    data_export_request,
    erasure_execute,
    erasure_request,
    erasures_execute,
)
from tandem.privacy.tests.seeding import PRIVATE, SHARED, marker, seed_person
from tandem.programs.models import QuestionKind
from tandem.programs.tests.factories import EnrollmentQuestionFactory
from tandem.provisioning.models import ScimIdentity
from tandem.surveys.models import SurveyAnswer, Trigger
from tandem.surveys.services import survey_create
from tandem.surveys.tests.factories import simple_definition
from tandem.webhooks.models import WebhookDelivery
from tandem.webhooks.tests.factories import endpoint_for

FIRST, LAST = "Quillon", "Zephyrwick"
EMAIL = "quillon.zephyrwick@northwind.test"
ADDRESS = "203.0.113.77"


def private(what: str) -> str:
    return f"private-{what}-vx9"


def shared(what: str) -> str:
    return f"shared-{what}-vx9"


def _seed_everything(
    pair, django_capture_on_commit_callbacks, first: str = FIRST, last: str = LAST
) -> User:
    """The mentee, renamed distinctively, with a row in every model that can hold their data:
    their private words each carry a `private(...)` marker, what the partner shares a
    `shared(...)` one."""
    person = pair.mentee
    User.objects.filter(pk=person.pk).update(first_name=first, last_name=last, email=EMAIL)
    person.refresh_from_db()
    survey = survey_create(
        actor=pair.cast.manager,
        program_id=pair.cast.program.pk,
        title="How is it going",
        trigger=Trigger.AFTER_MATCH,
        offset_days=10,
        definition=simple_definition(),
    )
    for relationship, people in (
        (pair.relationship, (pair.mentor, person)),
        (pair.other_relationship, (pair.other_mentor, pair.other_mentee)),
    ):
        for user in people:
            seed_person(relationship=relationship, user=user, survey=survey)
    relationship = pair.relationship
    now = timezone.now()
    Profile.objects.update_or_create(
        user=person,
        defaults={
            "job_title": private("job-title"),
            "department": private("department"),
            "location": private("location"),
            "bio": private("bio"),
            "goals": private("profile-goals"),
            "availability": private("availability"),
            "languages": [private("language")],
        },
    )
    participant = Participant.objects.get(user=person, program=pair.cast.program)
    Participant.objects.filter(pk=participant.pk).update(
        motivation=private("motivation"), decision_note=private("decision-note")
    )
    question = EnrollmentQuestionFactory(program=pair.cast.program, kind=QuestionKind.TEXT)
    Answer.objects.create(participant=participant, question=question, value=private("enrolment"))
    meeting = Meeting.objects.create(
        relationship=relationship,
        title="First chat",
        starts_at=now,
        timezone="UTC",
        notes=shared("meeting-notes"),
        notes_updated_by=person,
        created_by=person,
    )
    AgendaItem.objects.create(meeting=meeting, text=shared("agenda"), order=1, added_by=person)
    CheckIn.objects.create(
        meeting=meeting, user=person, usefulness=4, practise_next=private("checkin")
    )
    CalendarFeedToken.objects.create(user=person, token_hash=private("feed"), created_at=now)
    ActionItemFactory(relationship=relationship, owner=person, title=shared("action"))
    goal = Goal.objects.filter(relationship=relationship).first()
    GoalComment.objects.create(goal=goal, author=person, body=shared("goal-comment"))
    ApiToken.objects.create(user=person, name=private("token"), prefix="vx9", digest="d" * 64)
    PushSubscription.objects.create(
        user=person, endpoint=f"https://push.example/{private('push')}", p256dh="k", auth="a"
    )
    NotificationPreference.objects.create(user=person, category="privacy", channel="email")
    ChatAddress.objects.create(
        user=person,
        slack_user_id=private("slack"),
        teams_webhook_url=f"https://prod.example/workflows/{private('teams')}",
    )
    group = DirectoryGroup.objects.create(organization=pair.cast.org, display_name="Pilot")
    DirectoryGroupMember.objects.create(group=group, user=person)
    QuietHours.objects.create(user=person, start=datetime.time(22), end=datetime.time(7))
    ScimIdentity.objects.create(
        user=person, organization=pair.cast.org, user_name=EMAIL, external_id=private("scim")
    )
    EmploymentRecord.objects.create(
        organization=pair.cast.org, user=person, hired_on=now.date(), employee_id=private("emp")
    )
    Invitation.objects.create(organization=pair.cast.org, email=EMAIL, invited_by=pair.cast.admin)
    MonthlyReport.objects.create(recipient=person, month=now.date().replace(day=1))
    audit_record(
        actor=person,
        event=events.SIGN_IN_SUCCEEDED,
        organization_id=pair.cast.org.pk,
        target=person,
        address=ADDRESS,
    )
    # an HTML email names them to their partner, escaped as a template writes it (a monthly
    # report's table would): O'Brien as O&#x27;Brien, & as &amp;
    outbox_enqueue(
        key=f"scan:html:{person.pk}",
        rule="scan",
        recipient=pair.mentor,
        category=NotificationCategory.RELATIONSHIP,
        subject=f"News from {person.display_name}",
        text=f"{person.display_name} ({person.full_name}) wrote to you.",
        html=str(
            format_html(
                '<p>{} ({}) wrote to you.</p><p title="{}">{}</p>',
                person.display_name,
                person.full_name,
                person.full_name,
                person.email,
            )
        ),
    )
    # the organisation's systems listen: the erasure's deactivation is told to them by email
    endpoint_for(pair.cast.admin, "https://hooks.example.com/tandem", ["person.deactivated"])
    with django_capture_on_commit_callbacks(execute=True):
        data_export_request(actor=person, subject_id=person.pk)
    return person


def _database_as_text() -> str:
    """Every row of every table as text: SQLite's dump, or each PostgreSQL table cast to text
    (no pg_dump needed)."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT t::text FROM {connection.ops.quote_name(table)} t")  # noqa: S608
            lines.extend(row[0] for row in cursor.fetchall())
    return "\n".join(lines)


def _encrypted_text() -> str:
    """Every encrypted column of every model, decrypted: the dump sees only ciphertext."""
    values = []
    for model in apps.get_models():
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if "Encrypted" in type(field).__name__
        ]
        if fields:
            values.extend(str(row) for row in model._default_manager.values_list(*fields))
    return "\n".join(values)


def stored_forms(text: str) -> set[str]:
    """Every way the database dump may hold `text`: as typed, HTML-escaped (`html_forms`), as a
    JSON string, each of those inside an SQL literal (SQLite's dump doubles ') or a
    PostgreSQL row (which doubles " and backslashes)."""
    forms = set(html_forms([text]))
    forms |= {json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    return {
        quoted.lower()
        for form in forms
        for quoted in (
            form,
            form.replace("'", "''"),
            form.replace("\\", "\\\\").replace('"', '""'),
        )
    }


@pytest.fixture
def erased(pair, django_capture_on_commit_callbacks):
    person = _seed_everything(pair, django_capture_on_commit_callbacks)
    export_file = DataExport.objects.get(subject=person).file_name
    assert default_storage.exists(export_file)
    request = erasure_request(actor=person, person_id=person.pk, reason=private("reason"))
    # not before its date
    assert erasures_execute(now=request.due_at - timedelta(seconds=1)) == 0
    assert erasures_execute(now=request.due_at) == 1
    return person, request, export_file


def test_nothing_of_the_person_is_left_in_the_whole_database(erased):
    person, request, export_file = erased
    # given the person erased, when the whole database is read as text (and decrypted)
    dump = _database_as_text()
    decrypted = _encrypted_text()
    # less the words they wrote that the partner keeps (the seeded markers hold part of their
    # email): those are asserted readable by the partner elsewhere
    for kept in SHARED:
        dump = dump.replace(marker(person, kept), "")
    # then their name, email, address and every private word are gone
    needles = [EMAIL, f"{FIRST} {LAST}", LAST, ADDRESS]
    needles += [marker(person, what) for what in PRIVATE] + [marker(person, "notification")]
    for needle in needles:
        for form in stored_forms(needle):
            assert form not in dump.lower(), form
            assert form not in decrypted.lower(), form
    # and no private(...) marker at all, whatever row a later change seeds it into
    left = re.findall(private(r"[\w-]+?"), dump + "\n" + decrypted)
    assert left == [], left
    # the organisation's systems were told, by id and the erased address
    [told] = WebhookDelivery.objects.filter(event_type="person.deactivated")
    assert f'"id": {person.pk}' in told.body or f'"id":{person.pk}' in told.body
    assert f"erased-{person.pk}@invalid" in told.body
    # the journal (encrypted at rest) is deleted, not just unreadable
    assert JournalEntry.objects.filter(author=person).count() == 0
    # their export archive is gone from storage too
    assert not default_storage.exists(export_file)
    # and the request says it is done, with counts only
    request.refresh_from_db()
    assert request.status == ErasureStatus.DONE
    assert request.report["deleted"]["journals.JournalEntry"] == 1
    assert request.report["pseudonymised"]["accounts.User"] == 1


def test_what_the_partner_owns_stays_readable_by_the_partner(erased, pair, api_as):
    person, _, _ = erased
    # when the partner reads their conversation
    response = api_as(pair.mentor).get(f"/api/v1/relationships/{pair.relationship.pk}/messages")
    # then the erased person's messages are there, written by a former member
    assert response.status_code == 200
    theirs = [item for item in response.json()["items"] if item["author_id"] == person.pk]
    assert [item["body"] for item in theirs] == [marker(person, "message")]
    assert theirs[0]["author_name"] == "Former member"
    # and the shared meeting notes, agenda, goal and its comment are kept
    assert Meeting.objects.get(relationship=pair.relationship).notes == shared("meeting-notes")
    assert AgendaItem.objects.filter(text=shared("agenda")).exists()
    assert GoalComment.objects.filter(author=person, body=shared("goal-comment")).exists()
    assert Message.objects.filter(author=person).count() == 1


def test_aggregates_keep_their_counts(erased, pair):
    person, _, _ = erased
    # the survey answers stay (without words), the check-in score and the place too
    answers = SurveyAnswer.objects.filter(response__invitation__user=person)
    assert answers.count() == 3
    assert set(answers.values_list("text", flat=True)) == {""}
    assert CheckIn.objects.get(user=person).usefulness == 4
    assert Participant.objects.filter(user=person).count() == 1
    assert EmploymentRecord.objects.filter(user=person).count() == 1


def test_the_account_names_nobody_and_cannot_sign_in(erased):
    person, _, _ = erased
    person.refresh_from_db()
    assert person.display_name == "Former member"
    assert person.email == f"erased-{person.pk}@invalid"
    assert not person.is_active
    assert not person.has_usable_password()
    # and nothing that let them in, or reach them, is left
    for model in (ApiToken, PushSubscription, CalendarFeedToken, ScimIdentity):
        assert not model.objects.filter(user=person).exists(), model
    assert not MonthlyReport.objects.filter(recipient=person).exists()
    assert not NotificationPreference.objects.filter(user=person).exists()
    assert not QuietHours.objects.filter(user=person).exists()


def test_an_erasure_runs_exactly_once(erased):
    _, request, _ = erased
    # when the job (or a second worker) runs again
    again = erasure_execute(erasure_id=request.pk, now=request.due_at + timedelta(days=1))
    # then nothing happens
    assert again is None
    assert ErasureRequest.objects.filter(status=ErasureStatus.DONE).count() == 1


# Name fragments with the characters HTML, SQL and JSON each write differently.
NAME_PART = st.text(alphabet="'&<>\"é-", min_size=1, max_size=5)


@settings(
    max_examples=4,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=NAME_PART, last=NAME_PART)
def test_a_name_of_any_characters_is_found_in_no_form_after_erasure(
    pair, django_capture_on_commit_callbacks, first, last
):
    # each example in its own rolled-back transaction: the pair is the same for every one
    with transaction.atomic():
        try:
            # given the person, named with quotes, ampersands and angle brackets, seeded
            # everywhere (an HTML email to their partner names them, escaped)
            person = _seed_everything(
                pair, django_capture_on_commit_callbacks, f"Quillon{first}", f"Zephyrwick{last}"
            )
            names = {person.display_name, person.full_name}
            request = erasure_request(actor=person, person_id=person.pk)
            # when they are erased
            assert erasures_execute(now=request.due_at) == 1
            # then no form of their name is left anywhere: as typed, escaped or quoted
            text = (_database_as_text() + "\n" + _encrypted_text()).lower()
            for name in names:
                for form in stored_forms(name):
                    assert form not in text, (name, form)
            # and the partner's HTML email is kept, naming a former member
            kept = OutboxMessage.objects.get(key=f"scan:html:{person.pk}")
            assert kept.html_body.startswith("<p>Former member (Former member) wrote to you.")
        finally:
            transaction.set_rollback(True)
