"""« Le plan et ses étapes réalisées »: the plan laid out as its source document lays it out, a table per axis
(Objectifs · Moyens ou action · Organismes partenaires · Résultats attendus · Année de référence · Étapes
réalisées), the last column filled with the steps the coordination validated over a chosen period. It is the
document the chantier used to fill by hand; here it is a page of the plan (printable in landscape), a PDF
(landscape, tagged like the bilan) and a Word document (a landscape section).

`gather(plan, start, end)` reads it in a fixed number of queries whatever the size of the plan; the page,
`render_pdf` and `render_docx` write that data out.
"""

import datetime
import io

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from plans.models import ActionPartner, ObjectivePartner
from suivi.models import Step

from .documents import TAGGED, fewer_collections, in_plan_language, language_of, language_tag, weasy
from .templatetags.bilans import long_date, typo
from .word import STYLE_IDS, field, small

# Up to this many actions, the PDF is made during the request (Lanaudière's 37 actions and 300 steps: about
# 1.5 s of CPU); a larger plan's goes through the background task (`tasks.prepare_plan_document`): 2,000
# actions and 10,000 steps took 59 s of CPU and 1 GB of memory (docs/benchmarks.md).
IN_REQUEST_UP_TO = 200

# Its two files, by kind (bilans.models.PlanDocument.Kind): how each is made and what it is.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render(data, kind):
    return render_docx(data) if kind == "docx" else render_pdf(data)


# The source document's columns, in its order.
COLUMNS = (
    gettext_lazy("Objectifs"),
    gettext_lazy("Moyens ou action"),
    gettext_lazy("Organismes partenaires"),
    gettext_lazy("Résultats attendus"),
    gettext_lazy("Année de référence"),
    gettext_lazy("Étapes réalisées"),
)


def whole_plan(plan):
    """The period the page shows unless asked otherwise: the plan's years, 1 January to 31 December."""
    return datetime.date(plan.first_year, 1, 1), datetime.date(plan.last_year, 12, 31)


@in_plan_language
def gather(plan, start, end):
    """The plan's axes, objectives, actions and expected results in effect, and the steps validated from
    `start` to `end` (both included) under each action: plain data, in seven queries."""
    axes = list(plan.axes.active().order_by("number"))
    objectives = list(
        plan.objectives.active().order_by("number").prefetch_related(
            Prefetch("partner_links", queryset=ObjectivePartner.objects.select_related("organisation"))
        )
    )
    actions = list(
        plan.actions.active().order_by("number").prefetch_related(
            Prefetch("partner_links", queryset=ActionPartner.objects.select_related("organisation"))
        )
    )
    results = list(plan.results.active().order_by("number"))
    steps = list(
        Step.objects.filter(action__plan=plan, action__archived_at__isnull=True, review=Step.Review.VALIDATED)
        .between(start, end)
        .select_related("organisation")
        .order_by("done_on", "created_at", "pk")
    )
    by = {"results": {}, "steps": {}, "actions": {}, "objectives": {}}
    for key, rows, parent in (
        ("results", results, "action_id"),
        ("steps", steps, "action_id"),
        ("actions", actions, "objective_id"),
        ("objectives", objectives, "axis_id"),
    ):
        for row in rows:
            by[key].setdefault(getattr(row, parent), []).append(row)

    body = []
    for axis in axes:
        axis_objectives = []
        for objective in by["objectives"].get(axis.pk, []):
            objective_partners = [str(link.organisation) for link in objective.partner_links.all()]
            objective_actions = []
            for action in by["actions"].get(objective.pk, []):
                action.objective = objective  # its partners are prefetched: the action may inherit them
                objective_actions.append({
                    "code": action.code,
                    "text": action.text,
                    "partners": [str(link.organisation) for link in action.partner_links_in_effect],
                    "inherits_partners": action.inherits_partners,
                    "period": action.period,
                    "results": [{"code": r.code, "text": r.text} for r in by["results"].get(action.pk, [])],
                    "steps": [
                        {"done_on": step.done_on, "organisation": str(step.organisation), "description": step.description}
                        for step in by["steps"].get(action.pk, [])
                    ],
                })
            axis_objectives.append({
                "code": objective.code,
                "title": objective.title,
                "partners": objective_partners,
                # The document writes the objective's partners once, beside all its actions, unless an action
                # names partners of its own.
                "shares_partners": all(action["inherits_partners"] for action in objective_actions),
                "actions": objective_actions,
                "rows": max(1, len(objective_actions)),
            })
        body.append({"code": axis.code, "title": axis.title, "objectives": axis_objectives})
    return {
        "plan": {"title": plan.title, "slug": plan.slug, "language": plan.language, "region": plan.region, "period": plan.period},
        "starts_on": start,
        "ends_on": end,
        "generated_on": timezone.localdate(),
        "axes": body,
        "step_count": len(steps),
    }


def document_title(data):
    return _("Le plan et ses étapes réalisées – %(title)s") % {"title": data["plan"]["title"]}


def render_html(data):
    """The standalone document WeasyPrint lays out (the page of the plan draws the same table partial)."""
    with translation.override(language_of(data)):
        context = {"table": data, "title": document_title(data), "lang": language_tag(data)}
        return render_to_string("bilans/plan_steps_document.html", context)


def render_pdf(data):
    """The PDF, landscape, tagged PDF/UA-1 like the bilan (headings, tables, language, title, bookmarks)."""
    html = render_html(data)
    with fewer_collections():
        return weasy(html, **TAGGED).write_pdf(**TAGGED)


def render_docx(data):
    """The Word document: one landscape section, a heading and a six-column table per axis, the objective's
    cell (and its partners', when its actions share them) merged down its actions, as in the source
    document; the header names the plan and the period on every page."""
    with translation.override(language_of(data)):
        document = Document()
        title = document_title(data)
        core = document.core_properties
        core.title, core.language, core.author = title, language_tag(data), "Chantier"
        core.created = core.modified = datetime.datetime.combine(data["generated_on"], datetime.time(12))
        defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        language = defaults.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            defaults.append(language)
        language.set(qn("w:val"), language_tag(data))
        document.styles["Normal"].font.name = "Open Sans"
        document.styles["Normal"].font.size = Pt(8)

        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(279.4), Mm(215.9)
        section.top_margin = section.bottom_margin = Mm(12)
        section.left_margin = section.right_margin = Mm(12)
        small(section.header.paragraphs[0].add_run(f"{data['plan']['title']} · {period_label(data)}"))
        footer = section.footer.paragraphs[0]
        small(footer.add_run(_("page") + " "))
        field(footer, "PAGE")
        small(footer.add_run(" " + _("de") + " "))
        field(footer, "NUMPAGES")

        heading = document.add_paragraph()
        heading._p.style = STYLE_IDS["Heading 1"]
        heading.add_run(typo(title))
        document.add_paragraph(typo(_("Étapes réalisées et validées %(period)s") % {"period": period_label(data)}))
        for index, axis in enumerate(data["axes"]):
            axis_table(document, axis, first=index == 0)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def period_label(data):
    return _("du %(start)s au %(end)s") % {"start": long_date(data["starts_on"]), "end": long_date(data["ends_on"])}


def axis_title(axis):
    return _("Axe %(code)s : %(title)s") % {"code": axis["code"], "title": typo(axis["title"])}


# Column widths on landscape Letter (255 mm between the margins), as the source document shares them.
WIDTHS_MM = (38, 50, 34, 50, 20, 63)


def axis_table(document, axis, first):
    heading = document.add_paragraph()
    heading._p.style = STYLE_IDS["Heading 2"]
    heading.paragraph_format.page_break_before = not first
    heading.add_run(axis_title(axis))
    rows = sum(objective["rows"] for objective in axis["objectives"])
    grid = document.add_table(rows=1 + rows, cols=len(COLUMNS))
    grid.style = "Table Grid"
    grid.autofit = False
    for column, width in zip(grid.columns, WIDTHS_MM):
        for cell in column.cells:
            cell.width = Mm(width)
    for cell, text in zip(grid.rows[0].cells, COLUMNS):
        cell.paragraphs[0].add_run(str(text)).bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)

    row = 1
    for objective in axis["objectives"]:
        first, last = grid.rows[row], grid.rows[row + objective["rows"] - 1]
        objective_cell = first.cells[0].merge(last.cells[0]) if objective["rows"] > 1 else first.cells[0]
        write(objective_cell, [(objective["code"] + " ", True), (typo(objective["title"]), False)])
        if objective["shares_partners"]:
            partners_cell = first.cells[2].merge(last.cells[2]) if objective["rows"] > 1 else first.cells[2]
            write(partners_cell, [(typo(", ".join(objective["partners"])), False)])
        for offset, action in enumerate(objective["actions"]):
            cells = grid.rows[row + offset].cells
            write(cells[1], [(action["code"] + " ", True), (typo(action["text"]), False)])
            if not objective["shares_partners"]:
                write(cells[2], [(typo(", ".join(action["partners"])), False)])
            for index, result in enumerate(action["results"]):
                write(cells[3], [(result["code"] + " ", True), (typo(result["text"]), False)], new=index > 0)
            write(cells[4], [(action["period"], False)])
            for index, step in enumerate(action["steps"]):
                write(
                    cells[5],
                    [(f"{step['done_on']:%Y-%m-%d} ", False), (typo(step["organisation"]) + " ", True),
                     (typo(step["description"]), False)],
                    new=index > 0,
                )
        row += objective["rows"]


def write(cell, runs, new=False):
    """Runs of (text, bold) into a cell: its first paragraph, or a new one (a result, a step per paragraph)."""
    para = cell.add_paragraph() if new else cell.paragraphs[0]
    for text, bold in runs:
        if text:
            para.add_run(text).bold = bold
