"""The search box: actions, expected results, steps and organisations of the plans the person takes part in,
never of another plan. Above suivi (it reads steps) and below nothing."""

from functools import reduce
from operator import and_, or_

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from lib.search import Folded, fold
from partners.models import Organisation
from plans.models import Action, ExpectedResult, Plan, live_action
from suivi.models import Step

SHOWN = 20  # of each kind; a longer list asks for more words
SHORTEST = 2  # characters: one letter would find nearly everything
LONGEST = 100


def matching(queryset, words, *fields, also=None):
    """Rows where every word appears in one of the fields, folded (lib/search.py), or that match `also`."""
    names = [f"folded_{field}" for field in fields]
    annotated = queryset.annotate(**{name: Folded(field) for name, field in zip(names, fields)})
    each_word = [reduce(or_, (Q(**{f"{name}__contains": word}) for name in names)) for word in words]
    condition = reduce(and_, each_word)
    return annotated.filter(condition | also if also is not None else condition)


def first(queryset):
    """The first SHOWN rows, and whether there were more."""
    rows = list(queryset[: SHOWN + 1])
    return rows[:SHOWN], len(rows) > SHOWN


def find(user, text):
    """What the person may read that matches the text, by kind. An item of an archived axis, objective or
    action is left out, as the plan's pages leave it out."""
    words = fold(text).split()
    plans = Plan.objects.visible_to(user).values("pk")
    actions = Action.objects.live().filter(plan__in=plans).select_related("plan")
    results = ExpectedResult.objects.active().filter(live_action("action__"), plan__in=plans)
    steps = Step.objects.filter(live_action("action__"), action__plan__in=plans)
    organisations = Organisation.objects.filter(
        Q(action_links__action__plan__in=plans)
        | Q(objective_links__objective__plan__in=plans)
        | Q(participating_plans__in=plans)
        | Q(memberships__plan__in=plans)
    )
    code = Q(code=text.strip())  # « 3.1.1 » finds the action, « 3.1.1.2 » the result
    found = {
        "actions": matching(actions, words, "text", also=code).order_by("plan__title", *Action._meta.ordering),
        "results": matching(results, words, "text", also=code)
        .select_related("plan", "action__plan")
        .order_by("plan__title", *ExpectedResult._meta.ordering),
        "steps": matching(steps, words, "description").select_related("action__plan", "organisation"),
        # Matched apart, then read: an organisation is linked to a plan in many ways (as many joined rows).
        "organisations": Organisation.objects.filter(
            pk__in=matching(organisations, words, "name", "acronym").values("pk")
        ).order_by("name"),
    }
    found = {kind: first(queryset) for kind, queryset in found.items()}
    return found


@vary_on_headers("HX-Request")
def search(request):
    """The search page (a GET form, so it works without JavaScript); as one types (htmx), only its results."""
    text = request.GET.get("q", "").replace("\x00", "")[:LONGEST].strip()
    found = find(request.user, text) if len(fold(text).replace(" ", "")) >= SHORTEST else None
    several_plans = Plan.objects.visible_to(request.user).count() > 1 if found else False
    context = {"q": text, "found": found, "too_short": bool(text) and found is None, "several_plans": several_plans}
    partial = request.htmx and not request.htmx.history_restore_request
    template = "recherche/search.html#results" if partial else "recherche/search.html"
    return render(request, template, context)
