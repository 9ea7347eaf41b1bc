"""What a bilan says, and the files it is written to.

`gather(plan, start, end)` reads the plan and its steps over the period into plain data (JSON-ready: the
data of an adopted bilan is stored as is); `render_html`, `render_pdf` and `render_xlsx` write that data out.
Everything is read in a fixed number of queries, whatever the size of the plan.
"""

import concurrent.futures
import contextlib
import datetime
import functools
import gc
import io
import json
import mimetypes
import multiprocessing
import os
import re
from collections import defaultdict
from pathlib import Path

import django
import tablib
import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lib import french
from lib.spreadsheets import spreadsheet_bytes
from meetings.models import Amendment, Attendance, Decision, Meeting
from plans.models import (
    Action,
    ActionPartner,
    ActionStatus,
    CommitteeMember,
    ObjectivePartner,
    mean_of,
    share_achieved,
    status_following,
)
from suivi.models import PlannedStep, Step

from .models import Bilan

# WeasyPrint resolves the document's links against this address; the fetcher below answers only for
# the static files under it, from disk, and refuses everything else (no network, no local files).
BASE_URL = "https://chantier.invalid/"


class StaticFilesFetcher(weasyprint.URLFetcher):
    """Serves the app's static files (the print stylesheet) from disk; refuses any other address."""

    def fetch(self, url, headers=None):
        prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
        if not url.startswith(prefix):
            raise ValueError(f"Adresse refusée dans un bilan : {url}")
        name = url.removeprefix(prefix).split("?")[0].split("#")[0]
        path = self.find(name)
        if path is None:
            raise ValueError(f"Fichier statique introuvable : {name}")
        content_type, _encoding = mimetypes.guess_type(path.name)
        return weasyprint.urls.URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type or "application/octet-stream"}
        )

    @staticmethod
    def find(name):
        if ".." in Path(name).parts:
            return None
        found = finders.find(name)
        if found:
            return Path(found)
        try:  # collected static files (production, hashed names)
            path = Path(staticfiles_storage.path(name))
        except NotImplementedError:
            return None
        return path if path.is_file() else None


def achieved_by(result, day):
    return result.achieved_on is not None and result.achieved_on <= day


def progress_of(results, start, end):
    """An action's progress at the start and at the end of the period: achieved before the first day, and
    by the last day."""
    achieved_on = [result.achieved_on for result in results if result.archived_at is None]
    if not achieved_on:
        return {"start": None, "end": None, "change": None}
    before = share_achieved(achieved_on, by=start - datetime.timedelta(days=1))
    after = share_achieved(achieved_on, by=end)
    return {"start": before, "end": after, "change": after - before}


def roll_up(progresses):
    """The mean of the actions' progress (those that have expected results)."""
    start = mean_of(p["start"] for p in progresses)
    end = mean_of(p["end"] for p in progresses)
    return {"start": start, "end": end, "change": None if end is None else end - start}


def end_of_day(day):
    """The first instant after `day`, in the app's time zone: what the history holds "by the end of" it."""
    following = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(following)


def statuses_set_by_then(plan, end):
    """The status the coordination had set on each action of the plan by the end of `end`, from the
    history (simple-history's rows of the actions: the latest one of each action dated before the next
    day), in one query whatever the size of the plan: {action id: (status, reason)}, only for the
    actions whose status was set by hand then."""
    history = Action.history.model.objects
    latest = (
        history.filter(id=OuterRef("id"), history_date__lt=end_of_day(end))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = (
        history.filter(plan_id=plan.pk, history_date__lt=end_of_day(end), history_id=Subquery(latest))
        .filter(status_is_manual=True)
        .values_list("id", "status", "status_reason")
    )
    return {pk: (status, reason) for pk, status, reason in rows}


def status_at_end(action, results, has_steps, set_by_hand, end):
    """An action's status at the end of the period: the one the coordination had set then (from the
    history), otherwise the one that follows its results achieved and its steps done by then. The
    automatic status is recomputed from the dates people gave rather than read from the history, which
    records when things were typed: a year entered after the fact (results ticked in 2026 as achieved in
    March 2025) would otherwise read « Non commencée » beside its results achieved."""
    if action.pk in set_by_hand:
        return set_by_hand[action.pk]
    achieved_on = [result.achieved_on for result in results if result.archived_at is None]
    return status_following(achieved_on, has_steps, by=end), ""


def previous_period(start, end):
    """The period just before `start`, of the same length: the previous reporting year when the period is
    a whole year (1 April 2023 to 31 March 2024 before 2024-2025, whatever the leap days), otherwise as
    many days ending the day before."""
    def year_before(day):
        # 29 February has no twin in the year before: the 28th stands for it.
        return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)

    following = end + datetime.timedelta(days=1)
    if (following.month, following.day) == (start.month, start.day) and following.year == start.year + 1:
        return year_before(start), start - datetime.timedelta(days=1)
    previous_end = start - datetime.timedelta(days=1)
    return previous_end - (end - start), previous_end


def achieved_between(results, start, end):
    """How many of the results in effect were achieved from `start` to `end`: each counts in the period
    of its date."""
    return sum(
        1 for result in results if result.archived_at is None and result.achieved_on and start <= result.achieved_on <= end
    )


def step_data(step):
    return {
        "done_on": step.done_on,
        "organisation": str(step.organisation),
        "organisation_name": step.organisation.name,
        "description": step.description,
        "link": step.link,
        "review": step.review,
        "review_label": step.review_label,
    }


def in_plan_language(gather_function):
    """A document's data is gathered in its plan's language (the labels it holds: states, reviews), as
    it is rendered (`language_of`), whoever asks for it."""

    @functools.wraps(gather_function)
    def gather_in_plan_language(plan, *args, **kwargs):
        with translation.override(plan.language):
            return gather_function(plan, *args, **kwargs)

    return gather_in_plan_language


def in_document_language(render_function):
    """A rendering of a document's `data` in the document's language (`language_of`)."""

    @functools.wraps(render_function)
    def render_in_document_language(data, *args, **kwargs):
        with translation.override(language_of(data)):
            return render_function(data, *args, **kwargs)

    return render_in_document_language


@in_plan_language
def gather(plan, start, end, texts=None):
    """Everything the bilan of `plan` from `start` to `end` (both included) says, as JSON-ready data, with
    the committee's `texts` (`Bilan.texts`)."""
    axes = list(plan.axes.order_by("number"))
    objectives = list(
        plan.objectives.order_by("number").prefetch_related(
            Prefetch("partner_links", queryset=ObjectivePartner.objects.select_related("organisation"))
        )
    )
    actions = list(
        plan.actions.order_by("number").prefetch_related(
            Prefetch("partner_links", queryset=ActionPartner.objects.select_related("organisation"))
        )
    )
    results = list(plan.results.order_by("number"))
    steps = list(
        Step.objects.filter(action__plan=plan)
        .between(start, end)
        .select_related("organisation")
        .order_by("done_on", "created_at", "pk")
    )
    step_results = Step.results.through.objects.filter(step__in=[step.pk for step in steps]).values_list(
        "expectedresult_id", flat=True
    )
    results_with_steps = set(step_results)
    set_by_hand = statuses_set_by_then(plan, end)
    # Planned steps due in the period (dropped ones aside), and how many of them were ticked off.
    planned_by_axis = PlannedStep.objects.filter(action__plan=plan).in_period(start, end).counts_by_axis()
    # The previous period, for the comparison: its validated steps counted per action in one query; its
    # results achieved and progress come from the results already read.
    previous_start, previous_end = previous_period(start, end)
    previous_steps = dict(
        Step.objects.filter(action__plan=plan, review=Step.Review.VALIDATED)
        .between(previous_start, previous_end)
        .order_by()
        .values("action_id")
        .annotate(count=Count("id"))
        .values_list("action_id", "count")
    )
    with_steps_by_end = set(
        Step.objects.filter(action__plan=plan, done_on__lte=end).order_by().values_list("action_id", flat=True).distinct()
    )

    steps_by_action = defaultdict(list)
    for step in steps:
        steps_by_action[step.action_id].append(step)
    results_by_action = defaultdict(list)
    for result in results:
        results_by_action[result.action_id].append(result)
    actions_by_objective = defaultdict(list)
    for action in actions:
        actions_by_objective[action.objective_id].append(action)
    objectives_by_axis = defaultdict(list)
    for objective in objectives:
        objectives_by_axis[objective.axis_id].append(objective)

    named = {}  # organisations the report names, for its acronym list

    def names(links):
        for link in links:
            named[link.organisation.pk] = link.organisation
        return [str(link.organisation) for link in links]

    body, pending, all_progress, all_previous_progress = [], [], [], []
    achieved_count = 0  # results achieved during the period: each counts in the year of its date
    for axis in axes:
        axis_entry = {"code": axis.code, "title": axis.title, "archived": axis.archived_at is not None}
        axis_progress, axis_objectives = [], []
        axis_previous = {"step_count": 0, "achieved_count": 0, "progress": []}
        axis_achieved = 0
        for objective in objectives_by_axis[axis.pk]:
            objective_entry = {
                "code": objective.code,
                "title": objective.title,
                "description": objective.description,
                "archived": objective.archived_at is not None,
                "partners": [],
            }
            objective_links = list(objective.partner_links.all())
            objective_progress, objective_actions = [], []
            for action in actions_by_objective[objective.pk]:
                action_steps = steps_by_action[action.pk]
                action_results = results_by_action[action.pk]
                # The previous period counts every action of the axis, as it was then.
                axis_previous["step_count"] += previous_steps.get(action.pk, 0)
                axis_previous["achieved_count"] += achieved_between(action_results, previous_start, previous_end)
                in_plan = not (axis.archived_at or objective.archived_at or action.archived_at)
                if not in_plan and not action_steps:
                    continue  # archived items appear only with steps in the period
                action.objective = objective  # its partners are prefetched: the action may inherit them
                progress = progress_of(action_results, start, end)
                if action.archived_at is None:
                    objective_progress.append(progress)
                    axis_previous["progress"].append(progress_of(action_results, previous_start, previous_end))
                validated = [step for step in action_steps if step.review == Step.Review.VALIDATED]
                for step in action_steps:
                    named[step.organisation.pk] = step.organisation
                    if step.review != Step.Review.VALIDATED:
                        pending.append({**step_data(step), "action_code": action.code, "action_text": action.text})
                status, reason = status_at_end(
                    action, results_by_action[action.pk], action.pk in with_steps_by_end, set_by_hand, end
                )
                axis_achieved += achieved_between(action_results, start, end)
                objective_actions.append(
                    {
                        "code": action.code,
                        "text": action.text,
                        "archived": action.archived_at is not None,
                        "period": action.period,
                        "status": status,
                        "status_label": ActionStatus(status).label,
                        "status_reason": reason,
                        # Today's status, only where it differs from the status at the end of the period.
                        "status_today_label": ActionStatus(action.status).label if action.status != status else "",
                        "partners": names(action.partner_links_in_effect),
                        "inherits_partners": action.inherits_partners,
                        "progress": progress,
                        "results": [
                            {
                                "code": result.code,
                                "text": result.text,
                                "period": result.period,
                                "archived": result.archived_at is not None,
                                "achieved_on": result.achieved_on if achieved_by(result, end) else None,
                            }
                            for result in results_by_action[action.pk]
                            if result.archived_at is None or result.pk in results_with_steps
                        ],
                        "steps": [step_data(step) for step in validated],
                        "pending_count": len(action_steps) - len(validated),
                    }
                )
            if not objective_actions and (objective.archived_at or axis.archived_at):
                continue
            objective_entry["partners"] = names(objective_links)
            objective_entry["actions"] = objective_actions
            objective_entry["progress"] = roll_up(objective_progress)
            axis_progress += objective_progress
            axis_objectives.append(objective_entry)
        if not axis_objectives and axis.archived_at:
            continue
        axis_entry["objectives"] = axis_objectives
        axis_entry["progress"] = roll_up(axis_progress)
        axis_entry["step_count"] = sum(len(a["steps"]) for o in axis_objectives for a in o["actions"])
        axis_entry["planned_count"], axis_entry["planned_done_count"] = planned_by_axis.get(axis.pk, (0, 0))
        axis_entry["achieved_count"] = axis_achieved
        axis_entry["previous"] = {**axis_previous, "progress": roll_up(axis_previous["progress"])}
        achieved_count += axis_achieved
        all_progress += axis_progress
        all_previous_progress += axis_previous["progress"]
        body.append(axis_entry)

    committees = []
    for committee in plan.committees.prefetch_related(
        Prefetch("member_links", queryset=CommitteeMember.objects.select_related("organisation"))
    ):
        members = []
        for link in committee.member_links.all():
            named[link.organisation.pk] = link.organisation
            members.append(f"{link.organisation} ({link.note})" if link.note else str(link.organisation))
        if committee.other_members:
            members.append(committee.other_members)
        committees.append({"name": committee.name, "members": members})

    # Contributions by organisation: its steps of the period, the actions its validated steps are on (in
    # the plan's order), and the year's meetings it attended (counted from the meetings read just below).
    contributors = defaultdict(lambda: {"validated": 0, "pending": 0, "action_ids": set(), "attended": 0})
    meetings = meetings_held(plan, start, end, named, contributors)
    action_order = {action.pk: index for index, action in enumerate(actions)}
    action_codes = {action.pk: action.code for action in actions}
    for step in steps:
        counts = contributors[step.organisation]
        if step.review == Step.Review.VALIDATED:
            counts["validated"] += 1
            counts["action_ids"].add(step.action_id)
        else:
            counts["pending"] += 1
    organisations = [
        {
            "name": org.name,
            "acronym": org.acronym,
            "validated": counts["validated"],
            "pending": counts["pending"],
            "actions": [action_codes[pk] for pk in sorted(counts["action_ids"], key=action_order.get)],
            "attended": counts["attended"],
        }
        for org, counts in sorted(contributors.items(), key=lambda item: french.sort_key(item[0].name))
    ]

    data = {
        "plan": {
            "title": plan.title,
            "slug": plan.slug,
            "language": plan.language,
            "region": plan.region,
            "period": plan.period,
            "priority": plan.priority,
            "mission": plan.mission,
            "values": list(plan.values),
            "follow_up": list(plan.follow_up),
        },
        "starts_on": start,
        "ends_on": end,
        "generated_on": timezone.localdate(),
        "progress": roll_up(all_progress),
        "axes": body,
        "pending": pending,
        "committees": committees,
        "meetings": meetings,
        "organisations": organisations,
        "step_count": sum(axis["step_count"] for axis in body),
        "planned_count": sum(axis["planned_count"] for axis in body),
        "planned_done_count": sum(axis["planned_done_count"] for axis in body),
        "pending_count": len(pending),
        "achieved_count": achieved_count,
        "previous": {
            "starts_on": previous_start,
            "ends_on": previous_end,
            "step_count": sum(axis["previous"]["step_count"] for axis in body),
            "achieved_count": sum(axis["previous"]["achieved_count"] for axis in body),
            "progress": roll_up(all_previous_progress),
        },
        "texts": texts or {},
    }
    data["acronyms"] = acronyms_used(plan, named.values(), data)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def meetings_held(plan, start, end, named, contributors):
    """The plan's meetings held in the period, in order: their body, day and time, place, the organisations
    present and excused, and their decisions with the changes to the plan they made. Adds the
    organisations named to `named` (for the acronyms), and one to the « attended » count of each
    organisation present in `contributors` (the contributions by organisation)."""
    meetings = (
        Meeting.objects.filter(plan=plan)
        .held_between(start, end)
        .select_related("committee")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("organisation").filter(person=None)),
            Prefetch(
                "decisions",
                queryset=Decision.objects.prefetch_related(
                    Prefetch("actions", queryset=Action.objects.order_by("code")),
                    Prefetch("amendments", queryset=Amendment.objects.select_related("action", "merged_into")),
                ),
            ),
        )
        .order_by("starts_at", "pk")
    )
    entries = []
    for meeting in meetings:
        present, excused = [], []
        for row in sorted(meeting.attendance.all(), key=lambda row: row.organisation.name.casefold()):
            named[row.organisation.pk] = row.organisation
            if row.presence == Attendance.Presence.PRESENT:
                present.append(str(row.organisation))
                contributors[row.organisation]["attended"] += 1
            else:
                excused.append(str(row.organisation))
        start_at = timezone.localtime(meeting.starts_at)
        entries.append(
            {
                "body": meeting.body_name,
                "held_on": start_at.date(),
                "time": f"{start_at.hour}\u00a0h\u00a0{start_at.minute:02d}",
                "place": meeting.place,
                "present": present,
                "excused": excused,
                "decisions": [
                    {
                        "text": decision.text,
                        "actions": [action.code for action in decision.actions.all()],
                        "amendments": [
                            {
                                "kind": amendment.kind,
                                "kind_label": amendment.get_kind_display(),
                                "code": amendment.action.code,
                                "text_before": amendment.text_before,
                                "text_after": amendment.text_after,
                                "merged_into": amendment.merged_into.code if amendment.merged_into else "",
                            }
                            for amendment in decision.amendments.all()
                        ],
                    }
                    for decision in meeting.decisions.all()
                ],
            }
        )
    return entries


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def acronyms_used(plan, organisations, data):
    """The acronyms this report uses: those of the organisations it names, and the plan's other terms
    that appear in its text."""
    entries = {org.acronym: org.name for org in organisations if org.acronym and org.acronym != org.name}
    text = "\n".join(strings_in(data))
    for acronym, meaning in plan.terms.values_list("acronym", "meaning"):
        if re.search(rf"(?<!\w){re.escape(acronym)}(?!\w)", text):
            entries[acronym] = meaning
    return sorted(entries.items(), key=lambda entry: french.sort_key(entry[0]))


def revive(value):
    """Stored data back for the templates: the ISO dates under keys ending in `_on` become dates."""
    if isinstance(value, dict):
        return {
            key: datetime.date.fromisoformat(item) if key.endswith("_on") and isinstance(item, str) else revive(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [revive(item) for item in value]
    return value


def language_of(data):
    """The language the document is written in: its plan's (`Plan.language`; fr-CA for the data of a
    bilan gathered before plans had one)."""
    return data["plan"].get("language") or settings.LANGUAGE_CODE


def language_tag(data):
    """The language as documents name it (<html lang>, the PDF's /Lang, Word's properties): fr-CA, en."""
    language, _sep, region = language_of(data).partition("-")
    return f"{language}-{region.upper()}" if region else language


def document_title(data):
    """The title of the document's window and metadata, as the template's <title> says it."""
    with translation.override(language_of(data)):
        return _("Bilan annuel – %(title)s") % {"title": data["plan"]["title"]}


def render_html(data, for_print=True, part=None, axes=None, toc_pages=None, mark=""):
    """The document as HTML: the PDF's source, and the preview shown in the browser. A long report is
    rendered in parts (`part` "front", "axis" with `axes`, or "back"; see `render_pdf_in_parts`). `mark`
    is what every page says of the version (`Bilan.page_mark`: « Projet — version 3 du … »)."""
    bilan = revive(data)
    if part is None:
        axes = bilan["axes"]
    context = {
        "bilan": bilan,
        "for_print": for_print,
        "part": part,
        "axes_shown": axes or [],
        "toc_pages": toc_pages,
        "mark": mark,
        "titles": Bilan.TEXTS,  # the committee's texts under the titles the form and the DOCX give them
        "lang": language_tag(data),
    }
    with translation.override(language_of(data)):
        return render_to_string("bilans/document.html", context)


# Above this many lines of content (actions and steps), the PDF is rendered in parts: WeasyPrint keeps the
# layout of every page of a document in memory until it is written (about 2.6 MB a page), so a
# 2,000-action, 10,000-step report would need more than 1 GB in one piece.
PARTS_ABOVE = 3000


def size_of(data):
    actions = sum(len(objective["actions"]) for axis in data["axes"] for objective in axis["objectives"])
    return actions + data["step_count"] + data["pending_count"]


# A report in one piece is a tagged PDF/UA-1: its structure tree (headings, paragraphs, lists, tables,
# the chart's alternative text), the language of <html lang> (the plan's), the <title> in its metadata (shown
# as the window's title) and a bookmark per heading. PDF/UA rather than PDF/A-3: WeasyPrint makes one
# variant at a time, the funder and the partners read the file (screen readers need the tags), and the
# bilan's frozen data is what is archived. A report made in parts (above PARTS_ABOVE) is not tagged: see
# render_pdf_in_parts.
TAGGED = {"pdf_variant": "pdf/ua-1"}


def weasy(html, **options):
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render(**options)


@contextlib.contextmanager
def fewer_collections():
    """WeasyPrint makes millions of small objects that live until the PDF is written; with its default
    thresholds, Python's cyclic garbage collector goes over all of them again and again (about a quarter
    of the layout time of a long part). Collect less often while a document is laid out and written."""
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def render_pdf(data, on_progress=None, mark=""):
    """The PDF of the document, with `mark` on every page. `on_progress(percent)` is told as the layout
    goes."""
    if size_of(data) > PARTS_ABOVE:
        return render_pdf_in_parts(data, on_progress, mark)
    html = render_html(data, mark=mark)
    if on_progress:
        on_progress(30)
    with fewer_collections():
        document = weasy(html, **TAGGED)
        if on_progress:
            on_progress(85)
        return document.write_pdf(**TAGGED)


def render_pdf_in_parts(data, on_progress=None, mark=""):
    """A long report in parts (front matter, each axis, back matter), so that no process keeps the layout
    of the whole report in memory. The parts are laid out in parallel in `render_processes()` child
    processes (or one after the other in this process if that is 1). The parts' page counts give the
    table of contents its page numbers; the running header and "page X de Y" are then laid over every
    page, and the parts joined.

    The joined report is not tagged (no structure tree): it keeps its title, language and bookmarks only.
    pypdf joins pages, not structure trees (`PdfWriter.append` drops each page's /StructParents), and a
    join by hand was tried (session 18: the parts tagged, their trees cloned under one /Document, the keys
    renumbered) and gave a valid tree, but not a usable report: for 2,000 actions and 10,000 steps,
    19.4 MB instead of 1.5 MB and 956 MB of memory instead of 206 MB in this process, since pypdf holds
    every structure element as a Python object and writes each as a plain object (it writes no object
    streams, which WeasyPrint packs them in: https://github.com/py-pdf/pypdf/pull/2738); qpdf does not
    join structure trees either (https://github.com/qpdf/qpdf/issues/490). A tagged long report would
    need WeasyPrint to lay it out in one piece (about 2.6 MB of memory a page, see PARTS_ABOVE)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    # The front matter's length does not depend on the numbers in its table of contents: a draft of it
    # gives its page count and the anchors of its sections, laid out with the other parts.
    parts = [("front", None)] + [("axis", [axis]) for axis in data["axes"]] + [("back", None)]
    htmls = [
        render_html(data, part=part, axes=revive(axes) if axes else None, toc_pages={"": 0}, mark=mark)
        for part, axes in parts
    ]
    done = []

    def advance(_result):
        done.append(1)
        if on_progress:
            on_progress(20 + 60 * len(done) // len(parts))

    with part_renderer(len(parts)) as render:
        laid_out = render(htmls, advance)
        toc_pages, offset = {}, 0
        for _pdf, anchors in laid_out:
            for number, names in enumerate(anchors, start=offset + 1):
                for name in names:
                    toc_pages.setdefault(name, number)
            offset += len(anchors)
        total = offset
        # The front matter with its page numbers, and the marks of every page, side by side.
        (front, _anchors), (marks, _none) = render(
            [render_html(data, part="front", toc_pages=toc_pages, mark=mark), render_page_marks(data, total, mark)]
        )
    if on_progress:
        on_progress(90)

    pdfs = [front] + [pdf for pdf, _anchors in laid_out[1:]]
    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    for page, mark in zip(writer.pages, PdfReader(io.BytesIO(marks)).pages):
        page.merge_page(mark)
        page.compress_content_streams()  # merging leaves the page's content uncompressed
    writer.compress_identical_objects()
    writer.add_metadata({"/Title": document_title(data)})
    writer._root_object[NameObject("/Lang")] = TextStringObject(language_tag(data))  # as the template's <html lang>
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def render_part(html):
    """One part laid out and written: its PDF, and the anchors on each of its pages (their number is the
    part's page count). Runs in a child process: it takes and returns plain data."""
    with fewer_collections():
        document = weasy(html)
        anchors = [list(page.anchors) for page in document.pages]
        return document.write_pdf(), anchors


def render_processes():
    """How many child processes lay out the parts of a long report: the BILAN_RENDER_PROCESSES setting
    (0: one per core), never more than the machine's cores. 1 lays them out in this process."""
    cores = os.cpu_count() or 1
    wanted = settings.BILAN_RENDER_PROCESSES or cores
    return max(1, min(wanted, cores))


@contextlib.contextmanager
def part_renderer(parts):
    """A function that lays out a list of HTML parts and returns `render_part`'s results in the same
    order, with `on_done(result)` called as each one is ready: in child processes when there are
    several cores (`render_processes()`), here otherwise.

    The children are started with "spawn", not "fork": a forked child would inherit this process's open
    database connections, its threads' locks (a development server's request thread, a worker's) and
    the libraries' state (fontconfig, Pango); a spawned child shares nothing. It costs each child its
    start-up (Python, Django, WeasyPrint: about a second), small beside a report long enough to be cut.
    Each child sets Django up (`django.setup`, from the settings module in the environment it inherits)
    before it is given anything: the static files finders need the app registry. As with any spawned
    child, a script that calls this must keep its work under `if __name__ == "__main__":` (manage.py
    does): the child imports the script's main module again."""
    workers = min(render_processes(), parts)
    if workers <= 1 or not os.environ.get("DJANGO_SETTINGS_MODULE"):

        def in_this_process(htmls, on_done=None):
            results = []
            for html in htmls:
                results.append(render_part(html))
                if on_done:
                    on_done(results[-1])
            return results

        yield in_this_process
        return

    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=django.setup) as pool:

        def in_children(htmls, on_done=None):
            # The longest parts first, so that no core is left with a long part at the end.
            order = sorted(range(len(htmls)), key=lambda index: -len(htmls[index]))
            futures = {pool.submit(render_part, htmls[index]): index for index in order}
            results = [None] * len(htmls)
            try:
                for future in concurrent.futures.as_completed(futures):
                    results[futures[future]] = future.result()
                    if on_done:
                        on_done(results[futures[future]])
            except BaseException:
                for future in futures:
                    future.cancel()  # a part failed: the task fails without laying out the rest
                raise
            return results

        yield in_children


def render_page_marks(data, pages, mark=""):
    """Empty pages carrying only the running header, the version's mark and "page X de Y", laid over a
    report made in parts."""
    with translation.override(language_of(data)):
        context = {"bilan": revive(data), "pages": range(pages), "mark": mark, "lang": language_tag(data)}
        return render_to_string("bilans/page_marks.html", context)


@in_document_language
def render_xlsx(data):
    """The same data as a workbook, one sheet per axis, one row per step (or per action without steps)."""
    headers = [
        _("Objectif"),
        _("Action"),
        _("Moyen ou action"),
        _("État"),
        _("Partenaires"),
        _("Avancement au début (%)"),
        _("Avancement à la fin (%)"),
        _("Résultats atteints"),
        _("Date de l’étape"),
        _("Organisation"),
        _("Étape réalisée"),
        _("Validation"),
    ]
    book = tablib.Databook()
    used_titles = set()
    for axis in data["axes"]:
        sheet = tablib.Dataset(headers=headers, title=sheet_title(axis, used_titles))
        for objective in axis["objectives"]:
            for action in objective["actions"]:
                results = action["results"]
                achieved = sum(1 for result in results if result["achieved_on"])
                common = [
                    objective["code"],
                    action["code"],
                    action["text"],
                    action["status_label"] + (" – " + _("archivée") if action["archived"] else ""),
                    ", ".join(action["partners"]),
                    action["progress"]["start"],
                    action["progress"]["end"],
                    f"{achieved}/{len(results)}" if results else "",
                ]
                steps = action["steps"] + [s for s in data["pending"] if s["action_code"] == action["code"]]
                if not steps:
                    sheet.append(common + ["", "", "", ""])
                for step in steps:
                    sheet.append(
                        common + [step["done_on"], step["organisation"], step["description"], step["review_label"]]
                    )
        book.add_sheet(sheet)
    return spreadsheet_bytes(book, "xlsx")


def sheet_title(axis, used):
    """Excel sheet names: 31 characters at most, none of []:*?/\\, unique in the workbook."""
    title = re.sub(r"[\[\]:*?/\\]", " ", f"{_('Axe')} {axis['code']} {axis['title']}")[:31].strip()
    while title in used:
        title = title[:28] + f" {len(used)}"
    used.add(title)
    return title
