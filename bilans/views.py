"""The bilans of a plan: list and generate, follow the preparation, preview, download, adopt.

The plan's coordinators and committee members (and superusers) prepare and adopt bilans; they, and the
partners when the plan allows it, read them (`bilans.view_bilan`). Others get 404 when they have no role in
the plan, 403 when they do.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from lib.access import require
from lib.spreadsheets import file_response
from plans.views import get_plan_for

from .documents import render_html, render_xlsx
from .forms import AdoptionForm, BilanForm
from .models import Bilan
from .tasks import prepare_bilan


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
    result = prepare_bilan.enqueue(bilan.pk)
    Bilan.objects.filter(pk=bilan.pk).update(task_id=str(result.id)[:64])
    return redirect(bilan)


@vary_on_headers("HX-Request")
def bilan_detail(request, slug, pk):
    """Where a bilan stands; while it is being prepared, htmx polls the status fragment every 2 s (and the
    page refreshes itself without JavaScript)."""
    bilan = get_bilan_for(request.user, slug, pk)
    context = {"plan": bilan.plan, "bilan": bilan, "adoption_form": AdoptionForm()}
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
    return HttpResponse(render_html(bilan.data, for_print=False))


def bilan_xlsx(request, slug, pk):
    """The bilan's data as a workbook, one sheet per axis."""
    bilan = get_bilan_for(request.user, slug, pk, with_data=True)
    if bilan.data is None:
        raise Http404(_("Ce bilan n’est pas encore prêt."))
    return file_response(render_xlsx(bilan.data), bilan.file_name("xlsx"), "xlsx")


@require_POST
def bilan_adopt(request, slug, pk):
    """The committee adopts a draft: from then on its PDF and data never change."""
    bilan = get_bilan_for(request.user, slug, pk, permission="bilans.adopt_bilan")
    form = AdoptionForm(request.POST)
    if bilan.is_adopted or not bilan.is_ready:
        messages.error(request, _("Seul un brouillon prêt peut être adopté."))
        return redirect(bilan)
    if not form.is_valid():
        context = {"plan": bilan.plan, "bilan": bilan, "adoption_form": form}
        return render(request, "bilans/bilan_detail.html", context, status=400)
    bilan.adopt(form.cleaned_data["meeting"], form.cleaned_data["adopted_on"], request.user)
    messages.success(request, _("Le bilan est adopté : sa version est désormais figée."))
    return redirect(bilan)
