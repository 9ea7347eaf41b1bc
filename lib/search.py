"""Searching text as people type it: without minding capitals, accents or the kind of apostrophe
(« ecole » finds « École », « l'habitation » finds « l’habitation »), the same on PostgreSQL and SQLite.

The same table folds both sides: the text searched, in SQL (`folded`), and what the person typed, in Python
(`fold`). SQLite's LOWER() only lowers ASCII letters, so capital accented letters are in the table too."""

from django.db.models import CharField, Value
from django.db.models.functions import Lower, Replace

FOLDS = {
    **dict.fromkeys("àâäáã", "a"), **dict.fromkeys("ÀÂÄÁÃ", "a"),
    **dict.fromkeys("éèêë", "e"), **dict.fromkeys("ÉÈÊË", "e"),
    **dict.fromkeys("îïí", "i"), **dict.fromkeys("ÎÏÍ", "i"),
    **dict.fromkeys("ôöó", "o"), **dict.fromkeys("ÔÖÓ", "o"),
    **dict.fromkeys("ùûüú", "u"), **dict.fromkeys("ÙÛÜÚ", "u"),
    "ç": "c", "Ç": "c", "ÿ": "y", "ñ": "n", "Ñ": "n",
    "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae",
    "’": "'", "‘": "'", "\u00a0": " ", "\u202f": " ",
}
TABLE = str.maketrans(FOLDS)


def fold(text):
    """What a person typed, as `folded` compares it."""
    return " ".join(text.lower().translate(TABLE).split())


def folded(expression):
    """A text column without capitals, accents or curly apostrophes (SQL)."""
    for character, replacement in FOLDS.items():
        expression = Replace(expression, Value(character), Value(replacement), output_field=CharField())
    return Lower(expression)
