"""The committee's words in a bilan are typed with the markup of `lib/narrative.py`, which the minutes of
a meeting (meetings/, below bilans) share: one implementation, reached from here by the bilan's code."""

from lib.narrative import to_html  # noqa: F401
