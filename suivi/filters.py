"""The filters of the plan's steps page."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation

from .models import Step


class StepFilter(django_filters.FilterSet):
    """The plan's steps by organisation, period and validation."""

    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label=_("Organisation"), empty_label=_("Toutes")
    )
    start = django_filters.DateFilter(
        field_name="done_on", lookup_expr="gte", label=_("Du"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = django_filters.DateFilter(
        field_name="done_on", lookup_expr="lte", label=_("Au"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    review = django_filters.ChoiceFilter(
        choices=Step.Review.choices, label=_("Validation"), empty_label=_("Toutes")
    )

    class Meta:
        model = Step
        fields = ["organisation", "start", "end", "review"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        # Exists rather than a join with every step of the plan, which grows with them.
        self.filters["organisation"].queryset = Organisation.objects.filter(
            Exists(Step.objects.filter(organisation=OuterRef("pk"), action__plan=plan))
        )
