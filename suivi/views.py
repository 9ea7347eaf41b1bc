"""Steps partners record on their actions, the results they tick, and the coordination's review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from lib import french
from lib.access import require
from lib.converters import whole_number, whole_numbers
from lib.locking import refuse_stale
from lib.redirects import back
from partners.models import Organisation
from plans.models import Action, ExpectedResult, live_action, mean_of, months_before
from plans.rules import organisation_ids
from plans.views import get_plan_for

from .activity import ActivityFilter, activity, readable_rows
from .filters import StepFilter
from .forms import AchievementForm, ActionStatusForm, PlannedStepForm, ReturnStepForm, StepForm, TickForm
from .files import accepts_attached_files, delete_files, serve
from .models import CheckIn, PlannedStep, Step, StepFile

LATEST_STEPS = 10  # on the plan's page and, of other organisations, on "Mes actions"
STEPS_PER_ACTION = 3  # on "Mes actions"; the action's page has them all
# A page of step cards: what a phone scrolls through, and what a page costs to draw (docs/benchmarks.md).
STEPS_PER_PAGE = 25
CHECK_INS_SHOWN = 5  # on the action's page: the latest; older ones only tell that the action went on

STALE_STEP = gettext_lazy(
    "Quelqu’un d’autre a enregistré cette étape pendant que vous la modifiiez : vos modifications (et les "
    "fichiers que vous joigniez) ne sont pas enregistrées. Sa version est affichée ci-dessous; enregistrez "
    "de nouveau pour la remplacer par la vôtre."
)
VALIDATED_MEANWHILE = gettext_lazy(
    "La coordination a validé cette étape pendant que vous la modifiiez : vos modifications (et les fichiers "
    "que vous joigniez) ne sont pas enregistrées. Une étape validée ne se modifie plus que par la coordination : "
    "si elle doit changer, écrivez-lui. Ce que vous aviez saisi est repris ci-dessous."
)
STALE_STATUS = gettext_lazy(
    "Quelqu’un d’autre a modifié cette action pendant que vous en fixiez l’état : rien n’est enregistré. "
    "Voici son état actuel; choisissez de nouveau."
)


def action_queryset():
    """An action with what its page shows, in a fixed number of queries."""
    return Action.objects.select_related("plan", "objective__axis").with_partners_in_effect().prefetch_related(
        Prefetch(
            "results", queryset=ExpectedResult.objects.active().select_related("achieved_by", "plan").order_by("number")
        ),
    )


def get_action_for(user, slug, code):
    """The action of a plan this person takes part in; 404 otherwise."""
    plan = get_plan_for(user, slug)
    action = get_object_or_404(action_queryset().live(), plan=plan, code=code)
    return action


def get_step_for(user, slug, pk, permission):
    """The step, 404 when this person cannot see its plan, 403 when they may not do this to it."""
    plan = get_plan_for(user, slug)
    steps = Step.objects.for_display().select_related("action__plan").filter(live_action("action__"))
    step = get_object_or_404(steps, pk=pk, action__plan=plan)
    require(user, permission, step)
    return step


def latest_steps_of_actions():
    """What « Mes actions » draws of an action's steps: its latest few, under the action in hand."""
    return Prefetch(
        "steps", queryset=Step.objects.for_display(with_action=False)[:STEPS_PER_ACTION], to_attr="latest_steps"
    )


def planned_steps_of(organisations):
    """What « Mes actions » shows of an action's planned steps: those of these organisations still to do,
    and those ticked off that wait for validation (to be unticked where they were ticked)."""
    return Prefetch(
        "planned_steps",
        queryset=PlannedStep.objects.open_or_awaiting_validation().filter(organisation__in=organisations)
        .select_related("organisation", "planned_by", "step").prefetch_related("results").order_by("due_on", "pk"),
        to_attr="shown_planned_steps",
    )


@vary_on_headers("HX-Request")
def my_actions(request, slug):
    """A partner's home, answering « what should I do now »: the steps the coordination sent back first,
    then the actions due this reporting year with no step nor check-in for `stale_after_months` months (the
    rule of « Actions à relancer » and of the reminders, `ActionQuerySet.stale`), then their other
    actions, by axis; or (htmx, `?action=<code>`) one action's latest steps, when its list is opened.

    An action's list of latest steps is closed unless its latest step was sent back, and is drawn only when
    opened: with the busiest partners the closed lists held most of the page's cards. Without JavaScript,
    the closed list links to the action's steps."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "suivi.view_my_actions", plan)  # the coordination and the committee act for none
    if request.htmx and "action" in request.GET:
        code = request.GET["action"]
        if "\x00" in code:  # no code has one, and PostgreSQL refuses it in a query (a 500)
            raise Http404
        opened = (
            Action.objects.live().for_user(request.user, plan).select_related("plan").with_step_summary()
            .prefetch_related(latest_steps_of_actions())
        )
        action = get_object_or_404(opened, code=code)
        return render(request, "suivi/my_actions.html#action-steps", {"plan": plan, "action": action})
    organisations = Organisation.objects.filter(pk__in=organisation_ids(request.user, plan.pk))
    actions = list(
        action_queryset()
        .live()
        .for_user(request.user, plan)
        .with_step_summary()
        .with_latest_step_review()
        .order_by("objective__axis__number", "objective__number", "number")
    )
    opened = [action for action in actions if action.latest_step_review == Step.Review.RETURNED]
    prefetch_related_objects(opened, latest_steps_of_actions())
    prefetch_related_objects(actions, planned_steps_of(organisations))
    overdue = sum(1 for action in actions for planned in action.shown_planned_steps if planned.state == "overdue")
    year_start, year_end = plan.reporting_year()
    due = [action for action in actions if is_due(action, year_start, year_end)]
    recent = months_before(timezone.localdate(), plan.stale_after_months)
    # Without news as « Actions à relancer » and the reminders say it: no step nor check-in (stale()).
    without_news = set(plan.stale_actions().for_user(request.user, plan).values_list("pk", flat=True))
    now = [action for action in due if action.pk in without_news]
    first = {action.pk for action in now}
    rest = [action for action in actions if action.pk not in first]
    returned = Step.objects.for_display().filter(
        action__plan=plan, organisation__in=organisations, review=Step.Review.RETURNED
    )
    others = (
        Step.objects.for_display()
        .filter(action__plan=plan)
        .exclude(organisation__in=organisations)
        .select_related("action")[:LATEST_STEPS]
    )
    return render(
        request,
        "suivi/my_actions.html",
        {
            "plan": plan,
            "organisations": organisations,
            "actions": actions,
            "progress": mean_of(action.progress() for action in actions),
            "due": due,
            "now_actions": now,
            "other_actions": rest,
            "recent_since": recent,
            "year_start": year_start,
            "year_end": year_end,
            "others_steps": others,
            "returned_steps": returned,
            "overdue_count": overdue,
        },
    )


def is_due(action, year_start, year_end):
    """Still to do, and its reference years reach into this reporting year (an action without years is
    due every year)."""
    return action.status not in (Action.Status.DONE, Action.Status.ABANDONED) and action.meets(year_start, year_end)


def action_detail(request, slug, code):
    """An action: its partners, results, steps, and the form to record a step when the person may."""
    return render_action(request, get_action_for(request.user, slug, code))


def render_action(
    request, action, form=None, status_form=None, refused_achievement=None, planned_form=None, refused_tick=None,
    status=200,
):
    """The action's page; `form`, `status_form`, `refused_achievement`, `planned_form` and `refused_tick`
    carry a refused submission's errors."""
    with_achievement_forms(action, refused_achievement)
    if form is None and request.user.has_perm("suivi.add_step", action):
        form = StepForm(action=action, user=request.user)
    if planned_form is None and request.user.has_perm("suivi.add_planned_step", action):
        planned_form = PlannedStepForm(action=action, user=request.user)
    planned_steps = list(PlannedStep.objects.for_display().filter(action=action).in_order())
    for planned in planned_steps:
        planned.action = action
        planned.tick_form = refused_tick if refused_tick and refused_tick.planned.pk == planned.pk else TickForm(planned=planned)
    steps = Step.objects.for_display(with_action=False).filter(action=action)
    page = Paginator(steps, STEPS_PER_PAGE).get_page(request.GET.get("page"))
    for step in page:  # the action in hand, with its plan and partners, rather than a copy read with each step
        step.action = action
    context = {
        "plan": action.plan,
        "action": action,
        "page": page,
        "steps": page.object_list,
        "form": form,
        "check_ins": action.check_ins.select_related("organisation", "person")[:CHECK_INS_SHOWN],
        "status_form": status_form or ActionStatusForm(action=action),
        "planned_steps": planned_steps,
        "planned_form": planned_form,
    }
    return render(request, "suivi/action_detail.html", context, status=status)


@require_POST
@accepts_attached_files
def add_step(request, slug, code):
    action = get_action_for(request.user, slug, code)
    require(request.user, "suivi.add_step", action)
    form = StepForm(request.POST, request.FILES, action=action, user=request.user)
    if not form.is_valid():
        return render_action(request, action, form, status=422)
    validated_at_once = record_step(form, action, request.user)
    if validated_at_once:
        messages.success(request, _("Étape inscrite et validée."))
    else:
        messages.success(
            request, _("Étape inscrite. Elle est visible de tous et attend la validation de la coordination.")
        )
    return redirect(action.get_absolute_url())


def record_step(form, action, author):
    """Save a valid step form on the action, with its files, in one transaction; True when its author
    validates it at once (the coordination itself: nobody else would)."""
    with transaction.atomic():
        step = form.save(commit=False)
        step.action = action
        step.author = author
        step.save()
        form.save_m2m()
        attach_files(step, form.cleaned_data.get("files", []))
        action.refresh_status()
        validated_at_once = author.has_perm("suivi.review_step", step)
        if validated_at_once:
            step.set_review(Step.Review.VALIDATED, by=author)
    return validated_at_once


@require_POST
def check_in(request, slug, code):
    """« Rien de nouveau, toujours en cours » : the action goes on, nothing to record; it is no longer stale."""
    action = get_action_for(request.user, slug, code)
    require(request.user, "suivi.add_check_in", action)
    CheckIn.record(request.user, action)
    messages.success(request, _("C’est noté : l’action est toujours en cours, sans nouvelle étape."))
    return redirect(action.get_absolute_url())


def attach_files(step, uploads):
    for upload in uploads:
        StepFile.from_upload(upload, step=step).save()


@accepts_attached_files
def edit_step(request, slug, pk):
    """Change a step, from the version the form was opened on: of two people saving the same version, the
    second is shown the first one's step, their own typing kept."""
    try:
        step = get_step_for(request.user, slug, pk, "suivi.change_step")
    except PermissionDenied:
        return refuse_validated_meanwhile(request, slug, pk)
    action = get_action_for(request.user, slug, step.action.code)
    removing = whole_numbers(request.POST.getlist("remove_file"))
    kwargs = {"action": action, "user": request.user, "removing": removing}
    form = StepForm(request.POST or None, request.FILES or None, instance=step, **kwargs)
    theirs = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            step = form.save(commit=False)
            if not request.user.has_perm("suivi.review_step", step):
                # A change made by the organisation goes back to the coordination.
                step.review, step.reviewed_by, step.reviewed_at = Step.Review.PENDING, None, None
            saved = step.save_from_version(form.cleaned_data["version"])
            if saved:
                form.save_m2m()
                attach_files(step, form.cleaned_data["files"])
                delete_files(step.files.filter(pk__in=removing))
        if saved:
            messages.success(request, _("Étape modifiée."))
            return redirect(action.get_absolute_url())
        form, theirs = refuse_stale(StepForm, request.POST, step, STALE_STEP, **kwargs)
        step, theirs = theirs, as_saved(theirs)
    context = {"plan": action.plan, "action": action, "step": step, "form": form, "theirs": theirs}
    return render(request, "suivi/step_form.html", context, status=409 if theirs else 200)


def refuse_validated_meanwhile(request, slug, pk):
    """A partner saves a step that the coordination validated after they opened it (a review takes a new
    version): it is no longer theirs to change, and they are told why, with what they typed. Anyone else,
    or a form opened on the validated version, gets the plain refusal."""
    step = get_step_for(request.user, slug, pk, "suivi.change_step_but_for_validation")
    opened_on = whole_number(request.POST.get("version", ""))
    if request.method != "POST" or opened_on is None or opened_on >= step.version:
        raise PermissionDenied
    action = step.action
    typed = [(Step._meta.get_field("description").verbose_name, request.POST.get("description", ""))]
    context = {
        "plan": action.plan, "action": action, "step": step, "theirs": as_saved(step), "typed": typed,
        "validated_meanwhile": VALIDATED_MEANWHILE,
    }
    return render(request, "suivi/step_form.html", context, status=409)


def as_saved(step):
    """A step's fields as someone else saved it, to show beside a refused save."""
    fields = {name: Step._meta.get_field(name).verbose_name for name in ("description", "done_on", "organisation", "link")}
    results = ", ".join(f"{result.code} {result.text}" for result in step.results.order_by("number"))
    return [
        (fields["description"], step.description),
        (fields["done_on"], french.date(step.done_on)),
        (fields["organisation"], step.organisation),
        (fields["link"], step.link),
        (Step._meta.get_field("results").verbose_name, results),
    ]


def delete_step(request, slug, pk):
    step = get_step_for(request.user, slug, pk, "suivi.delete_step")
    action = step.action
    if request.method == "POST":
        with transaction.atomic():
            delete_files(step.files.all())
            step.delete()
            action.refresh_status()
        messages.success(request, _("Étape supprimée."))
        return redirect(action.get_absolute_url())
    return render(request, "suivi/step_confirm_delete.html", {"plan": action.plan, "action": action, "step": step})


@require_POST
def validate_step(request, slug, pk):
    step = get_step_for(request.user, slug, pk, "suivi.review_step")
    step.set_review(Step.Review.VALIDATED, by=request.user)
    messages.success(request, _("Étape validée."))
    return redirect(back(request, step.action.get_absolute_url()))


@require_POST
def return_step(request, slug, pk):
    step = get_step_for(request.user, slug, pk, "suivi.review_step")
    form = ReturnStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez pourquoi vous renvoyez l’étape : l’organisation verra ce commentaire."))
        return redirect(back(request, step.action.get_absolute_url()))
    step.set_review(Step.Review.RETURNED, by=request.user, comment=form.cleaned_data["comment"])
    messages.success(request, _("Étape renvoyée à l’organisation avec votre commentaire."))
    return redirect(back(request, step.action.get_absolute_url()))


@require_POST
def toggle_result(request, slug, pk):
    """Mark an expected result achieved on a date (today unless the person chooses another), or not
    achieved: one click either way. The form says which (`achieved=1` or `0`), so a second click from a
    page left open, or a double submit, changes nothing. With `change=1` the coordination corrects the
    date of an achievement already recorded."""
    plan = get_plan_for(request.user, slug)
    result = get_object_or_404(ExpectedResult.objects.active().select_related("action__plan"), pk=pk, plan=plan)
    action = get_action_for(request.user, slug, result.action.code)
    result.action, result.plan = action, plan  # its prefetched partners decide the permission
    require(request.user, "suivi.achieve_result", result)
    achieved = request.POST.get("achieved") == "1"
    changing = achieved and result.is_achieved and request.POST.get("change") == "1"
    if changing:
        require(request.user, "suivi.change_achievement_date", result)
    form = AchievementForm(request.POST, result=result)
    if achieved and (changing or not result.is_achieved):
        if not form.is_valid():
            return render_results(request, action, refused=form)
        with transaction.atomic():
            result.achieved_on = form.cleaned_data["achieved_on"]
            if not changing:
                result.achieved_by = request.user
            result.save(update_fields=["achieved_on", "achieved_by"])
            action.refresh_status()
    elif not achieved and result.is_achieved:
        with transaction.atomic():
            result.achieved_on, result.achieved_by = None, None
            result.save(update_fields=["achieved_on", "achieved_by"])
            action.refresh_status()
    if request.htmx:
        return render_results(request, get_action_for(request.user, slug, action.code))
    return redirect(back(request, action.get_absolute_url()))


def render_results(request, action, refused=None):
    """The results block of the action's page (its htmx fragment), or the whole page, with a refused
    date's error at its field. htmx swaps only successful responses, so the fragment with the error
    comes back as 200; the whole page as 422."""
    if request.htmx:
        with_achievement_forms(action, refused)
        return render(request, "suivi/action_detail.html#results", {"plan": action.plan, "action": action})
    return render_action(request, action, refused_achievement=refused, status=422 if refused else 200)


def with_achievement_forms(action, refused=None):
    """Each result of the action with its date form (`refused`, bound with its errors, for its result)."""
    for result in action.results.all():
        result.plan = action.plan
        is_refused = refused is not None and refused.result.pk == result.pk
        result.achievement_form = refused if is_refused else AchievementForm(result=result)
    return action


@require_POST
def set_action_status(request, slug, code):
    action = get_action_for(request.user, slug, code)
    require(request.user, "suivi.set_action_status", action)
    form = ActionStatusForm(request.POST, action=action)
    if not form.is_valid():
        return render_action(request, action, status_form=form, status=422)
    if not form.save():
        action = get_action_for(request.user, slug, code)
        form = ActionStatusForm(current_status(action), action=action)
        form.is_valid()
        form.add_error(None, STALE_STATUS)
        return render_action(request, action, status_form=form, status=409)
    messages.success(request, _("État de l’action mis à jour."))
    return redirect(action.get_absolute_url())


def current_status(action):
    """The status form's values for the action as it is saved."""
    status = action.status if action.status_is_manual else ActionStatusForm.AUTOMATIC
    return {"status": status, "reason": action.status_reason, "version": action.version}


def download_file(request, slug, pk):
    """A step's file, for the people of its plan only."""
    plan = get_plan_for(request.user, slug)
    return serve(get_object_or_404(StepFile.objects.select_related("step__action"), pk=pk, step__action__plan=plan))


def plan_steps(request, slug):
    """Every step of the plan, newest first, by organisation, period and validation, a page at a time."""
    plan = get_plan_for(request.user, slug)
    steps = StepFilter(request.GET or None, queryset=Step.objects.for_display().filter(action__plan=plan), plan=plan)
    page = Paginator(steps.qs, STEPS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"plan": plan, "filter": steps, "page": page, "steps": page.object_list, "query": query.urlencode()}
    return render(request, "suivi/plan_steps.html", context)


def steps_to_review(request, slug):
    """The coordination's queue: steps waiting for validation, oldest first, a page at a time."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "suivi.review_steps", plan)
    steps = Step.objects.for_display().filter(action__plan=plan).awaiting_review().order_by("created_at", "pk")
    page = Paginator(steps, STEPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "suivi/steps_to_review.html", {"plan": plan, "page": page, "steps": page.object_list})


def stale_actions(request, slug):
    """Actions under way where nothing has been written for a while: the next meeting's agenda."""
    plan = get_plan_for(request.user, slug)
    actions = (
        plan.stale_actions()
        .select_related("plan", "objective__axis")  # the plan: each action's address has its slug
        .with_partners_in_effect()
        .order_by("objective__axis__number", "objective__number", "number")
    )
    return render(request, "suivi/stale_actions.html", {"plan": plan, "actions": actions})


ACTIVITY_PER_PAGE = 50


def plan_activity(request, slug):
    """The plan's activity log: who changed or recorded what, when, filterable, 50 a page."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "suivi.view_activity", plan)
    filters = ActivityFilter(request.GET or None, plan=plan)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = activity(
        plan,
        person=chosen.get("person"),
        organisation=chosen.get("organisation"),
        kind=chosen.get("kind") or None,
        since=chosen.get("since"),
        until=chosen.get("until"),
    )
    page = Paginator(rows, ACTIVITY_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "plan": plan,
        "filters": filters,
        "page": page,
        "entries": readable_rows(page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "suivi/plan_activity.html", context)
