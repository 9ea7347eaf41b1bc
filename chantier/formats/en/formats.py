"""English as the interface writes it (Django's FORMAT_MODULE_PATH), Canadian usage: « April 1, 2025 »
with the month written out, and ISO dates (2025-04-01) where Django's English would write 04/01/2025,
which a Canadian reads either way. Times are Django's (2:05 p.m.)."""

from django.conf.locale.en.formats import *  # noqa: F401,F403 (the input formats, separators)

DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, P"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d P"
# Chantier's own (lib/french.py reads it): a meeting's day.
WEEKDAY_DATE_FORMAT = "l, F j, Y"
