from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _



class BilanForm(forms.Form):
    """A reporting year, or any two dates."""

    year = forms.TypedChoiceField(label=_("Année de reddition"), coerce=int, required=False, empty_value=None)
    starts_on = forms.DateField(label=_("ou du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        last = max(plan.last_year, timezone.localdate().year)
        self.fields["year"].choices = [("", _("Autres dates"))] + [
            (year, "%s (%s – %s)" % (year, *(f"{day:%Y-%m-%d}" for day in plan.reporting_year_starting(year))))
            for year in range(plan.first_year - 1, last + 1)
        ]
        self.fields["year"].initial = self.current_year()

    def current_year(self):
        year = self.plan.reporting_year()[0].year
        return year - 1  # the last complete reporting year is the one a report is usually made for

    def clean(self):
        data = super().clean()
        if data.get("year") is not None:
            data["starts_on"], data["ends_on"] = self.plan.reporting_year_starting(data["year"])
        elif not (data.get("starts_on") and data.get("ends_on")):
            raise forms.ValidationError(_("Choisissez une année de reddition, ou indiquez les deux dates."))
        elif data["starts_on"] > data["ends_on"]:
            self.add_error("ends_on", _("La date de fin ne peut pas précéder la date de début."))
        return data


class AdoptionForm(forms.Form):
    meeting = forms.CharField(
        label=_("Rencontre où il a été adopté"),
        max_length=200,
        help_text=_("Par exemple : comité de coordination du 12 juin 2025."),
    )
    adopted_on = forms.DateField(label=_("Adopté le"), widget=forms.DateInput(attrs={"type": "date"}))
