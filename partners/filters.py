"""The filters of the lists of organisations and of accounts (django-filter); each is a GET form."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nom ou courriel"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    active = django_filters.ChoiceFilter(
        label=_("Accès"),
        field_name="is_active",
        choices=[(True, _("Actives")), (False, _("Invitées ou désactivées"))],
        empty_label=_("Tous"),
    )

    class Meta:
        model = get_user_model()
        fields = ["q", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(first_name__icontains=value) | Q(last_name__icontains=value) | Q(email__icontains=value)
            | Q(username__icontains=value)
        )
