"""The bilan's figures read the same everywhere, the French way: « 45 % », « 0 point », « 1 étape »."""

import re

from bilans.documents import gather, render_html
from bilans.templatetags.bilans import counted, percent, points

NBSP = "\u00a0"
from tests.bilan_fixtures import YEAR_2024


def test_percentages_have_a_no_break_space_before_the_sign():
    assert percent(0) == f"0{NBSP}%"
    assert percent(100) == f"100{NBSP}%"
    assert percent(None) == "–"


def test_zero_and_one_take_the_singular_in_french():
    forms = "étape validée|étapes validées"
    assert [counted(n, forms) for n in (0, 1, 2, 12)] == [
        f"0{NBSP}étape validée", f"1{NBSP}étape validée", f"2{NBSP}étapes validées", f"12{NBSP}étapes validées"
    ]
    assert [points(n) for n in (0, 1, -1, 2, -12)] == [
        f"0{NBSP}point", f"+1{NBSP}point", f"−1{NBSP}point", f"+2{NBSP}points", f"−12{NBSP}points"
    ]
    assert points(None) == "–"


def test_a_bilan_with_nothing_achieved_says_0_point_and_0_percent_the_same_way_everywhere(lanaudiere):
    html = render_html(gather(lanaudiere, *YEAR_2024))
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\d%", text), "a percentage without its space"
    assert not re.search(r"\d ?%", text.replace(f"{NBSP}%", "")), "a percentage with a breaking space"
    assert not re.search(r"\b[01]\s+points\b", text) and not re.search(r"[−+]1\s+points\b", text)
    assert f"0{NBSP}point sur la période" in text
    assert "0 étapes" not in text.replace(NBSP, " ")
    assert "Axe 1&nbsp;:" in html  # no line starts with the colon
