"""Create the database cache table with the schema, so `migrate` alone prepares a database.

Without Redis, the cache (and with it the sign-in throttle) lives in a table that Django only
creates through `createcachetable`; a deploy that forgot it would fail every sign-in.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
