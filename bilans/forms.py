from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting
from plans.models import within_the_years

from .models import Bilan, reporting_year_label
from .plan_steps import whole_plan


class BilanForm(forms.Form):
    """A reporting year, or any two dates."""

    year = forms.TypedChoiceField(label=_("Année de reddition"), coerce=int, required=False, empty_value=None)
    starts_on = forms.DateField(
        label=_("ou du"), required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=[within_the_years]
    )
    ends_on = forms.DateField(
        label=_("au"), required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=[within_the_years]
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        last = max(plan.last_year, timezone.localdate().year)
        # « 2024-2025 » as the coalition says it; the two dates are the exception, so they come last.
        self.fields["year"].choices = [
            (year, reporting_year_label(year, plan.reporting_year_start_month)) for year in range(plan.first_year - 1, last + 1)
        ] + [("", _("Autres dates"))]
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
    """Who adopted this version, at which meeting and when; sent twice: once to be read back on the
    confirmation page, once confirmed (`confirm`)."""

    adopting_body = forms.CharField(
        label=_("Adopté par"),
        max_length=200,
        help_text=_("Qui adopte le bilan, tel que chaque page le dira : « Adopté le … par le comité de coordination »."),
    )
    adopted_meeting = forms.ModelChoiceField(
        label=_("Réunion où il a été adopté"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("(une rencontre qui n’est pas dans l’application)"),
        help_text=_("Les réunions du comité de coordination de ce plan."),
    )
    meeting = forms.CharField(
        label=_("ou rencontre où il a été adopté"),
        max_length=200,
        required=False,
        help_text=_("Quand la réunion n’est pas dans l’application. Par exemple : assemblée du 12 juin 2025."),
    )
    adopted_on = forms.DateField(label=_("Adopté le"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, bilan, **kwargs):
        super().__init__(*args, **kwargs)
        self.bilan = bilan
        self.fields["adopted_meeting"].queryset = (
            Meeting.objects.filter(plan_id=bilan.plan_id).of_coordination_committee().select_related("plan").order_by("-starts_at")
        )
        self.fields["adopting_body"].initial = _("le comité de coordination")
        attrs = self.fields["adopted_on"].widget.attrs
        attrs["max"] = timezone.localdate().isoformat()
        if bilan.produced_on:
            attrs["min"] = bilan.produced_on.isoformat()

    def clean_adopted_on(self):
        adopted_on = self.cleaned_data["adopted_on"]
        self.bilan.check_adoption_date(adopted_on)
        return adopted_on

    def clean(self):
        data = super().clean()
        if not data.get("adopted_meeting") and not data.get("meeting", "").strip() and not self.has_error("meeting"):
            self.add_error("adopted_meeting", _("Choisissez la réunion où le bilan a été adopté, ou nommez la rencontre."))
        return data


MARKUP_HELP = _(
    "Une ligne vide sépare les paragraphes ; « - » en début de ligne fait une liste à puces, « 1. » une liste "
    "numérotée ; **gras** ; [texte du lien](https://exemple.org)."
)


class BilanTextsForm(forms.Form):
    """The committee's words: four texts for the year, and a comment for each axis and objective of the
    bilan, all optional. Field names: the keys of `Bilan.TEXTS`, then `axe-<code>` and `objectif-<code>`."""

    def __init__(self, *args, bilan, **kwargs):
        super().__init__(*args, **kwargs)
        self.bilan = bilan
        texts = bilan.texts or {}
        for key, label in Bilan.TEXTS.items():
            self.fields[key] = self.text_field(label, texts.get(key, ""), rows=6)
        self.fields[next(iter(Bilan.TEXTS))].help_text = MARKUP_HELP
        for axis in bilan.data["axes"]:
            label = _("Commentaire sur l’axe %(code)s : %(title)s") % axis
            self.fields[f"axe-{axis['code']}"] = self.text_field(label, texts.get("axes", {}).get(axis["code"], ""))
            for objective in axis["objectives"]:
                label = _("Commentaire sur l’objectif %(code)s : %(title)s") % objective
                initial = texts.get("objectives", {}).get(objective["code"], "")
                self.fields[f"objectif-{objective['code']}"] = self.text_field(label, initial)

    @staticmethod
    def text_field(label, initial, rows=3):
        return forms.CharField(
            label=label, required=False, initial=initial, max_length=20_000, widget=forms.Textarea(attrs={"rows": rows})
        )

    def texts(self):
        """The texts as `Bilan.texts` keeps them, empty ones left out."""
        data = {key: value.strip() for key, value in self.cleaned_data.items()}
        texts = {key: data[key] for key in Bilan.TEXTS if data[key]}
        texts["axes"] = {k.removeprefix("axe-"): v for k, v in data.items() if k.startswith("axe-") and v}
        texts["objectives"] = {
            k.removeprefix("objectif-"): v for k, v in data.items() if k.startswith("objectif-") and v
        }
        return texts


class PlanStepsForm(BilanForm):
    """The period of « Le plan et ses étapes réalisées »: the whole plan unless a reporting year or two dates
    are chosen (read from the address, so the page, its PDF and its Word document share it)."""

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["year"].label = _("Période")
        years = [choice for choice in self.fields["year"].choices if choice[0] != ""]  # « Autres dates » goes
        self.fields["year"].choices = [("", _("Tout le plan, ou les dates ci-dessous"))] + years
        self.fields["year"].initial = None

    def clean(self):
        data = forms.Form.clean(self)
        if data.get("year") is None and not data.get("starts_on") and not data.get("ends_on"):
            data["starts_on"], data["ends_on"] = whole_plan(self.plan)
            return data
        return super().clean()

    def period(self):
        """The period asked for, or the whole plan when the address asks none or asks it wrongly (the
        form then says why, at its field)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["starts_on"], self.cleaned_data["ends_on"]
        return whole_plan(self.plan)
