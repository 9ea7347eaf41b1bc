"""The coordinator edits the plan in place: adds, changes, moves, archives or deletes its axes, objectives,
actions and expected results, restores archived ones, changes the plan's settings, starts a new plan.

Every view works without JavaScript: a page with a form, then a redirect to the item on the plan page.
With htmx, the form opens inside the plan page (the `panel` fragment of the same template), and after a
change the view answers with the plan page, from which the form's `hx-select` takes the plan: codes that
moved are renumbered everywhere at once. Who may do what is decided in plans/rules.py.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reselect, reswap, retarget

from lib.access import require
from lib.converters import whole_number
from lib.history import history_entries, readable
from lib.locking import refuse_stale
from partners.models import name_of_person

from .forms import FORMS, NewPlanForm, PlanSettingsForm
from .models import Action, Axis, ExpectedResult, Objective, Plan, PlanRole, Role
from .views import get_plan_for, plan_detail

# The item kinds as they read in the addresses (/plans/<slug>/modifier/actions/12/).
KINDS = {"axes": Axis, "objectifs": Objective, "actions": Action, "resultats": ExpectedResult}
# Where each level is on the plan page (results are found with their action).
ANCHORS = {Axis: "axe", Objective: "objectif", Action: "action"}


def get_plan_to_edit(user, slug):
    """The plan, if this person may change it: 404 if they have no role in it, 403 if they may only read it."""
    plan = get_plan_for(user, slug)
    require(user, "plans.change_plan", plan)
    return plan


def get_model(kind):
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def get_item_to_edit(user, slug, kind, pk):
    plan = get_plan_to_edit(user, slug)
    return plan, get_object_or_404(get_model(kind), plan=plan, pk=pk)


def anchor(item):
    """The id of the item (or of its nearest ancestor shown with one) on the plan page."""
    while type(item) not in ANCHORS:
        item = item.parent
    return f"{ANCHORS[type(item)]}-{item.code}"


def back_to_plan(request, plan, item=None, message=""):
    """After a change: for htmx, the plan page (the form selects the plan from it); otherwise a redirect to
    the item on the plan page, with a message."""
    if message:  # for htmx too: the plan page's message region comes back with it (hx-select-oob)
        messages.success(request, message)
    if request.htmx:
        return plan_detail(request, plan.slug)
    url = plan.get_absolute_url()
    return redirect(f"{url}#{anchor(item)}" if item is not None and item.archived_at is None else url)


def searched(form, request):
    """The form, its list of partners narrowed to the organisations searched for without JavaScript."""
    words = request.GET.get("recherche", "").strip()
    if words and hasattr(form, "only_partners_matching"):
        form.only_partners_matching(words)
    form.searched_for = words
    return form


def panel_response(request, context, panel_id):
    """The item's form: its fragment for htmx, the whole page otherwise. A refused htmx save goes back
    into the open form rather than over the plan."""
    context = {**context, "panel_id": panel_id, "inline": request.htmx}
    if request.htmx:  # focus moves into the form that just opened
        first = next(iter(context["form"].visible_fields()), None)
        if first is not None:
            first.field.widget.attrs["autofocus"] = True
    template = "plans/edit/item_form.html#panel" if request.htmx else "plans/edit/item_form.html"
    response = render(request, template, context)
    if request.htmx and request.method == "POST":
        selector = f"#{panel_id}"
        reselect(retarget(reswap(response, "outerHTML"), selector), selector)
    return response


# What the history pages leave out: internal ids, and the plan and slug every item of a plan shares.
HIDDEN_IN_HISTORY = ("id", "plan", "slug")


def their_version(theirs, form_class):
    """The fields of the row as someone else saved it, to show beside a refused save."""
    model = type(theirs)
    values = [
        (model._meta.get_field(name).verbose_name, readable(model._meta.get_field(name), getattr(theirs, name)))
        for name in form_class._meta.fields
    ]
    if hasattr(theirs, "partner_links"):
        partners = ", ".join(str(link.organisation) for link in theirs.partner_links.select_related("organisation"))
        values.append((_("organismes partenaires"), partners))
    return values


STALE_SAVE = gettext_lazy(
    "Quelqu’un d’autre a enregistré cet élément pendant que vous le modifiiez : vos modifications ne "
    "sont pas enregistrées. Sa version (version %(version)s) est affichée ci-dessous; enregistrez de "
    "nouveau pour la remplacer par la vôtre."
)


def refuse_stale_edit(form_class, data, instance):
    """A form opened on an older version: the person's typing kept, the saved version shown beside it."""
    form, theirs = refuse_stale(form_class, data, instance, STALE_SAVE)
    return form, their_version(theirs, form_class)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def edit_item(request, slug, kind, pk):
    """Change an item's texts (and partners), from the version the form was opened on."""
    plan, item = get_item_to_edit(request.user, slug, kind, pk)
    form_class = FORMS[type(item)]
    theirs = None
    if request.method == "POST":
        form = form_class(request.POST, instance=item)
        if form.is_valid():
            with transaction.atomic():
                saved = item.save_from_version(form.cleaned_data["version"])
                if saved and hasattr(form, "save_partners"):
                    form.save_partners()
            if saved:
                return back_to_plan(request, plan, item, _("%(item)s : modifications enregistrées.") % {"item": item.code})
            form, theirs = refuse_stale_edit(form_class, request.POST, item)
    else:
        form = searched(form_class(instance=item), request)
    context = {"plan": plan, "item": item, "kind": kind, "form": form, "theirs": theirs}
    return panel_response(request, context, f"panel-{kind}-{item.pk}")


def get_parent(request, plan, model):
    """The parent a new item goes under, named by ?parent= (or the form's parent field)."""
    if not model.parent_field:
        return None
    parent_model = model._meta.get_field(model.parent_field).related_model
    pk = whole_number(request.POST.get("parent") or request.GET.get("parent") or "")
    if pk is None:
        raise Http404
    return get_object_or_404(parent_model.objects.active(), plan=plan, pk=pk)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def add_item(request, slug, kind):
    """Add an axis, or an objective, action or result under its parent, at the end or at a position."""
    plan = get_plan_to_edit(request.user, slug)
    model = get_model(kind)
    parent = get_parent(request, plan, model)
    item = model(plan=plan, **({model.parent_field: parent} if parent else {}))
    form_class = FORMS[model]
    if request.method == "POST":
        form = form_class(request.POST, instance=item)
        if form.is_valid():
            with transaction.atomic():
                item.insert_at(form.cleaned_data.get("position"))
                if hasattr(form, "save_partners"):
                    form.save_partners()
            return back_to_plan(request, plan, item, _("%(item)s : ajouté.") % {"item": item.code})
    else:
        form = searched(form_class(instance=item), request)
    context = {"plan": plan, "item": None, "parent": parent, "kind": kind, "model": model, "form": form}
    return panel_response(request, context, f"panel-{kind}-new-{parent.pk if parent else plan.pk}")


@require_POST
def move_item(request, slug, kind, pk):
    """Move an item up or down one, or to a position, among its siblings; the codes follow."""
    plan, item = get_item_to_edit(request.user, slug, kind, pk)
    direction = request.POST.get("direction")
    position = whole_number(request.POST.get("position", ""))
    if direction in ("up", "down"):
        target = item.number - 1 if direction == "up" else item.number + 1
    elif position is not None and position >= 1:
        target = position
    else:
        if request.htmx:  # the browser checks the field; nothing to move
            return back_to_plan(request, plan, item)
        messages.error(request, _("Indiquez une position (1, 2, 3…)."))
        return redirect(reverse("plans:edit_item", args=[plan.slug, kind, item.pk]))
    item.move_to(target)
    return back_to_plan(request, plan, item, _("Déplacé : c’est maintenant %(code)s.") % {"code": item.code})


@require_http_methods(["GET", "POST"])
def delete_item(request, slug, kind, pk):
    """Delete an item with nothing recorded on it or below it; archive it otherwise (nothing recorded is
    ever deleted). GET asks for confirmation (without JavaScript)."""
    plan, item = get_item_to_edit(request.user, slug, kind, pk)
    if request.method == "GET":
        return render(request, "plans/edit/confirm_delete.html", {"plan": plan, "item": item, "kind": kind})
    code, parent = item.code, item.parent
    if item.delete_or_archive():
        message = _("%(item)s : supprimé.") % {"item": code}
    else:
        message = _(
            "%(item)s : archivé plutôt que supprimé, parce que des étapes ou des résultats atteints y sont "
            "inscrits. Il reste dans les éléments archivés, d’où vous pouvez le restaurer."
        ) % {"item": code}
    return back_to_plan(request, plan, parent, message)


@require_POST
def archive_item(request, slug, kind, pk):
    """Take an item (and what is below it) out of the plan, keeping everything recorded; restorable."""
    plan, item = get_item_to_edit(request.user, slug, kind, pk)
    code, parent = item.code, item.parent
    item.archive()
    message = _("%(item)s : archivé. Il reste dans les éléments archivés, d’où vous pouvez le restaurer.") % {"item": code}
    return back_to_plan(request, plan, parent, message)


@require_POST
def restore_item(request, slug, kind, pk):
    """Bring an archived item back into the plan, last among its siblings."""
    plan, item = get_item_to_edit(request.user, slug, kind, pk)
    parent = item.parent
    while parent is not None:
        if parent.archived_at is not None:
            messages.error(
                request,
                _("%(item)s est sous un élément archivé (%(parent)s) : restaurez d’abord celui-ci.")
                % {"item": item.code, "parent": parent.code},
            )
            return redirect("plans:archived", plan.slug)
        parent = parent.parent
    item.restore()
    return back_to_plan(request, plan, item, _("Restauré : c’est maintenant %(code)s.") % {"code": item.code})


@require_http_methods(["GET", "POST"])
def archive_plan(request, slug):
    """Archive the plan: out of the home page's list, read-only for everyone, nothing deleted; restorable.
    GET asks for confirmation."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "plans.archive_plan", plan)
    if request.method == "GET":
        return render(request, "plans/archive_plan.html", {"plan": plan})
    if not plan.is_archived:
        plan.archive()
        messages.success(
            request,
            _("Le plan est archivé : il se lit comme vous l’avez laissé, plus rien ne s’y inscrit. Vous pouvez le restaurer ici."),
        )
    return redirect(plan)


@require_POST
def restore_plan(request, slug):
    """Open an archived plan again."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "plans.archive_plan", plan)
    if plan.is_archived:
        plan.restore()
        messages.success(request, _("Le plan est restauré : il est de nouveau ouvert."))
    return redirect(plan)


def item_history(request, slug, kind, pk):
    """Who changed this item, when, and what: every field before and after."""
    plan = get_plan_for(request.user, slug)
    require(request.user, "plans.view_plan", plan)
    item = get_object_or_404(get_model(kind), plan=plan, pk=pk)
    partner_changes = None
    if hasattr(item, "partner_links"):  # objectives and actions: their partners, added, removed or changed
        links = item.partner_links.model.history.filter(**{f"{item._meta.model_name}_id": item.pk})
        partner_changes = links.select_related("history_user", "organisation").order_by("-history_date", "-history_id")
    context = {
        "plan": plan,
        "item": item,
        "kind": kind,
        "entries": history_entries(item, hidden=HIDDEN_IN_HISTORY, person=name_of_person),
        "partner_changes": partner_changes,
    }
    return render(request, "plans/edit/item_history.html", context)


def plan_history(request, slug):
    """Who changed the plan's settings, when, and what."""
    plan = get_plan_for(request.user, slug)
    return render(
        request,
        "plans/edit/item_history.html",
        {"plan": plan, "item": plan, "entries": history_entries(plan, hidden=HIDDEN_IN_HISTORY, person=name_of_person)},
    )


def archived_items(request, slug):
    """The plan's archived items, to restore."""
    plan = get_plan_to_edit(request.user, slug)
    groups = [
        (model._meta.verbose_name_plural, kind, model.objects.filter(plan=plan, archived_at__isnull=False).order_by("code"))
        for kind, model in KINDS.items()
    ]
    return render(request, "plans/edit/archived.html", {"plan": plan, "groups": groups})


@require_http_methods(["GET", "POST"])
def plan_settings(request, slug):
    """The plan's title, years, statement and settings."""
    plan = get_plan_to_edit(request.user, slug)
    theirs = None
    if request.method == "POST":
        form = PlanSettingsForm(request.POST, instance=plan)
        if form.is_valid():
            if plan.save_from_version(form.cleaned_data["version"]):
                messages.success(request, _("Les réglages du plan sont enregistrés."))
                return redirect(plan)
            form, theirs = refuse_stale_edit(PlanSettingsForm, request.POST, plan)
    else:
        form = PlanSettingsForm(instance=plan)
    return render(request, "plans/edit/plan_settings.html", {"plan": plan, "form": form, "theirs": theirs})


@require_http_methods(["GET", "POST"])
def new_plan(request):
    """A new plan, empty or with the structure of a plan this person coordinates; they coordinate it."""
    require(request.user, "plans.add_plan", None)
    sources = Plan.objects.all()
    if not request.user.is_superuser:
        sources = sources.filter(roles__user=request.user, roles__role=Role.COORDINATOR)
    form = NewPlanForm(request.POST or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            source = form.cleaned_data["source"]
            if source is not None:
                fields = {name: form.cleaned_data[name] for name in NewPlanForm._meta.fields}
                plan = source.copy(**fields)
            else:
                plan = form.save()
            PlanRole.objects.update_or_create(plan=plan, user=request.user, defaults={"role": Role.COORDINATOR})
        messages.success(request, _("Le plan « %(plan)s » est créé.") % {"plan": plan})
        return redirect(plan)
    return render(request, "plans/edit/new_plan.html", {"form": form})
