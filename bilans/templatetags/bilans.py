"""Filters and tags of the bilan document: French typography and the progress charts."""

import datetime
import re

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bilans.narrative import to_html
from lib import french

register = template.Library()

NNBSP = "\u202f"  # narrow no-break space, before ; ! ?
NBSP = "\u00a0"  # no-break space, before : and inside « »
SPACES = " \u00a0\u202f"


@register.filter(is_safe=True)
def typo(value):
    """French typography: a narrow no-break space before ; ! ? and a no-break space before : and inside
    « », so that these signs never start a line; the typographic apostrophe (d’actions). Leaves addresses
    and times (https://, 10:30) alone."""
    if value is None:
        return ""
    text = re.sub(r"(?<=\w)'(?=\w)", "’", str(value))
    if not french.in_french():  # an English plan's bilan: English spacing
        return text
    text = re.sub(rf"(?<=[^\s;!?])[{SPACES}]?([;!?]+)(?=\s|$|[»)])", NNBSP + r"\1", text)
    text = re.sub(rf"(?<=\S)[{SPACES}]?:(?=\s|$)", NBSP + ":", text)
    text = re.sub(rf"«[{SPACES}]*", "«" + NBSP, text)
    text = re.sub(rf"[{SPACES}]*»", NBSP + "»", text)
    return text


# The bilan's figures go through these three filters only, so that they read the same everywhere:
# « 12 % » with a no-break space, « +12 points », « 0 point », « 1 étape », « 2 étapes ».


@register.filter
def percent(value):
    """A percentage: « 45 % », with a no-break space (the French way; « 45% » in English); « – » when
    there is nothing to measure."""
    if value is None:
        return "–"
    return f"{value}{NBSP}%" if french.in_french() else f"{value}%"


@register.filter
def signed(value):
    """A change in percentage points: +12, −3, 0."""
    if value is None:
        return "–"
    if value > 0:
        return f"+{value}"
    return f"−{-value}" if value < 0 else "0"


def is_singular(number):
    """French takes the singular below two: « 0 point », « 1 étape », « −1 point », « 2 étapes »;
    English only for one: "0 steps", "1 step"."""
    return abs(number) < 2 if french.in_french() else abs(number) == 1


@register.filter
def counted(number, forms):
    """A number and its noun in French, from "singular|plural" forms (translatable as one string in a
    template: `{{ n|counted:_("étape validée|étapes validées") }}`). Not Django's `{% blocktranslate
    count %}`: without a French catalogue it applies the English rule, « 0 étapes »."""
    singular, plural = str(forms).split("|")
    number = number or 0
    return f"{number}{NBSP}{singular if is_singular(number) else plural}"


@register.filter
def points(value):
    """A change in percentage points with its unit: « +12 points », « 0 point », « −1 point »."""
    if value is None:
        return "–"
    # With a context: the agenda's « point » (an item) is another word.
    unit = pgettext("points de pourcentage", "point") if is_singular(value) else pgettext("points de pourcentage", "points")
    return f"{signed(value)}{NBSP}{unit}"


@register.inclusion_tag("bilans/includes/progress_chart.html")
def progress_chart(bilan):
    """A horizontal bar per axis, and one for the whole plan: progress at the end of the period, with a
    mark where it stood at the start. Drawn as inline SVG: no script, no network."""
    rows = [{"label": _("Ensemble du plan"), "progress": bilan["progress"], "total": True}]
    rows += [
        {"label": _("Axe %(code)s") % {"code": axis["code"]}, "progress": axis["progress"], "total": False}
        for axis in bilan["axes"]
    ]
    label_width, bar_width, row_height, top = 130, 420, 26, 24
    for index, row in enumerate(rows):
        y = top + index * row_height
        start, end = row["progress"]["start"], row["progress"]["end"]
        row.update(
            y=y,
            text_y=y + 13,
            start_x=None if start is None else label_width + bar_width * start / 100,
            end_width=0 if end is None else bar_width * end / 100,
        )
    return {
        "rows": rows,
        "label_width": label_width,
        "bar_width": bar_width,
        "bar_end": label_width + bar_width,
        "value_x": label_width + bar_width + 8,
        "width": label_width + bar_width + 110,
        "height": top + len(rows) * row_height + 4,
        "ticks": [{"x": label_width + bar_width * t / 100, "label": f"{t}{NBSP}%"} for t in (0, 25, 50, 75, 100)],
    }


@register.filter(is_safe=True)
def narrative(text):
    """The committee's words, typed with the markup of `bilans.narrative`, as HTML with French typography
    (applied to the typed text: the markup's signs are none of ; ! ? : « »)."""
    return to_html(typo(text))


@register.filter
def get(mapping, key):
    """`mapping[key]`, or "" (the comment on an axis or objective, by its code)."""
    return (mapping or {}).get(str(key), "")


@register.filter
def shows_attendance(bilan):
    """Whether the contributions by organisation say the meetings each one attended: when meetings were
    held in the period, and the bilan's data counts them (not that of a bilan frozen before it did)."""
    return bool(bilan.get("meetings")) and all("attended" in org for org in bilan.get("organisations", []))


@register.filter
def long_date(value):
    """1er avril 2024, 31 mars 2025: the French ordinal on the first of the month; April 1, 2024 in English
    (lib/french.py and the format modules)."""
    if not value:
        return ""
    return french.date(value)


@register.filter
def page_of(pages, anchor):
    """The page an entry of the table of contents is on, when a long report is rendered in parts
    (`anchor` is a section's id, or an axis code)."""
    if not pages:
        return ""
    key = str(anchor)
    return pages.get(key) or pages.get(f"axe-{key}", "")


def year_label(starts_on, ends_on):
    """« 2024-2025 » for a reporting year, « 2024 » for a calendar year, the two dates for any other period."""
    following = ends_on + datetime.timedelta(days=1)
    if (following.month, following.day) == (starts_on.month, starts_on.day) and following.year == starts_on.year + 1:
        return f"{starts_on:%Y}" if (starts_on.month, starts_on.day) == (1, 1) else f"{starts_on:%Y}-{ends_on:%Y}"
    return f"{starts_on:%Y-%m-%d} – {ends_on:%Y-%m-%d}"


@register.simple_tag
def comparison(bilan):
    """The year against the previous one, for the PDF's table and Word's: the labels of both periods and a
    row for the whole plan, then one per axis (validated steps, results achieved, progress at the end).
    None for a bilan gathered before the comparison existed (its frozen data has no previous period)."""
    previous = bilan.get("previous")
    if previous is None:
        return None

    def row(label, this, before, total=False):
        return {
            "label": label,
            "total": total,
            "figures": [
                before["step_count"], this["step_count"],
                before["achieved_count"], this["achieved_count"],
                percent(before["progress"]["end"]), percent(this["progress"]["end"]),
            ],
        }

    rows = [row(_("Ensemble du plan"), bilan, previous, total=True)]
    rows += [row(_("Axe %(code)s : %(title)s") % {"code": axis["code"], "title": typo(axis["title"])}, axis,
                 axis["previous"]) for axis in bilan["axes"]]
    labels = year_label(previous["starts_on"], previous["ends_on"]), year_label(bilan["starts_on"], bilan["ends_on"])
    return {"previous": labels[0], "this": labels[1], "columns": labels * 3, "rows": rows}
