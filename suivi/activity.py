"""The plan's activity log: who changed or recorded what, and when, across the plan's settings, its items
and its steps, newest first. It reads simple-history's rows of each model as one UNION query, so a page of
the log costs the same few queries whatever the plan's size. It lives in `suivi` because it reads both the
plan's structure and its steps (README, « Layout »)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, CharField, F, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation
from plans.models import Action, Axis, ExpectedResult, Membership, Objective, Plan

from .models import Step

# kind → (label, model, how its history rows find the plan, what names the row's item)
KINDS = {
    "plan": (_("Réglages du plan"), Plan, "id", Value("", output_field=CharField())),
    "axes": (_("Axes"), Axis, "plan_id", F("code")),
    "objectifs": (_("Objectifs"), Objective, "plan_id", F("code")),
    "actions": (_("Actions"), Action, "plan_id", F("code")),
    "resultats": (_("Résultats attendus"), ExpectedResult, "plan_id", F("code")),
    "etapes": (_("Étapes réalisées"), Step, "action__plan_id", F("action__code")),
}
# What one row of the log names: « Action 1.1.1 », « Résultat attendu 1.1.1.2 ».
ITEM = {
    "axes": _("Axe"), "objectifs": _("Objectif"), "actions": _("Action"), "resultats": _("Résultat attendu"),
    "plan": _("Réglages du plan"), "etapes": _("Étape"),
}
WHAT = {"+": _("création"), "~": _("modification"), "-": _("suppression")}


class ActivityFilter(forms.Form):
    """The log's filters, all optional; bad dates get a French message at the field."""

    person = forms.TypedChoiceField(label=_("Personne"), required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(label=_("Organisation"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Quoi"), required=False)
    since = forms.DateField(label=_("Depuis le"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Jusqu’au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        people = get_user_model().objects.filter(plan_roles__plan=plan).order_by("last_name", "first_name", "username")
        self.fields["person"].choices = [("", _("Tout le monde"))] + [
            (person.pk, person.get_full_name() or person.get_username()) for person in people
        ]
        organisations = Organisation.objects.filter(memberships__plan=plan).distinct()
        self.fields["organisation"].choices = [("", _("Toutes"))] + [(org.pk, org.display_name) for org in organisations]
        self.fields["kind"].choices = [("", _("Tout"))] + [(key, label) for key, (label, *_rest) in KINDS.items()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", _("Cette date précède la date de début."))
        return cleaned


def activity(plan, person=None, organisation=None, kind=None, since=None, until=None):
    """The plan's history rows as one queryset of dicts (history_id, history_date, history_type,
    history_user_id, object_id, kind, label, organisation_id), newest first. `organisation`: the steps
    recorded for it and what the people acting for it in this plan changed."""
    members = None
    if organisation is not None:
        members = Membership.objects.filter(plan=plan, organisation_id=organisation).values("user_id")
    parts = []
    for key, (_label, model, plan_field, label) in KINDS.items():
        if kind and key != kind:
            continue
        rows = model.history.filter(**{plan_field: plan.pk})
        if person is not None:
            rows = rows.filter(history_user_id=person)
        if since is not None:
            rows = rows.filter(history_date__date__gte=since)
        if until is not None:
            rows = rows.filter(history_date__date__lte=until)
        # A typed NULL: PostgreSQL reads a bare NULL in a UNION's first part as text.
        step_organisation = F("organisation_id") if model is Step else Cast(Value(None), BigIntegerField())
        if members is not None:
            if model is Step:
                rows = rows.filter(organisation_id=organisation) | rows.filter(history_user_id__in=members)
            else:
                rows = rows.filter(history_user_id__in=members)
        # Every column an annotation of the same name and type in every part: a UNION matches columns by
        # position, and Django puts plain fields before annotations in the SELECT.
        columns = {
            "row_history": F("history_id"),
            "row_date": F("history_date"),
            "row_change": F("history_type"),
            "row_person": F("history_user_id"),
            "row_object": F("id"),
            "row_kind": Value(key, output_field=CharField()),
            "row_label": label,
            "row_organisation": step_organisation,
        }
        parts.append(rows.order_by().annotate(**columns).values_list(*columns))
    if not parts:
        return Plan.history.none().values_list("history_id")  # an unknown kind: nothing
    first, *others = parts
    rows = first.union(*others, all=True) if others else first
    return rows.order_by("-row_date", "-row_history")


def readable_rows(rows):
    """A page of the log as people read it: who (their name), what, on which item. Two queries for the page."""
    rows = list(rows)
    users = get_user_model().objects.in_bulk({row[3] for row in rows} - {None})
    organisations = Organisation.objects.in_bulk({row[7] for row in rows} - {None})
    return [
        {
            "date": date,
            "person": users.get(user_id),
            "what": WHAT.get(change, change),
            "kind": kind,
            "kind_label": ITEM[kind],
            "object_id": object_id,
            "label": label,
            "organisation": organisations.get(organisation_id),
        }
        for _id, date, change, user_id, object_id, kind, label, organisation_id in rows
    ]

