"""The table of the shared cache (settings' CACHES, a DatabaseCache), where password reset emails are counted:
created by `migrate`, so that no deployment step can forget it (Django's test runner creates it too, and
`createcachetable` leaves an existing table alone). A host who names another table in CACHES later runs
`manage.py createcachetable` once."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_erasures_of_personal_information")]

    # Nothing to undo: the table holds only counts that expire within the hour.
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
