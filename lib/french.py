"""French as people read it: the one sort key for names, the elision of « de » before a vowel, dates
with « 1er » and « 50 % ». Under English (the language switch, a plan in English) the same functions give
English: « of Action-Logement », Django's English dates, « 50% ».

The sort key is stored on the rows it orders (`Organisation.sort_key`), so that SQLite and PostgreSQL
order alike without a collation either may lack; Python sorts with the same function."""

import re
import unicodedata

from django.conf import settings
from django.utils import formats, translation
from django.utils.dateformat import format as django_format

# « les Répits de Gaby » is filed under R, « L’Envolée » under E: a leading article is not read.
ARTICLE = re.compile(r"^(?:les|la|le|l['’])\s*", re.IGNORECASE)


def sort_key(text):
    """« Économie sociale » → "economie sociale", « les Répits de Gaby » → "repits de gaby"."""
    text = ARTICLE.sub("", (text or "").strip(), count=1)
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return folded.replace("œ", "oe").replace("Œ", "oe").casefold()


VOWEL_START = re.compile(r"^[aeiouyhâàäéèêëîïôöûùüœ]", re.IGNORECASE)
# Aspirated h: no elision (« de Habitat… » is rare; « de la Haute-… » has its article).
ASPIRATED = re.compile(r"^(?:haut|hameau|halte|hangar|hall)", re.IGNORECASE)


def in_french():
    """Whether the active language is French (fr-CA): the typography below follows it."""
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("fr")


def of(name):
    """« de » before a name, elided before a vowel or a mute h: « d’Action-Logement », « de Vivre ». In
    English « of Action-Logement »: the sentences that use it (« Feuille de suivi %(of_name)s ») read
    « Tracking sheet of Action-Logement »."""
    name = str(name)
    if not in_french():
        return f"of {name}"
    if VOWEL_START.match(name) and not ASPIRATED.match(name):
        return f"d’{name}"
    return f"de {name}"


def named_format(name):
    """A format of the active language's format module: Django's (DATE_FORMAT…) or Chantier's own
    (WEEKDAY_DATE_FORMAT, in chantier/formats/), which Django's get_format does not know; else the name
    itself is the pattern."""
    if name in formats.FORMAT_SETTINGS:
        return formats.get_format(name)
    for module in formats.get_format_modules():
        if hasattr(module, name):
            return getattr(module, name)
    return name  # a pattern in capitals (« Y »), as Django's get_format takes it


# A format's day of the month (`j`), not an escaped `\j`.
DAY = re.compile(r"(?<!\\)j")


def date(value, format_name="DATE_FORMAT"):
    """A date or time in a format of the format module (chantier/formats/), with « 1er » on the first day
    of a month: « 1er avril 2025 », « 1er avril 2025, 9 h 05 »; in English, Django's « April 1, 2025 »."""
    if value in (None, ""):
        return ""
    pattern = named_format(format_name) if format_name.isupper() else format_name
    if getattr(value, "day", None) == 1 and in_french():
        pattern = DAY.sub(r"\\1\\e\\r", pattern)
    return django_format(value, pattern)


def percent(value):
    """« 50 % » with a no-break space in French, « 50% » in English; the number as the language writes
    it (« 12,5 % », « 12.5% »)."""
    number = formats.number_format(value)
    return f"{number}\u00a0%" if in_french() else f"{number}%"


def clock(moment):
    """A time of day as people write it: « 14 h 05 », « 16 h » in French, « 2:05 p.m. », « 4 p.m. » in
    English (Django's TIME_FORMAT)."""
    if not in_french():
        return formats.date_format(moment, "TIME_FORMAT")
    return f"{moment.hour}\u00a0h" if moment.minute == 0 else f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"
