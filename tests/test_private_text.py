"""Private text is ciphertext in the database: journal text, mood and tags, self-assessment
notes. Read straight from the columns for a generated family of values; the migrations that
encrypt existing rows, forwards and back; key rotation over every encrypted column."""

import base64
import json
import string

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.assessments.models import Rating, SelfAssessment
from tandem.assessments.services import assessment_submit
from tandem.assessments.tests.factories import all_scores
from tandem.core.encryption import decrypt_text, encrypt_text, encrypted_columns
from tandem.journals import services as journal_services
from tandem.journals.models import JournalEntry, JournalMood

TOKEN_ALPHABET = set(string.ascii_letters + string.digits + "-_=")
DB_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# What people type: any printable text, in any script (no NUL, which PostgreSQL refuses).
typed = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60
).filter(lambda value: value.strip())


def _raw(sql: str, params: list[object]) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _is_token_of(raw: str, plain: str) -> bool:
    """`raw` is a Fernet token (base64 only, so no typed text can show through) that decrypts
    to `plain`."""
    return (
        set(raw) <= TOKEN_ALPHABET
        and base64.urlsafe_b64decode(raw)[0] == 0x80
        and decrypt_text(raw) == plain
    )


@DB_SETTINGS
@given(
    text=typed,
    mood=st.sampled_from(["", *JournalMood.values]),
    # Cut after the service's own normalisation: lower-casing can lengthen a tag ("İ" -> "i̇").
    tags=st.lists(typed.filter(lambda tag: len(" ".join(tag.split()).lower()) <= 30), max_size=10),
)
def test_journal_text_mood_and_tags_are_ciphertext_in_the_database(pair, text, mood, tags):
    # given an entry written through the service
    entry = journal_services.journal_entry_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        text=text,
        mood=mood,
        tags=tags,
    )
    # when the columns are read raw
    raw_text, raw_mood, raw_tags = _raw(
        "SELECT text, mood, tags FROM journals_journalentry WHERE id = %s", [entry.pk]
    )
    # then each is a token of the value, never the value
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert stored.text == text.strip()
    assert stored.mood == mood
    assert stored.tags == journal_services.clean_tags(tags)
    assert _is_token_of(raw_text, stored.text)
    assert _is_token_of(raw_mood, mood)
    assert json.loads(decrypt_text(raw_tags)) == stored.tags
    assert set(raw_tags) <= TOKEN_ALPHABET
    # and every mood encrypts to the same length, so the length says nothing either
    assert len(raw_mood) == len(encrypt_text("stuck"))


@DB_SETTINGS
@given(notes=st.lists(typed.map(lambda note: note[:280]), min_size=6, max_size=6))
def test_self_assessment_notes_are_ciphertext_in_the_database(pair, notes):
    # given a self-assessment with a note on each competency
    SelfAssessment.objects.all().delete()
    scores = all_scores(pair.relationship, 4)
    assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=scores,
        notes=dict(zip(scores, notes, strict=True)),
    )
    # when every note column is read raw
    for rating in Rating.objects.all():
        (raw_note,) = _raw("SELECT note FROM assessments_rating WHERE id = %s", [rating.pk])
        # then it is a token of the note, never the note
        assert _is_token_of(raw_note, rating.note)
    assert sorted(r.note for r in Rating.objects.all()) == sorted(n.strip() for n in notes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        lambda: JournalEntry.objects.filter(mood="low"),
        lambda: JournalEntry.objects.filter(tags__contains="x"),
        lambda: JournalEntry.objects.filter(text__icontains="x"),
        lambda: Rating.objects.filter(note=""),
    ],
)
def test_an_encrypted_column_refuses_sql_comparison(query):
    # a comparison of ciphertexts would silently match nothing: it is an error instead
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(query())


def test_every_encrypted_column_is_known():
    assert {(model._meta.label, tuple(names)) for model, names in encrypted_columns()} == {
        ("journals.JournalEntry", ("text", "mood", "tags")),
        ("assessments.Rating", ("note",)),
        ("surveys.SurveyAnswer", ("text",)),
        ("webhooks.WebhookEndpoint", ("secret", "previous_secret")),
        ("sso.IdentityProvider", ("client_secret", "sp_private_key")),
        ("notifications.ChannelSettings", ("slack_bot_token",)),
        ("notifications.ChatAddress", ("teams_webhook_url",)),
    }


def test_key_rotation_rewrites_every_encrypted_column(pair, settings):
    # given private text written with key A
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.JOURNAL_ENCRYPTION_KEYS = [key_a]
    entry = journal_services.journal_entry_create(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        text="rotating text",
        mood="stuck",
        tags=["rotating-tag"],
    )
    scores = all_scores(pair.relationship, 2)
    assessment_submit(
        actor=pair.mentee,
        relationship_id=pair.relationship.pk,
        moment="start",
        ratings=scores,
        notes=dict.fromkeys(scores, "rotating note"),
    )
    # when B is put first and every column re-encrypted
    settings.JOURNAL_ENCRYPTION_KEYS = [key_b, key_a]
    call_command("reencrypt_private_text", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then B alone reads every column
    settings.JOURNAL_ENCRYPTION_KEYS = [key_b]
    raw = _raw("SELECT text, mood, tags FROM journals_journalentry WHERE id = %s", [entry.pk])
    assert [Fernet(key_b).decrypt(value.encode()).decode() for value in raw] == [
        "rotating text",
        "stuck",
        '["rotating-tag"]',
    ]
    notes = [r.note for r in Rating.objects.all()]
    assert notes == ["rotating note"] * 6


# --- the migrations that encrypt rows already there ------------------------------------------

BEFORE = [("journals", "0002_journal_entry_meeting"), ("assessments", "0002_builtin_competencies")]
AFTER = [("journals", "0003_encrypt_mood_and_tags"), ("assessments", "0003_encrypt_rating_notes")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_rows_and_decrypt_them_back(pair):
    # given rows written in clear before the migrations
    old = _migrate(BEFORE)
    OldEntry = old.get_model("journals", "JournalEntry")
    OldAssessment = old.get_model("assessments", "SelfAssessment")
    OldRating = old.get_model("assessments", "Rating")
    entry = OldEntry.objects.create(
        author_id=pair.mentee.pk,
        relationship_id=pair.relationship.pk,
        text="old text",
        mood="low",
        tags=["old-tag", "ünïcode tag"],
    )
    assessment = OldAssessment.objects.create(
        relationship_id=pair.relationship.pk,
        user_id=pair.mentee.pk,
        moment="start",
        submitted_at=pair.relationship.created_at,
    )
    # A programme's own competency: the built-ins come from a data migration that an earlier
    # transactional test's flush may have emptied, so the test must not rely on them.
    competency_id = (
        old.get_model("assessments", "Competency")
        .objects.create(
            organization_id=pair.cast.org.pk,
            program_id=pair.relationship.program_id,
            key="migration-check",
            name="Migration check",
            description="A competency this test owns.",
        )
        .pk
    )
    rating = OldRating.objects.create(
        assessment_id=assessment.pk, competency_id=competency_id, score=3, note="old note"
    )
    try:
        # when migrated forwards
        _migrate(AFTER)
        # then the columns hold tokens, and the models read the values
        raw_mood, raw_tags = _raw(
            "SELECT mood, tags FROM journals_journalentry WHERE id = %s", [entry.pk]
        )
        (raw_note,) = _raw("SELECT note FROM assessments_rating WHERE id = %s", [rating.pk])
        assert _is_token_of(raw_mood, "low")
        assert _is_token_of(raw_tags, '["old-tag","ünïcode tag"]')
        assert _is_token_of(raw_note, "old note")
        stored = JournalEntry.objects.get(pk=entry.pk)
        assert (stored.text, stored.mood, stored.tags) == (
            "old text",
            "low",
            ["old-tag", "ünïcode tag"],
        )
        assert Rating.objects.get(pk=rating.pk).note == "old note"
        # when migrated backwards
        old = _migrate(BEFORE)
        # then the clear values are back, as the old fields read them
        back = old.get_model("journals", "JournalEntry").objects.get(pk=entry.pk)
        assert (back.mood, back.tags) == ("low", ["old-tag", "ünïcode tag"])
        assert old.get_model("assessments", "Rating").objects.get(pk=rating.pk).note == "old note"
        raw_mood, _ = _raw("SELECT mood, tags FROM journals_journalentry WHERE id = %s", [entry.pk])
        assert raw_mood == "low"
    finally:
        _migrate(AFTER)
