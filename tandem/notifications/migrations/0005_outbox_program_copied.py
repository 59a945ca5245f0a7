"""The outbox stops pointing at programs (which sits above notifications): the row keeps the
programme's id as a plain number (the same column, so nothing is rewritten) and gains the name
and colour its email is dressed in, copied when the row is written. Rows still to be sent get
them from their programme here; sent and skipped rows are never rendered again."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

_UNSENT = ["pending", "sending", "failed"]


def copy_programme_look(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    Program = apps.get_model("programs", "Program")
    programme = Program.objects.filter(pk=OuterRef("program_id"))
    OutboxMessage.objects.filter(status__in=_UNSENT, program_id__isnull=False).update(
        program_name=Coalesce(Subquery(programme.values("name")[:1]), Value("")),
        program_colour=Coalesce(Subquery(programme.values("colour")[:1]), Value("")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_outbox_program_plain_link"),
        ("programs", "0003_program_colour"),
    ]

    operations = [
        # The foreign key had no database constraint and no index: its column `program_id`
        # (bigint, null) is already what the plain field describes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="outboxmessage", name="program"),
                migrations.AddField(
                    model_name="outboxmessage",
                    name="program_id",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="program_name",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="program_colour",
            field=models.CharField(blank=True, default="", max_length=7),
        ),
        migrations.RunPython(copy_programme_look, migrations.RunPython.noop),
    ]
