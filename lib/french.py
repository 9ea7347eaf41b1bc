"""French as people read it: the one sort key for names, and the elision of « de » before a vowel.

The sort key is stored on the rows it orders (`Organisation.sort_key`), so that SQLite and PostgreSQL
order alike without a collation either may lack; Python sorts with the same function."""

import re
import unicodedata

from django.utils import formats
from django.utils.dateformat import format as django_format

# « les Répits de Gaby » is filed under R, « L’Envolée » under E: a leading article is not read.
ARTICLE = re.compile(r"^(?:les|la|le|l['’])\s*", re.IGNORECASE)


def sort_key(text):
    """« Économie sociale » → "economie sociale", « les Répits de Gaby » → "repits de gaby"."""
    text = ARTICLE.sub("", (text or "").strip(), count=1)
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return folded.replace("œ", "oe").replace("Œ", "oe").casefold()


VOWEL_START = re.compile(r"^[aeiouyhâàäéèêëîïôöûùüœ]", re.IGNORECASE)
# Aspirated h: no elision (« de Habitat… » is rare; « de la Haute-… » has its article).
ASPIRATED = re.compile(r"^(?:haut|hameau|halte|hangar|hall)", re.IGNORECASE)


def of(name):
    """« de » before a name, elided before a vowel or a mute h: « d’Action-Logement », « de Vivre »."""
    name = str(name)
    if VOWEL_START.match(name) and not ASPIRATED.match(name):
        return f"d’{name}"
    return f"de {name}"


# A format's day of the month (`j`), not an escaped `\j`.
DAY = re.compile(r"(?<!\\)j")


def date(value, format_name="DATE_FORMAT"):
    """A date or time in a format of the format module (chantier/formats/), with « 1er » on the first day
    of a month: « 1er avril 2025 », « 1er avril 2025, 9 h 05 »."""
    if value in (None, ""):
        return ""
    pattern = formats.get_format(format_name) if format_name.isupper() else format_name
    if getattr(value, "day", None) == 1:
        pattern = DAY.sub(r"\\1\\e\\r", pattern)
    return django_format(value, pattern)
