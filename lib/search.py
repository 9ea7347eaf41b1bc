"""Searching text as people type it: without minding capitals, accents or the kind of apostrophe
(« ecole » finds « École », « l'habitation » finds « l’habitation »), on PostgreSQL and SQLite alike.

What the person typed is folded in Python (`fold`), the text searched in SQL (`Folded`): on PostgreSQL by
its `unaccent` extension (created by recherche's first migration) after `lower`; on SQLite by `fold`
itself, which `register_fold` gives each connection as an SQL function (SQLite's own LOWER() only lowers
ASCII letters and it has no unaccent)."""

import unicodedata

from django.db.models import CharField, Func

SQLITE_FUNCTION = "chantier_fold"
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}


def fold(text):
    """Lower case, no accents, one kind of apostrophe, single spaces."""
    text = text.lower().translate(APOSTROPHES)
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


class Folded(Func):
    """A text column as `fold` would write it (SQL)."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="unaccent(lower(%(expressions)s))", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)


def register_fold(sender, connection, **kwargs):
    """`connection_created` receiver: SQLite connections learn `fold`."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_FUNCTION, 1, lambda text: None if text is None else fold(text), deterministic=True
        )
