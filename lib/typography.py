"""French typography in every template (a builtin library, chantier/settings.py): the dates of the
format module with « 1er » on the first of the month, percentages as « 50 % », and « de » elided before
a vowel. Loaded for every template, so `{{ day|date }}` is already right. Under English they follow
English (lib/french.py): « April 1, 2025 », « 50% », « of Action-Logement »."""

from django import template

from lib import french

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's `date`, with « 1er » for the first day of a month: « 1er avril 2025 »."""
    try:
        return french.date(value, arg or "DATE_FORMAT")
    except (AttributeError, TypeError):  # not a date (as Django's own filter): nothing
        return ""


@register.filter(is_safe=True)
def percent(value):
    """50 → « 50 % », with a non-breaking space (« 50% » in English); nothing for no value."""
    if value in (None, ""):
        return ""
    return french.percent(value)


@register.filter
def de(name):
    """« de » and a name, elided before a vowel or a mute h: « d’Action-Logement », « de TPDSL »."""
    return french.of(name)


@register.simple_tag
def colon():
    """The colon after a translated label (« Lieu : » / "Place:"): a no-break space before it in French
    only. `{% translate "Lieu" %}{% colon %}`, so that the label's msgid stays the word alone."""
    return "\u00a0:" if french.in_french() else ":"
