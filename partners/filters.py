"""Filters of the organisations and people lists (django-filter); each is a GET form."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import PlanRole, Role

from .models import Organisation


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nom ou sigle"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Organisation.Kind.choices, empty_label=_("Tous"))
    archived = django_filters.ChoiceFilter(
        label=_("Archivées"),
        method="filter_archived",
        choices=[("no", _("Non archivées")), ("yes", _("Archivées seulement"))],
        empty_label=_("Toutes"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "archived"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=(value == "no"))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nom ou courriel"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    role = django_filters.ChoiceFilter(label=_("Rôle"), choices=Role.choices, empty_label=_("Tous"))
    organisation = django_filters.ModelChoiceFilter(
        label=_("Organisation"),
        field_name="user__memberships__organisation",
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
        self.filters["organisation"].queryset = Organisation.objects.filter(
            memberships__user__plan_roles__plan=plan
        ).distinct()

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(user__first_name__icontains=value) | Q(user__last_name__icontains=value) | Q(user__email__icontains=value)
        )
