# The directory's groups move from provisioning (where SCIM writes them) down to people, so a
# programme can take its people from them (docs/decisions/0012). The rows stay where they are:
# the models are handed over in the state, then their tables renamed.

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("people", "0002_peopleimport"),
        ("provisioning", "0002_hr_sync_run"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DirectoryGroup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("display_name", models.CharField(max_length=255)),
                        ("external_id", models.CharField(blank=True, max_length=255)),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="directory_groups",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["display_name", "pk"],
                        "db_table": "provisioning_scimgroup",
                    },
                ),
                migrations.CreateModel(
                    name="DirectoryGroupMember",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="people.directorygroup",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="group_memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "provisioning_scimgroupmember"},
                ),
                migrations.AddField(
                    model_name="directorygroup",
                    name="members",
                    field=models.ManyToManyField(
                        related_name="directory_groups",
                        through="people.DirectoryGroupMember",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddConstraint(
                    model_name="directorygroupmember",
                    constraint=models.UniqueConstraint(
                        fields=("group", "user"), name="scim_group_member_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="directorygroup",
                    constraint=models.UniqueConstraint(
                        models.F("organization"),
                        django.db.models.functions.text.Lower("display_name"),
                        name="scim_group_name_unique_in_org",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="directorygroup", table=None),
        migrations.AlterModelTable(name="directorygroupmember", table=None),
    ]
