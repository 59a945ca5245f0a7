"""Encrypt the journal's mood and tags at rest, like its text.

Reversible: forwards turns each column into plain text, encrypts every row with the first key
of JOURNAL_ENCRYPTION_KEYS, then declares the encrypted fields; backwards decrypts every row
(with any configured key) and restores the CharField, the JSONField and the mood's CHECK.
The mood's CHECK constraint cannot stay: a database cannot check a ciphertext, so the
service (`_clean_mood`) is where a mood is validated from now on.
"""

import json

from django.db import migrations, models

import tandem.core.encryption

MOODS = [
    ("great", "Great"),
    ("good", "Good"),
    ("okay", "Okay"),
    ("low", "Low"),
    ("stuck", "Stuck"),
]
BATCH = 500


def _rewrite(apps, convert) -> None:
    JournalEntry = apps.get_model("journals", "JournalEntry")
    ids = list(JournalEntry.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(
            JournalEntry.objects.filter(pk__in=ids[start : start + BATCH]).only(
                "pk", "mood", "tags"
            )
        )
        for entry in batch:
            entry.mood, entry.tags = convert(entry.mood or "", entry.tags or "[]")
        JournalEntry.objects.bulk_update(batch, ["mood", "tags"])


def encrypt_rows(apps, schema_editor) -> None:
    encrypt = tandem.core.encryption.encrypt_text
    # The same compact JSON the encrypted field writes.
    _rewrite(
        apps,
        lambda mood, tags: (
            encrypt(mood),
            encrypt(json.dumps(json.loads(tags), ensure_ascii=False, separators=(",", ":"))),
        ),
    )


def decrypt_rows(apps, schema_editor) -> None:
    decrypt = tandem.core.encryption.decrypt_text
    _rewrite(apps, lambda mood, tags: (decrypt(mood), decrypt(tags)))


class Migration(migrations.Migration):
    dependencies = [("journals", "0002_journal_entry_meeting")]

    operations = [
        migrations.RemoveConstraint(model_name="journalentry", name="journal_mood_valid"),
        # Plain text first, so the rows can be rewritten through a plain historical model.
        migrations.AlterField(
            model_name="journalentry",
            name="mood",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="tags",
            field=models.TextField(blank=True, default="[]"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AlterField(
            model_name="journalentry",
            name="mood",
            field=tandem.core.encryption.EncryptedTextField(blank=True, choices=MOODS, default=""),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="tags",
            field=tandem.core.encryption.EncryptedJSONField(blank=True, default=list),
        ),
    ]
