"""The coordinator's forms: a plan's settings, its items (axes, objectives, actions, expected results) and
their partners, a new plan.

Every edit form carries the version of the row it was opened on (optimistic locking, lib/locking.py):
the view refuses a save made on an older version.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib import french
from lib.converters import IdsField
from lib.locking import VersionedForm
from partners.models import Organisation

from .models import Action, Axis, ExpectedResult, Objective, Plan


class LinesField(forms.CharField):
    """A list of short texts (values, follow-up mechanisms) typed one per line."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class PlanSettingsForm(VersionedForm):
    values = LinesField(label=_("Valeurs"), required=False, help_text=_("Une valeur par ligne, dans l’ordre du plan."))
    follow_up = LinesField(
        label=_("Mécanismes de suivi"), required=False, help_text=_("Un mécanisme par ligne, dans l’ordre.")
    )

    class Meta:
        model = Plan
        fields = [
            "title",
            "region",
            "first_year",
            "last_year",
            "priority",
            "mission",
            "values",
            "follow_up",
            "reporting_year_start_month",
            "stale_after_months",
            "reminder_frequency",
            "language",
            "committee_may_validate",
            "partners_may_download_bilans",
        ]
        widgets = {"priority": forms.Textarea(attrs={"rows": 3}), "mission": forms.Textarea(attrs={"rows": 3})}


class NewPlanForm(forms.ModelForm):
    """A new plan: empty, or with the structure of a plan the person coordinates."""

    source = forms.ModelChoiceField(
        label=_("Reprendre la structure du plan"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("aucun : plan vide"),
        help_text=_("Axes, objectifs, actions, résultats attendus et partenaires sont repris; aucune étape."),
    )

    class Meta:
        model = Plan
        fields = ["title", "slug", "region", "first_year", "last_year"]
        help_texts = {"slug": _("Dans l’adresse du plan : lettres, chiffres et traits d’union (ex. lanaudiere-2027-2029).")}

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources


class PartnersMixin(forms.ModelForm):
    """Partners of an objective or an action: a searchable multiple choice and, among them, the lead.
    Existing links keep their order and role; new ones come after them."""

    partners = IdsField(
        label=_("Organismes partenaires"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8, "class": "searchable"}),
    )
    lead = forms.ModelChoiceField(
        label=_("Porteur"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("aucun"),
        help_text=_("L’un des organismes choisis."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.links = list(self.instance.partner_links.select_related("organisation")) if self.instance.pk else []
        linked = [link.organisation_id for link in self.links]
        choices = Organisation.objects.filter(archived_at__isnull=True) | Organisation.objects.filter(pk__in=linked)
        self.fields["partners"].queryset = choices
        # Searchable by acronym and by name.
        self.fields["partners"].label_from_instance = lambda org: org.display_name
        self.fields["lead"].queryset = choices
        self.fields["partners"].initial = linked
        self.fields["lead"].initial = next((link.organisation_id for link in self.links if link.role == "lead"), None)

    def only_partners_matching(self, words):
        """Without JavaScript, the search box reloads the page: the list keeps the organisations whose name
        or acronym contains these words (accents and case ignored), and those already chosen."""
        folded = french.sort_key(words)
        linked = [link.organisation_id for link in self.links]
        field = self.fields["partners"]
        field.queryset = field.queryset.filter(
            Q(sort_key__contains=folded) | Q(acronym__icontains=words.strip()) | Q(pk__in=linked)
        )

    def clean(self):
        cleaned = super().clean()
        lead, partners = cleaned.get("lead"), cleaned.get("partners")
        if lead and partners is not None and lead not in partners:
            self.add_error("lead", _("Le porteur doit faire partie des organismes partenaires choisis."))
        return cleaned

    def save_partners(self):
        """Write the links: kept ones in their order, new ones after, the lead marked."""
        chosen = list(self.cleaned_data["partners"])
        kept = [link.organisation for link in self.links if link.organisation in chosen]
        ordered = kept + [organisation for organisation in chosen if organisation not in kept]
        self.instance.partner_links.model.set_for(self.instance, ordered, lead=self.cleaned_data["lead"])


class ItemForm(VersionedForm):
    """The fields of an item; `position` only when adding one."""

    position = forms.IntegerField(
        label=_("Position"),
        min_value=1,
        required=False,
        help_text=_("Parmi les éléments du même niveau; laisser vide pour l’ajouter à la fin."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["position"]


class AxisForm(ItemForm):
    class Meta:
        model = Axis
        fields = ["title"]


class ObjectiveForm(PartnersMixin, ItemForm):
    class Meta:
        model = Objective
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ActionForm(PartnersMixin, ItemForm):
    class Meta:
        model = Action
        fields = ["text", "period_start", "period_end"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].help_text = Action._meta.get_field("partners").help_text


class ExpectedResultForm(ItemForm):
    class Meta:
        model = ExpectedResult
        fields = ["text", "period_start", "period_end"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        action = self.instance.action if self.instance.action_id else None
        if self.instance.pk is None and action is not None:  # a new result: its action's years
            for field in ("period_start", "period_end"):
                if self.initial.get(field) is None:
                    self.initial[field] = getattr(action, field)


FORMS = {Axis: AxisForm, Objective: ObjectiveForm, Action: ActionForm, ExpectedResult: ExpectedResultForm}
