"""PostgreSQL's unaccent, which the search folds texts with (lib/search.py); nothing on SQLite."""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []

    operations = [UnaccentExtension()]
