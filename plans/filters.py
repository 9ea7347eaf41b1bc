"""Filters of the actions table (django-filter): by axis, objective, partner organisation, status,
reference year and free text; and of the people of a plan. Each is a GET form whose choices come from the
plan being listed."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation

from .models import Action, ActionStatus, PlanRole, Role


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Texte ou code"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    axis = django_filters.ModelChoiceFilter(
        label=_("Axe"), field_name="objective__axis", queryset=None, empty_label=_("Tous les axes")
    )
    objective = django_filters.ModelChoiceFilter(
        label=_("Objectif"), queryset=None, empty_label=_("Tous les objectifs")
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisme partenaire"),
        queryset=None,
        method="filter_organisation",
        empty_label=_("Tous les organismes"),
    )
    status = django_filters.ChoiceFilter(label=_("État"), choices=ActionStatus.choices, empty_label=_("Tous"))
    year = django_filters.TypedChoiceFilter(
        label=_("Année de référence"), method="filter_year", coerce=int, empty_value=None
    )

    class Meta:
        model = Action
        fields = ["q", "axis", "objective", "organisation", "status", "year"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        filters = self.filters
        filters["axis"].queryset = plan.axes.active().order_by("number")
        filters["objective"].queryset = plan.objectives.active().order_by("axis__number", "number")
        filters["organisation"].queryset = Organisation.objects.filter(
            Q(objective_links__objective__plan=plan) | Q(action_links__action__plan=plan)
        ).distinct()
        filters["year"].extra["choices"] = [("", _("Toutes"))] + [
            (year, str(year)) for year in range(plan.first_year, plan.last_year + 1)
        ]

    @property
    def form(self):
        form = super().form
        form.fields["organisation"].label_from_instance = lambda org: org.display_name
        form.fields["objective"].label_from_instance = lambda objective: f"{objective.code} {objective.title}"
        form.fields["axis"].label_from_instance = lambda axis: f"{axis.code} {axis.title}"
        return form

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(text__icontains=value) | Q(code=value) | Q(code__startswith=f"{value}."))

    def filter_organisation(self, queryset, name, organisation):
        """Named on the action, or on its objective when the action names no partners of its own."""
        return queryset.filter(pk__in=Action.objects.for_organisation(organisation).values("pk"))

    def filter_year(self, queryset, name, year):
        """Actions whose reference period includes that year."""
        return queryset.filter(period_start__lte=year, period_end__gte=year)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nom ou courriel"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    role = django_filters.ChoiceFilter(label=_("Rôle"), choices=Role.choices, empty_label=_("Tous"))
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        method="filter_organisation",
        queryset=Organisation.objects.none(),
        empty_label=_("Toutes"),
    )
    active = django_filters.ChoiceFilter(
        label=_("Accès"),
        field_name="user__is_active",
        choices=[(True, _("Actives")), (False, _("Invitées ou désactivées"))],
        empty_label=_("Tous"),
    )

    class Meta:
        model = PlanRole
        fields = ["q", "role", "organisation", "active"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.filters["organisation"].queryset = Organisation.objects.filter(memberships__plan=plan).distinct()

    def filter_organisation(self, queryset, name, value):
        """The people who act for it in this plan (what they act for in other plans does not count here)."""
        return queryset.filter(user__memberships__plan=self.plan, user__memberships__organisation=value).distinct()

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(user__first_name__icontains=value) | Q(user__last_name__icontains=value) | Q(user__email__icontains=value)
        )
