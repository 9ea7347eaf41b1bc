"""Planned steps: planned ahead on an action, ticked off when done (they become steps waiting for
validation), unticked before validation, moved to another date or dropped with a reason."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lib.access import require
from lib.history import history_entries
from lib.redirects import back
from plans.models import live_action
from plans.views import get_plan_for

from .forms import DropPlannedStepForm, MovePlannedStepForm, PlannedStepForm, TickForm
from .models import PlannedStep, Step
from .files import accepts_attached_files, delete_files
from .views import attach_files, get_action_for, render_action

# Ids (the organisation and the action are on the page; ticking shows in the step itself).
HIDDEN_IN_HISTORY = ("id", "action", "organisation", "step", "created_at", "planned_by")


def get_planned_step_for(user, slug, pk, permission=None):
    """The planned step, 404 when this person cannot see its plan, 403 when they may not do this to it."""
    plan = get_plan_for(user, slug)
    planned = get_object_or_404(PlannedStep.objects.for_display().filter(live_action("action__")), pk=pk, action__plan=plan)
    if permission:
        require(user, permission, planned)
    return planned


@require_POST
def add_planned_step(request, slug, code):
    action = get_action_for(request.user, slug, code)
    require(request.user, "suivi.add_planned_step", action)
    form = PlannedStepForm(request.POST, action=action, user=request.user)
    if not form.is_valid():
        return render_action(request, action, planned_form=form, status=422)
    with transaction.atomic():
        planned = form.save(commit=False)
        planned.action, planned.planned_by = action, request.user
        planned.save()
        form.save_m2m()
    messages.success(request, _("Étape prévue pour le %(date)s.") % {"date": formats.date_format(planned.due_on)})
    return redirect(f"{action.get_absolute_url()}#prevue-{planned.pk}")


def render_row(request, planned, tick_form=None, refusal=None):
    """A planned step's row (the htmx answer), or back to the page it was on."""
    planned = get_planned_step_for(request.user, planned.action.plan.slug, planned.pk)
    planned.tick_form = tick_form
    context = {"plan": planned.action.plan, "planned": planned, "refusal": refusal,
               "show_action": request.POST.get("show_action") == "1", "next": back(request, "")}
    return render(request, "suivi/includes/planned_step.html", context)


@require_POST
@accepts_attached_files
def tick_planned_step(request, slug, pk):
    """It is done: the planned step becomes a step waiting for validation, dated today unless the person
    says otherwise, with their note, link and files. A second tick (a double submit, a page left open)
    changes nothing."""
    planned = get_planned_step_for(request.user, slug, pk)
    if planned.step_id is not None:
        return render_row(request, planned) if request.htmx else redirect(back(request, planned.get_absolute_url()))
    require(request.user, "suivi.tick_planned_step", planned)
    form = TickForm(request.POST, request.FILES, planned=planned)
    step_form = form.step_form(request.user, request.FILES) if form.is_valid() else None
    if not form.is_valid():
        if request.htmx:  # htmx swaps only successful answers: the row with its errors comes back as 200
            return render_row(request, planned, tick_form=form)
        action = get_action_for(request.user, slug, planned.action.code)
        return render_action(request, action, refused_tick=form, status=422)
    with transaction.atomic():
        planned = PlannedStep.objects.select_for_update().get(pk=planned.pk)
        if planned.step_id is None:
            step = planned.tick_off(step_form, by=request.user)
            attach_files(step, step_form.cleaned_data["files"])
            step.action.refresh_status()
            if request.user.has_perm("suivi.review_step", step):  # as add_step: the coordination's own step
                step.set_review(Step.Review.VALIDATED, by=request.user)
    if request.htmx:
        return render_row(request, planned)
    messages.success(request, _("Étape cochée : elle est inscrite comme réalisée et attend la validation de la "
                                "coordination."))
    return redirect(back(request, planned.get_absolute_url()))


@require_POST
def untick_planned_step(request, slug, pk):
    """Not done after all: before validation, the step is removed and the planned step is open again;
    after it, refused (the step is the proof the bilan counts)."""
    planned = get_planned_step_for(request.user, slug, pk)
    if planned.step_id is None:
        return render_row(request, planned) if request.htmx else redirect(back(request, planned.get_absolute_url()))
    require(request.user, "suivi.untick_planned_step", planned)
    if planned.step.review == Step.Review.VALIDATED:
        refusal = _("Cette étape a été validée par la coordination : elle ne se décoche plus. Si elle est "
                    "inexacte, écrivez à la coordination.")
        if request.htmx:
            return render_row(request, planned, refusal=refusal)
        messages.error(request, refusal)
        return redirect(back(request, planned.get_absolute_url()))
    with transaction.atomic():
        step = planned.step
        planned.step = None
        planned.save(update_fields=["step"])
        delete_files(step.files.all())
        step.delete()
        planned.action.refresh_status()
    if request.htmx:
        return render_row(request, planned)
    messages.success(request, _("Étape décochée : elle est de nouveau prévue."))
    return redirect(back(request, planned.get_absolute_url()))


def change_planned_step(request, slug, pk):
    """Move a planned step to another date, or drop it; either with its reason, kept in its history."""
    planned = get_planned_step_for(request.user, slug, pk, "suivi.change_planned_step")
    dropping = request.method == "POST" and "abandon-reason" in request.POST
    move_form = MovePlannedStepForm(None if dropping else request.POST or None, planned=planned)
    drop_form = DropPlannedStepForm(request.POST if dropping else None)
    if request.method == "POST":
        form = drop_form if dropping else move_form
        if form.is_valid():
            if dropping:
                planned.drop(form.cleaned_data["reason"], by=request.user)
                messages.success(request, _("Étape prévue abandonnée."))
            else:
                planned.move(form.cleaned_data["due_on"], form.cleaned_data["reason"], by=request.user)
                messages.success(request, _("Étape reportée au %(date)s.") % {"date": formats.date_format(planned.due_on)})
            return redirect(planned.get_absolute_url())
    context = {"plan": planned.action.plan, "planned": planned, "move_form": move_form, "drop_form": drop_form}
    status = 422 if request.method == "POST" else 200
    return render(request, "suivi/planned_step_change.html", context, status=status)


def planned_step_history(request, slug, pk):
    """Who planned, moved, dropped or ticked the planned step, when, and what changed."""
    planned = get_planned_step_for(request.user, slug, pk)
    context = {"plan": planned.action.plan, "item": planned, "entries": history_entries(planned, HIDDEN_IN_HISTORY)}
    return render(request, "plans/edit/item_history.html", context)
