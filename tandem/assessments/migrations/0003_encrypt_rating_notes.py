"""Encrypt self-assessment notes at rest (what a person notes about themselves is private).

Reversible: forwards turns the column into plain text, encrypts every row with the first key
of JOURNAL_ENCRYPTION_KEYS, then declares the encrypted field; backwards decrypts every row
(with any configured key) and restores the CharField (the service kept notes within 280
characters, so they fit again).
"""

from django.db import migrations, models

import tandem.core.encryption

BATCH = 500


def _rewrite(apps, convert) -> None:
    Rating = apps.get_model("assessments", "Rating")
    ids = list(Rating.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(
            Rating.objects.filter(pk__in=ids[start : start + BATCH])
            .order_by("pk")
            .only("pk", "note")
        )
        for rating in batch:
            rating.note = convert(rating.note or "")
        Rating.objects.bulk_update(batch, ["note"])


def encrypt_rows(apps, schema_editor) -> None:
    _rewrite(apps, tandem.core.encryption.encrypt_text)


def decrypt_rows(apps, schema_editor) -> None:
    _rewrite(apps, tandem.core.encryption.decrypt_text)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_builtin_competencies")]

    operations = [
        # Plain text first, so the rows can be rewritten through a plain historical model.
        migrations.AlterField(
            model_name="rating",
            name="note",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AlterField(
            model_name="rating",
            name="note",
            field=tandem.core.encryption.EncryptedTextField(blank=True, default=""),
        ),
    ]
