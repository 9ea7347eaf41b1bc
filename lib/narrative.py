"""Texts people type in a plain box with a tiny markup (the committee's words in a bilan: « Mot de la
coordination », « Faits saillants de l’année »…; the minutes of a meeting), turned into HTML:

- a blank line starts a new paragraph; a line break inside a paragraph is kept;
- lines that begin with « - » (or « * ») make a bulleted list, lines that begin with « 1. » a numbered one;
- **gras** is bold;
- [texte du lien](https://exemple.org) is a link (http, https and mailto only).

The text is escaped before the markup is applied, so whatever is typed comes out as text; nh3 then cleans
the HTML against the few tags the markup makes, in case a rule here is ever wrong.
"""

import html
import re

import nh3
from django.utils.safestring import mark_safe

TAGS = {"p", "br", "ul", "ol", "li", "strong", "a"}
BULLET = re.compile(r"^\s*[-*]\s+")
NUMBER = re.compile(r"^\s*\d+[.)]\s+")
BOLD = re.compile(r"\*\*(.+?)\*\*")
LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s]+)\)")


def inline(text):
    text = html.escape(text, quote=True)
    text = BOLD.sub(r"<strong>\1</strong>", text)
    return LINK.sub(r'<a href="\2">\1</a>', text)


def to_html(text):
    """The HTML of a text typed with the markup above; "" for an empty text."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    parts = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        for pattern, tag in ((BULLET, "ul"), (NUMBER, "ol")):
            if all(pattern.match(line) for line in lines):
                items = "".join(f"<li>{inline(pattern.sub('', line, count=1))}</li>" for line in lines)
                parts.append(f"<{tag}>{items}</{tag}>")
                break
        else:
            parts.append("<p>" + "<br>".join(inline(line.strip()) for line in lines) + "</p>")
    cleaned = nh3.clean(
        "".join(parts), tags=TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"}
    )
    return mark_safe(cleaned)  # escaped, then cleaned against TAGS

