"""Quebec French as the interface writes it (Django's FORMAT_MODULE_PATH): « 31 mars 2025 », « 9 h 05 »,
never broken across lines (non-breaking spaces). « 1er avril » comes from the `date` filter of
lib/typography.py, which no format string can express."""

from django.conf.locale.fr_CA.formats import *  # noqa: F401,F403 (the input formats, separators)

DATE_FORMAT = "j F Y"
TIME_FORMAT = "G\xa0\\h\xa0i"
DATETIME_FORMAT = "j F Y, G\xa0\\h\xa0i"
SHORT_DATETIME_FORMAT = "Y-m-d G\xa0\\h\xa0i"
# Chantier's own (lib/french.py reads it): a meeting's day, « mercredi 2 décembre 2026 ».
WEEKDAY_DATE_FORMAT = "l j F Y"
