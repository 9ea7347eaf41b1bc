"""The bilans of a plan: list and generate, follow the preparation, preview, download, adopt.

The plan's coordinators and committee members (and superusers) prepare and adopt bilans; they, and the
partners when the plan allows it, read them (`bilans.view_bilan`). Others get 404 when they have no role in
the plan, 403 when they do.
"""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from lib.access import require
from lib.spreadsheets import file_response
from plans.views import get_plan_for

from . import plan_steps
from .documents import render_html, render_xlsx
from .forms import AdoptionForm, BilanForm, BilanTextsForm, PlanStepsForm
from .models import Bilan, PlanDocument, plan_steps_file_name
from .tasks import prepare_bilan, prepare_plan_document
from .word import render_docx


DOCX = plan_steps.CONTENT_TYPES["docx"]


def get_plan_for_bilans(user, slug, permission="bilans.view_bilan"):
    """The plan, if this person may see its bilans: 404 without a role in it, 403 with another role."""
    plan = get_plan_for(user, slug)
    require(user, permission, plan)
    return plan


def get_bilan_for(user, slug, pk, permission="bilans.view_bilan", with_data=False):
    """The bilan, under the same refusals as its plan. Its data (megabytes on a large plan) is read only
    by the pages that show it."""
    plan = get_plan_for_bilans(user, slug, permission)
    bilans = Bilan.objects.select_related("plan", "adopted_by")
    return get_object_or_404(bilans if with_data else bilans.defer("data"), plan=plan, pk=pk)


def bilan_list(request, slug):
    """A plan's bilans, newest version first, and the form that generates a new one."""
    plan = get_plan_for_bilans(request.user, slug)
    bilans = plan.bilans.defer("data").select_related("adopted_by")
    return render(request, "bilans/bilan_list.html", {"plan": plan, "bilans": bilans, "form": BilanForm(plan=plan)})


@require_POST
def bilan_create(request, slug):
    """A new draft, prepared in the background; the person is taken to the page that follows it."""
    plan = get_plan_for_bilans(request.user, slug, permission="bilans.prepare_bilan")
    form = BilanForm(request.POST, plan=plan)
    if not form.is_valid():
        bilans = plan.bilans.defer("data").select_related("adopted_by")
        return render(request, "bilans/bilan_list.html", {"plan": plan, "bilans": bilans, "form": form}, status=400)
    data = form.cleaned_data
    bilan = Bilan.create_draft(plan, data["starts_on"], data["ends_on"], year=data["year"], user=request.user)
    enqueue(bilan)
    return redirect(bilan)


def enqueue(bilan):
    """Prepare the bilan in the background (at once in development), the task's id noted on it."""
    result = prepare_bilan.enqueue(bilan.pk)
    Bilan.objects.filter(pk=bilan.pk).update(task_id=str(result.id)[:64])


@vary_on_headers("HX-Request")
def bilan_detail(request, slug, pk):
    """Where a bilan stands; while it is being prepared, htmx polls the status fragment every 2 s (and the
    page refreshes itself without JavaScript)."""
    bilan = get_bilan_for(request.user, slug, pk)
    context = {"plan": bilan.plan, "bilan": bilan, "adoption_form": AdoptionForm(bilan=bilan)}
    if not request.htmx:
        return render(request, "bilans/bilan_detail.html", context)
    response = render(request, "bilans/bilan_detail.html#status", context)
    if not bilan.is_pending:
        response["HX-Refresh"] = "true"  # ready: the whole page, with the adoption form, comes back
    return response


def bilan_pdf(request, slug, pk):
    bilan = get_bilan_for(request.user, slug, pk)
    if not bilan.is_ready:
        raise Http404(_("Ce bilan n’est pas encore prêt."))
    return FileResponse(bilan.pdf.open("rb"), as_attachment=True, filename=bilan.file_name(), content_type="application/pdf")


def bilan_preview(request, slug, pk):
    """The same document as HTML, from the same stored data as the PDF."""
    bilan = get_bilan_for(request.user, slug, pk, with_data=True)
    if bilan.data is None:
        raise Http404(_("Ce bilan n’est pas encore prêt."))
    return HttpResponse(render_html(bilan.data, for_print=False, mark=bilan.page_mark()))


def bilan_xlsx(request, slug, pk):
    """The bilan's data as a workbook, one sheet per axis."""
    bilan = get_bilan_for(request.user, slug, pk, with_data=True)
    if bilan.data is None:
        raise Http404(_("Ce bilan n’est pas encore prêt."))
    return file_response(render_xlsx(bilan.data), bilan.file_name("xlsx"), "xlsx")


def bilan_docx(request, slug, pk):
    """The same document in Word, made from the stored data when asked (in well under a second, unlike
    the PDF), with the version's mark in the header of every page."""
    bilan = get_bilan_for(request.user, slug, pk, with_data=True)
    if bilan.data is None:
        raise Http404(_("Ce bilan n’est pas encore prêt."))
    response = HttpResponse(render_docx(bilan.data, mark=bilan.page_mark()), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{bilan.file_name("docx")}"'
    return response


@require_POST
def bilan_adopt(request, slug, pk):
    """The committee adopts a draft, in two steps: the form is read back on a confirmation page, then
    confirmed (`confirm=1`). From then on its data never changes; its PDF is made once more with
    « Adopté le … par … » on every page."""
    bilan = get_bilan_for(request.user, slug, pk, permission="bilans.adopt_bilan")
    if bilan.is_adopted or not bilan.is_ready:
        messages.error(request, _("Seul un brouillon prêt peut être adopté."))
        return redirect(bilan)
    form = AdoptionForm(request.POST, bilan=bilan)
    context = {"plan": bilan.plan, "bilan": bilan, "adoption_form": form}
    if not form.is_valid():
        return render(request, "bilans/bilan_detail.html", context, status=400)
    if request.POST.get("confirm") != "1":
        return render(request, "bilans/bilan_adopt.html", context)
    data = form.cleaned_data
    bilan.adopt(data["meeting"], data["adopted_on"], data["adopting_body"], request.user, data["adopted_meeting"])
    enqueue(bilan)
    messages.success(request, _("Le bilan est adopté : sa version est désormais figée."))
    return redirect(bilan)


def bilan_texts(request, slug, pk):
    """The committee's words on a bilan, typed in the browser. On a draft they go into it (prepared
    again); an adopted version keeps the words it was adopted with, and the edit makes a new draft."""
    bilan = get_bilan_for(request.user, slug, pk, permission="bilans.prepare_bilan", with_data=True)
    if bilan.data is None:
        raise Http404(_("Ce bilan n’est pas encore prêt."))
    form = BilanTextsForm(request.POST or None, bilan=bilan)
    if request.method == "POST" and form.is_valid():
        edited = bilan.edit_texts(form.texts(), request.user)
        enqueue(edited)
        if edited.pk == bilan.pk:
            messages.success(request, _("Textes enregistrés : le bilan est préparé de nouveau avec eux."))
        else:
            messages.success(
                request,
                _("La version %(adopted)s reste telle qu’adoptée : vos textes sont dans la nouvelle version %(new)s, "
                  "un brouillon.") % {"adopted": bilan.version, "new": edited.version},
            )
        return redirect(edited)
    return render(request, "bilans/bilan_texts.html", {"plan": bilan.plan, "bilan": bilan, "form": form})


# « Le plan et ses étapes réalisées »: whoever may read the plan's bilans may read and download it.


def plan_steps_for(request, slug):
    """The plan, its period form (from the address) and the table's data, under the bilans' refusals."""
    plan = get_plan_for_bilans(request.user, slug)
    form = PlanStepsForm(request.GET or None, plan=plan)
    return plan, form, plan_steps.gather(plan, *form.period())


def plan_steps_page(request, slug):
    """The plan as its source document lays it out, with the steps validated over the period; printable on
    landscape paper."""
    plan, form, table = plan_steps_for(request, slug)
    query = "?" + request.GET.urlencode() if request.GET and form.is_valid() else ""
    context = {"plan": plan, "form": form, "table": table, "query": query}
    return render(request, "bilans/plan_steps.html", context, status=400 if form.errors else 200)


def plan_steps_file(request, slug, kind):
    """The PDF or Word document at once for a plan of up to `plan_steps.IN_REQUEST_UP_TO` actions; a larger
    plan's is made in the background, on a page of its own that follows it (a 2,000-action plan's PDF takes a
    minute, its DOCX half of one). The same document asked again while it is being made leads to that one: a
    second click queues no second minute of work."""
    plan = get_plan_for_bilans(request.user, slug)
    if plan.actions.count() > plan_steps.IN_REQUEST_UP_TO:
        starts_on, ends_on = PlanStepsForm(request.GET or None, plan=plan).period()
        return redirect(queue_plan_document(request, plan, kind, starts_on, ends_on))
    _plan, _form, table = plan_steps_for(request, slug)
    response = HttpResponse(plan_steps.render(table, kind), content_type=plan_steps.CONTENT_TYPES[kind])
    name = plan_steps_file_name(table["plan"]["slug"], table["starts_on"], table["ends_on"], kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def queue_plan_document(request, plan, kind, starts_on, ends_on):
    """The document being made for this period, or a new one queued; the documents past their week go (every
    plan's: a plan nobody asks about again keeps none). One person has one document in the making at a
    time: each is a minute of the worker's time, which a run of clicks must not take from everyone."""
    asked = {"plan": plan, "kind": kind, "starts_on": starts_on, "ends_on": ends_on}
    in_the_making = PlanDocument.objects.pending().filter(plan=plan)
    document = in_the_making.filter(**asked).first()
    if document is not None:
        return document
    own = in_the_making.filter(requested_by=request.user).first()
    if own is not None:
        messages.info(request, _("Votre document précédent est encore en préparation : demandez le suivant quand il sera prêt."))
        return own
    PlanDocument.objects.past_keeping().discard()
    try:
        with transaction.atomic():
            document = PlanDocument.objects.create(**asked, requested_by=request.user)
    except IntegrityError:  # the same click a moment earlier, in another request
        return PlanDocument.objects.filter(**asked).order_by("-requested_at", "-pk").first()
    prepare_plan_document.enqueue(document.pk)
    return document


def plan_steps_pdf(request, slug):
    return plan_steps_file(request, slug, PlanDocument.Kind.PDF)


def plan_steps_docx(request, slug):
    return plan_steps_file(request, slug, PlanDocument.Kind.DOCX)


def get_plan_document_for(user, slug, pk):
    """A plan's document made in the background, under the same refusals as the plan's bilans."""
    plan = get_plan_for_bilans(user, slug)
    return get_object_or_404(PlanDocument.objects.select_related("plan"), plan=plan, pk=pk)


@vary_on_headers("HX-Request")
def plan_document(request, slug, pk):
    """Where the document of a large plan stands; htmx polls its status every 2 s while it is made (the page
    refreshes itself without JavaScript)."""
    document = get_plan_document_for(request.user, slug, pk)
    context = {"plan": document.plan, "document": document}
    if not request.htmx:
        return render(request, "bilans/plan_document.html", context)
    response = render(request, "bilans/plan_document.html#status", context)
    if not document.is_pending:
        response["HX-Refresh"] = "true"
    return response


def plan_document_file(request, slug, pk):
    document = get_plan_document_for(request.user, slug, pk)
    if not document.is_ready:
        raise Http404(_("Ce document n’est pas encore prêt."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Ce fichier n’est plus disponible.")) from None
    content_type = plan_steps.CONTENT_TYPES[document.kind]
    return FileResponse(handle, as_attachment=True, filename=document.file_name(), content_type=content_type)
