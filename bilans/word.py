"""The bilan as a Word document (DOCX), from the same gathered data as the PDF (`documents.gather`).

The committee pastes it into the funder's form, so it is built of what Word knows: real headings (the PDF's
h1/h2/h3 as Heading 1/2/3, which Word's navigation pane and table of contents read), tables, lists, the
progress chart as a picture, and the version's mark in the header of every page. The words and figures go
through the same filters as the PDF's template (`templatetags/bilans.py`), so both read the same.
"""

import datetime
import io
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import html as lxml_html
from PIL import Image, ImageDraw, ImageFont

from .documents import language_of, language_tag, revive
from .models import Bilan
from .templatetags.bilans import (
    comparison,
    counted,
    long_date,
    narrative,
    percent,
    points,
    progress_chart,
    shows_attendance,
    signed,
    typo,
)

MARK_COLOUR = RGBColor(0x8A, 0x4B, 0x00)  # the PDF's colour for the version's mark
NBSP = "\u00a0"


def render_docx(data, mark=""):
    """The DOCX of the bilan's `data` (`gather()`, or a bilan's stored data), with `mark` (« Projet —
    version N du … », « Adopté le … par … ») in the header of every page."""
    bilan = revive(data)
    with translation.override(language_of(data)):
        document = Document()
        properties(document, bilan)
        page_setup(document, bilan, mark)
        cover(document, bilan, mark)
        front(document, bilan)
        for axis in bilan["axes"]:
            axis_section(document, bilan, axis)
        back(document, bilan)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# The document as a whole


def properties(document, bilan):
    """Title and language in the file's properties, and the plan's language (French (Canada) unless the
    plan is in English) as the language of every style, so that Word checks the spelling in it."""
    core = document.core_properties
    core.title = _("Bilan annuel – %(title)s") % {"title": bilan["plan"]["title"]}
    core.subject = _("Du %(start)s au %(end)s") % {
        "start": long_date(bilan["starts_on"]),
        "end": long_date(bilan["ends_on"]),
    }
    core.language = language_tag(bilan)
    core.author = "Chantier"
    generated = bilan["generated_on"]
    core.created = datetime.datetime.combine(generated, datetime.time(12))
    core.modified = core.created
    core.revision = 1
    run_defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    language.set(qn("w:val"), language_tag(bilan))
    language.set(qn("w:eastAsia"), language_tag(bilan))
    # Word fills the fields (the table of contents, the page count) when it opens the file.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)
    normal = document.styles["Normal"]
    normal.font.name = "Open Sans"
    normal.font.size = Pt(10)


def page_setup(document, bilan, mark):
    """Letter paper with the PDF's margins; the header says the plan, the year and the version's mark on
    every page (the cover too, as in the PDF); the footer « page X de Y »."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    section.top_margin, section.bottom_margin = Mm(18), Mm(16)
    section.left_margin = section.right_margin = Mm(16)
    header = section.header.paragraphs[0]
    small(header.add_run(f"{bilan['plan']['title']} · {bilan['starts_on']:%Y}-{bilan['ends_on']:%Y}"))
    if mark:
        line = section.header.add_paragraph()
        run = small(line.add_run(mark))
        run.bold = True
        run.font.color.rgb = MARK_COLOUR
    footer = section.footer.paragraphs[0]
    small(footer.add_run(_("page") + " "))
    field(footer, "PAGE")
    small(footer.add_run(" " + _("de") + " "))
    field(footer, "NUMPAGES")


def small(run):
    run.font.size = Pt(8)
    return run


def field(paragraph, code, placeholder="1"):
    """A field Word fills in (the page number, the number of pages, the table of contents), with what it
    shows until then."""
    element = OxmlElement("w:fldSimple")
    element.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    element.append(run)
    paragraph._p.append(element)


# The ids of the built-in styles of python-docx's default template. Set by id: looking a style up by its
# name goes over every style of the document each time (three quarters of the time of a 300-step report).
STYLE_IDS = {
    "List Bullet": "ListBullet",
    "List Bullet 2": "ListBullet2",
    "List Number": "ListNumber",
    **{f"Heading {level}": f"Heading{level}" for level in (1, 2, 3)},
}


def new_paragraph(document, style=None):
    para = document.add_paragraph()
    if style:
        para._p.style = STYLE_IDS[style]
    return para


def heading(document, text, level):
    """The PDF's h1, h2, h3 as Word's Heading 1, 2, 3; each section (Heading 2) starts a page, as in the PDF."""
    para = new_paragraph(document, f"Heading {level}")
    para.paragraph_format.page_break_before = level == 2
    para.add_run(typo(text))
    return para


def paragraph(document, text="", style=None, bold=False):
    para = new_paragraph(document, style)
    if text:
        para.add_run(typo(text)).bold = bold
    return para


def bullets(document, items, style="List Bullet"):
    for item in items:
        paragraph(document, item, style=style)


def table(document, headers, rows, bold_rows=()):
    """A table with a header row (repeated on each page) and a row per item."""
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, headers):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    for index, values in enumerate(rows):
        cells = grid.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = ""
            cell.paragraphs[0].add_run(typo(str(value))).bold = index in bold_rows
    document.add_paragraph()
    return grid


# The committee's words


def committee_section(document, texts, key):
    """One of the committee's texts under its title (Bilan.TEXTS names them), when the committee wrote it."""
    if texts.get(key):
        heading(document, Bilan.TEXTS[key], 2)
        committee_text(document, texts[key])


def committee_text(document, text):
    """The committee's words, through the same markup and sanitiser as the PDF (`narrative`): the HTML
    they make (p, br, ul, ol, li, strong, a) becomes Word's paragraphs, lists, bold runs and links."""
    if not text:
        return
    for block in lxml_html.fragments_fromstring(str(narrative(text))):
        if isinstance(block, str):
            paragraph(document, block)
        elif block.tag in ("ul", "ol"):
            style = "List Bullet" if block.tag == "ul" else "List Number"
            numbering = restarted_numbering(document) if block.tag == "ol" else None
            for item in block.iterchildren("li"):
                para = new_paragraph(document, style)
                if numbering:
                    number_pr = para._p.get_or_add_pPr().get_or_add_numPr()
                    number_pr.get_or_add_ilvl().val = 0
                    number_pr.get_or_add_numId().val = numbering
                inline(para, item)
        else:
            inline(document.add_paragraph(), block)


def restarted_numbering(document):
    """A numbering of its own for one numbered list, starting at 1: every paragraph of the List Number style
    otherwise shares the style's one numbering, and the « Perspectives » would go on from the « Mot de la
    coordination »'s 1, 2, 3. A new instance (w:num) of the style's list definition, its first level
    restarted."""
    numbering = document.part.numbering_part.element
    style = document.styles.element.get_by_id(STYLE_IDS["List Number"])
    shared = numbering.num_having_numId(style.pPr.numPr.numId.val)
    instance = numbering.add_num(shared.abstractNumId.val)
    instance.add_lvlOverride(ilvl=0).add_startOverride(1)
    return instance.numId


def inline(para, element, bold=False):
    """The text of `element` into `para`, with its bold parts, line breaks and links."""
    if element.text:
        para.add_run(element.text).bold = bold
    for child in element:
        if child.tag == "br":
            para.add_run().add_break()
        elif child.tag == "strong":
            inline(para, child, bold=True)
        elif child.tag == "a":
            hyperlink(para, child.get("href", ""), child.text_content(), bold)
        else:
            inline(para, child, bold)
        if child.tail:
            para.add_run(child.tail).bold = bold


def hyperlink(para, url, text, bold=False):
    """A link Word opens (python-docx has no call for it: the element and its relationship by hand)."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), para.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run = OxmlElement("w:r")
    run_properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    run_properties.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    run_properties.append(underline)
    if bold:
        run_properties.append(OxmlElement("w:b"))
    run.append(run_properties)
    words = OxmlElement("w:t")
    words.text = text
    words.set(qn("xml:space"), "preserve")
    run.append(words)
    link.append(run)
    para._p.append(link)


# The parts of the document, in the PDF's order


def cover(document, bilan, mark):
    plan = bilan["plan"]
    if mark:
        run = document.add_paragraph().add_run(mark)
        run.bold = True
        run.font.color.rgb = MARK_COLOUR
    paragraph(document, _("Bilan annuel"))
    heading(document, plan["title"], 1)
    if plan["region"]:
        paragraph(document, plan["region"])
    paragraph(document, _("Plan d’action %(period)s") % {"period": plan["period"]})
    paragraph(
        document,
        _("Période couverte") + NBSP + ": "
        + _("du %(start)s au %(end)s") % {"start": long_date(bilan["starts_on"]), "end": long_date(bilan["ends_on"])},
        bold=True,
    )
    paragraph(document, f"{bilan['starts_on']:%Y}-{bilan['ends_on']:%Y}", bold=True)
    paragraph(document, _("Produit le %(date)s") % {"date": long_date(bilan["generated_on"])})
    heading(document, _("Table des matières"), 2)
    until_updated = _("Mettez à jour les champs du document (F9) pour voir la table des matières.")
    field(document.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', until_updated)


def axis_title(axis):
    return _("Axe %(code)s : %(title)s") % {"code": axis["code"], "title": typo(axis["title"])}


def front(document, bilan):
    plan, texts = bilan["plan"], bilan["texts"]
    committee_section(document, texts, "word")

    heading(document, _("Priorité, mission et valeurs"), 2)
    if plan["priority"]:
        heading(document, _("Priorité"), 3)
        paragraph(document, plan["priority"])
    if plan["mission"]:
        heading(document, _("Notre mission"), 3)
        paragraph(document, plan["mission"])
    if plan["values"]:
        heading(document, _("Nos valeurs"), 3)
        bullets(document, plan["values"])

    heading(document, _("Sommaire de l’année"), 2)
    if not bilan["step_count"] and not bilan["pending_count"]:
        paragraph(document, _("Aucune étape réalisée n’a été inscrite pour cette période."))
    else:
        sentence = _("%(steps)s durant la période.") % {
            "steps": counted(bilan["step_count"], _("étape réalisée et validée|étapes réalisées et validées"))
        }
        if bilan["pending_count"]:
            sentence += " " + _("%(steps)s la validation de la coordination (voir l’annexe).") % {
                "steps": counted(bilan["pending_count"], _("autre étape attend|autres étapes attendent"))
            }
        paragraph(document, sentence)
    if bilan["achieved_count"]:
        paragraph(document, _("%(results)s durant la période.") % {
            "results": counted(bilan["achieved_count"], _("résultat attendu atteint|résultats attendus atteints"))
        })
    document.add_picture(io.BytesIO(chart_png(bilan)), width=Mm(170))
    document.paragraphs[-1].runs[0]._r.xpath(".//wp:docPr")[0].set(
        "descr", _("Avancement à la fin de la période, et au début (trait)")
    )
    headers = ["", _("Au début"), _("À la fin"), _("Variation (points)"), _("Étapes validées")]
    rows = [[_("Ensemble du plan"), *figures(bilan["progress"]), bilan["step_count"]]]
    rows += [[axis_title(axis), *figures(axis["progress"]), axis["step_count"]] for axis in bilan["axes"]]
    if "planned_count" in bilan:  # not in the data of a bilan frozen before the planned steps existed
        headers += [_("Étapes prévues"), _("dont réalisées")]
        for row, counts in zip(rows, [bilan, *bilan["axes"]]):
            row += [counts["planned_count"], counts["planned_done_count"]]
    table(document, headers, rows, bold_rows=(0,))
    compared = comparison(bilan)
    if compared:
        heading(document, _("L’année %(this)s comparée à %(previous)s") % compared, 3)
        measures = [_("Étapes validées"), _("Résultats atteints"), _("Avancement à la fin")]
        headers = [""] + [f"{measure} {period}" for measure in measures for period in (compared["previous"], compared["this"])]
        table(document, headers, [[row["label"], *row["figures"]] for row in compared["rows"]], bold_rows=(0,))
        paragraph(document, _(
            "Période précédente : du %(start)s au %(end)s, de même durée. Résultats atteints : ceux dont "
            "la date d’atteinte tombe dans la période."
        ) % {"start": long_date(bilan["previous"]["starts_on"]), "end": long_date(bilan["previous"]["ends_on"])})
    paragraph(document, _(
        "Avancement d’une action : part de ses résultats attendus atteints, au début de la période (avant le "
        "premier jour) et à sa fin (au dernier jour). Avancement d’un objectif, d’un axe ou du plan : moyenne de "
        "l’avancement de ses actions en vigueur qui ont des résultats attendus. Le trait noir du graphique marque "
        "l’avancement au début. L’état d’une action est celui de la fin de la période : l’état que la "
        "coordination avait fixé à cette date, selon l’historique, sinon celui que suivent ses résultats atteints "
        "et ses étapes à cette date. Quand l’état du jour de production diffère, il est indiqué entre "
        "parenthèses (« aujourd’hui : … »)."
    ))

    committee_section(document, texts, "highlights")


def figures(progress):
    return [percent(progress["start"]), percent(progress["end"]), signed(progress["change"])]


def axis_section(document, bilan, axis):
    texts = bilan["texts"]
    title = axis_title(axis) + (" (" + _("archivé") + ")" if axis["archived"] else "")
    heading(document, title, 2)
    paragraph(document, _("Avancement à la fin de la période : %(end)s (%(change)s sur la période)") % {
        "end": percent(axis["progress"]["end"]), "change": points(axis["progress"]["change"])
    })
    committee_text(document, (texts.get("axes") or {}).get(str(axis["code"]), ""))
    for objective in axis["objectives"]:
        archived = " (" + _("archivé") + ")" if objective["archived"] else ""
        title = f"{objective['code']} {objective['title']}{archived}"
        heading(document, title, 3)
        if objective["description"]:
            paragraph(document, objective["description"])
        committee_text(document, (texts.get("objectives") or {}).get(str(objective["code"]), ""))
        if objective["partners"]:
            para = document.add_paragraph()
            para.add_run(_("Organismes partenaires") + NBSP + ": ").bold = True
            para.add_run(typo(", ".join(objective["partners"])))
        for action in objective["actions"]:
            action_entry(document, action)
        if not objective["actions"]:
            paragraph(document, _("Aucune action pour cet objectif."))


def action_entry(document, action):
    para = document.add_paragraph()
    para.paragraph_format.space_before = Pt(8)
    para.add_run(action["code"] + " ").bold = True
    para.add_run(typo(action["text"]))

    meta = document.add_paragraph()
    meta.add_run(action["status_label"]).bold = True
    line = ""
    if action["status_today_label"]:
        line += " " + _("(aujourd’hui : %(status)s)") % {"status": action["status_today_label"]}
    if action["archived"]:
        line += " " + _("archivée")
    if action["period"]:
        line += " · " + _("Année de référence") + NBSP + ": " + action["period"]
    if action["progress"]["end"] is not None:
        line += " · " + _("Avancement : %(end)s (%(change)s)") % {
            "end": percent(action["progress"]["end"]), "change": points(action["progress"]["change"])
        }
    meta.add_run(line)
    if not action["inherits_partners"] and action["partners"]:
        meta.add_run().add_break()
        meta.add_run(_("Partenaires de l’action") + NBSP + ": ").bold = True
        meta.add_run(typo(", ".join(action["partners"])))
    if action["status_reason"]:
        meta.add_run().add_break()
        meta.add_run(typo(action["status_reason"]))

    for result in action["results"]:
        when = (
            _("atteint le %(date)s") % {"date": long_date(result["achieved_on"])}
            if result["achieved_on"]
            else _("non atteint")
        )
        mark = "✔" if result["achieved_on"] else "○"
        archived = " (" + _("archivé") + ")" if result["archived"] else ""
        item = new_paragraph(document, "List Bullet")
        item.add_run(f"{mark} ")
        item.add_run(result["code"] + " ").bold = True
        item.add_run(typo(result["text"]) + " ")
        item.add_run(when + archived).italic = True
    for step in action["steps"]:
        step_line(document, step)
    if not action["steps"]:
        paragraph(document, _("Aucune étape validée durant la période."))
    if action["pending_count"]:
        paragraph(document, _("%(steps)s la validation (voir l’annexe).") % {
            "steps": counted(action["pending_count"], _("étape attend|étapes attendent"))
        })


def step_line(document, step, prefix=()):
    item = new_paragraph(document, "List Bullet 2")
    for text in prefix:
        item.add_run(text + " ").bold = True
    item.add_run(f"{step['done_on']:%Y-%m-%d} ")
    item.add_run(typo(step["organisation"]) + " ").bold = True
    item.add_run(typo(step["description"]))


def back(document, bilan):
    plan, texts = bilan["plan"], bilan["texts"]
    committee_section(document, texts, "challenges")
    committee_section(document, texts, "outlook")

    meetings_section(document, bilan["meetings"])

    heading(document, _("Mécanismes de suivi et comités de travail"), 2)
    if plan["follow_up"]:
        heading(document, _("Mécanismes de suivi"), 3)
        bullets(document, plan["follow_up"])
    if bilan["committees"]:
        heading(document, _("Comités de travail"), 3)
        for committee in bilan["committees"]:
            para = document.add_paragraph()
            para.add_run(typo(committee["name"]) + NBSP + ": ").bold = True
            para.add_run(typo(", ".join(committee["members"])) or "–")

    heading(document, _("Contributions des organisations"), 2)
    if bilan["organisations"]:
        attendance = shows_attendance(bilan)
        rows = [
            [
                org["name"] + (f" ({org['acronym']})" if org["acronym"] and org["acronym"] != org["name"] else ""),
                org["validated"],
                org["pending"],
                *([org["attended"]] if attendance else []),
                ", ".join(org.get("actions", [])) or "–",
            ]
            for org in bilan["organisations"]
        ]
        headers = [_("Organisation"), _("Étapes validées"), _("En attente")]
        headers += [_("Réunions")] if attendance else []
        table(document, headers + [_("Actions auxquelles elle a contribué")], rows)
        if attendance:
            paragraph(document, _("Réunions : celles de la période où l’organisation était présente."))
    else:
        paragraph(document, _("Aucune organisation n’a inscrit d’étape ni assisté à une réunion durant la période."))

    heading(document, _("Liste des acronymes"), 2)
    if bilan["acronyms"]:
        table(document, [_("Acronyme"), _("Signification")], bilan["acronyms"])
    else:
        paragraph(document, _("Ce bilan n’emploie aucun acronyme."))

    if bilan["pending"]:
        heading(document, _("Annexe – Étapes en attente de validation ou renvoyées"), 2)
        paragraph(document, _(
            "Ces étapes ont été inscrites durant la période mais la coordination ne les a pas encore validées "
            "(ou les a renvoyées) : elles ne comptent pas dans le bilan."
        ))
        for step in bilan["pending"]:
            step_line(document, step, prefix=(f"[{step['review_label']}]", step["action_code"]))


def meetings_section(document, meetings):
    """The year's meetings, as in the PDF: each one's body, day and place, the organisations present and
    excused, its decisions (a numbered list of its own) and the changes to the plan they made."""
    if not meetings:
        return
    heading(document, _("Réunions et décisions de l’année"), 2)
    for meeting in meetings:
        title = f"{meeting['body']}, {long_date(meeting['held_on'])}"
        heading(document, title + (f", {meeting['time']}" if meeting["time"] else ""), 3)
        if meeting["place"]:
            paragraph(document, meeting["place"])
        para = document.add_paragraph()
        para.add_run(_("Organisations présentes") + NBSP + ": ").bold = True
        para.add_run(typo(", ".join(meeting["present"])) or "–")
        if meeting["excused"]:
            para.add_run().add_break()
            para.add_run(_("Excusées") + NBSP + ": ").bold = True
            para.add_run(typo(", ".join(meeting["excused"])))
        if not meeting["decisions"]:
            paragraph(document, _("Aucune décision inscrite."))
            continue
        numbering = restarted_numbering(document)
        for decision in meeting["decisions"]:
            item = new_paragraph(document, "List Number")
            number_pr = item._p.get_or_add_pPr().get_or_add_numPr()
            number_pr.get_or_add_ilvl().val = 0
            number_pr.get_or_add_numId().val = numbering
            item.add_run(typo(decision["text"]))
            if decision["actions"]:
                item.add_run(" (" + _("actions") + " " + ", ".join(decision["actions"]) + ")")
            for amendment in decision["amendments"]:
                line = new_paragraph(document, "List Bullet 2")
                line.add_run(amendment["kind_label"] + NBSP + ": ").bold = True
                line.add_run(amendment["code"] + " ").bold = True
                line.add_run(amendment_text(amendment)).italic = True


def amendment_text(amendment):
    """What a decision changed in the plan, in the PDF's words."""
    if amendment["kind"] == "reworded":
        return typo(_("« %(before)s » devient « %(after)s »") % {
            "before": amendment["text_before"], "after": amendment["text_after"]
        })
    if amendment["kind"] == "added":
        return typo(amendment["text_after"])
    if amendment["kind"] == "merged":
        return _("fusionnée avec l’action %(code)s") % {"code": amendment["merged_into"]}
    return typo(amendment["text_before"])


# The progress chart as a picture


FONT_FOLDER = Path("/usr/share/fonts/truetype")
FONTS = {
    False: (FONT_FOLDER / "open-sans/OpenSans-Regular.ttf", FONT_FOLDER / "dejavu/DejaVuSans.ttf"),
    True: (FONT_FOLDER / "open-sans/OpenSans-Bold.ttf", FONT_FOLDER / "dejavu/DejaVuSans-Bold.ttf"),
}


def font(size, bold=False):
    """Open Sans (the PDF's font, Debian's fonts-open-sans), DejaVu otherwise, Pillow's own as a last resort."""
    for path in FONTS[bold]:
        if path.is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def chart_png(bilan, scale=3):
    """The PDF's progress chart as a PNG: the same bars, ticks and labels, from the same geometry (the
    `progress_chart` tag's), drawn with Pillow (a dependency of WeasyPrint) at `scale` times the SVG's
    size, so that it prints sharp. Drawn rather than converted from the SVG: nothing installed converts
    SVG to PNG (WeasyPrint writes PDF only), and a PDF → pdftoppm round trip would need a system program
    and a child process for a few rectangles."""
    chart = progress_chart(bilan)
    image = Image.new("RGB", (chart["width"] * scale, chart["height"] * scale), "white")
    draw = ImageDraw.Draw(image)

    def at(*values):
        return [value * scale for value in values]

    tick_font, label_font, bold_font = font(9 * scale), font(11 * scale), font(11 * scale, bold=True)
    for tick in chart["ticks"]:
        draw.line(at(tick["x"], 16, tick["x"], chart["height"]), fill="#d4d9e1", width=scale)
        draw.text(at(tick["x"], 11), tick["label"], font=tick_font, fill="#4a5363", anchor="ms")
    for row in chart["rows"]:
        left, top = chart["label_width"], row["y"] + 3
        draw.text(at(0, row["text_y"]), row["label"], font=bold_font if row["total"] else label_font,
                  fill="#1d2330", anchor="ls")
        draw.rectangle(at(left, top, left + chart["bar_width"], top + 14), fill="#f3f5f8")
        if row["end_width"]:
            draw.rectangle(at(left, top, left + row["end_width"], top + 14),
                           fill="#0b5394" if row["total"] else "#5b8fc7")
        if row["start_x"] is not None:
            draw.line(at(row["start_x"], row["y"] + 1, row["start_x"], row["y"] + 19), fill="#1d2330", width=2 * scale)
        value = f"{percent(row['progress']['end'])} ({signed(row['progress']['change'])})"
        draw.text(at(chart["value_x"], row["text_y"]), value, font=label_font, fill="#1d2330", anchor="ls")
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()
