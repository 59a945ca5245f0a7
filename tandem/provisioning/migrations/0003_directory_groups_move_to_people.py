# The groups' models now belong to people (people 0003 took them over in the state and renamed
# their tables); provisioning forgets them without touching the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("provisioning", "0002_hr_sync_run"),
        ("people", "0003_directory_groups"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="scimgroup", name="members"),
                migrations.DeleteModel(name="ScimGroupMember"),
                migrations.DeleteModel(name="ScimGroup"),
            ],
            database_operations=[],
        ),
    ]
