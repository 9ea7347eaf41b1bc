"""Forms partners and the coordination use to record steps, review them and set an action's status."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lib.converters import IdsField
from lib.locking import VersionedForm
from partners.models import Organisation
from plans.models import ActionStatus, within_the_years
from plans.rules import organisation_ids, partner_organisation_ids

from .files import MultipleFileField, check_room_in_plan, megabytes
from .models import PlannedStep, Step, StepFile


class StepForm(VersionedForm):
    """One form on one page: what was done, when, by which organisation, its proof and the results it
    advances. A step has at most STEP_FILES_MAX files, and a plan's files together at most
    PLAN_FILES_MAX_BYTES; `removing` are the ids of the step's files this same submission takes away."""

    link = forms.URLField(
        label=_("Lien"),
        required=False,
        assume_scheme="https",
        help_text=_("Un compte rendu, un article, une page web (facultatif)."),
    )
    files = MultipleFileField(label=_("Fichiers joints"), required=False)

    class Meta:
        model = Step
        fields = ["description", "done_on", "organisation", "link", "results"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "done_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "results": forms.CheckboxSelectMultiple,
        }
        field_classes = {"results": IdsField}

    def __init__(self, *args, action, user, removing=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.removing = removing
        self.fields["done_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["files"].help_text = _("PDF, images ou documents de bureautique, %(max)s Mo chacun au plus.") % {
            "max": megabytes(settings.STEP_FILE_MAX_BYTES)
        }
        self.fields["results"].queryset = action.results.active().order_by("number")
        self.fields["results"].label_from_instance = lambda result: f"{result.code} {result.text}"
        self.fields["results"].required = False
        allowed = recording_organisation_ids(action, user)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=allowed)
        self.fields["organisation"].label_from_instance = lambda org: org.display_name
        # The person's own organisation, never the first of the list: a step credited to the wrong
        # organisation goes unnoticed. A coordinator acting for none of the partners chooses.
        own = allowed & organisation_ids(user, action.plan_id)
        if own:
            self.fields["organisation"].empty_label = None
            if not self.instance.pk:
                self.initial.setdefault("organisation", min(own))
        elif len(allowed) == 1:
            self.fields["organisation"].empty_label = None
        else:
            self.fields["organisation"].empty_label = _("Choisir l’organisation")
        # Read once, here: the select would otherwise query again to learn whether it starts with an empty
        # choice, and only when it does not (a query count that would depend on the plan's data).
        field = self.fields["organisation"]
        field.choices = ([("", field.empty_label)] if field.empty_label is not None else []) + [
            (organisation.pk, organisation.display_name) for organisation in field.queryset
        ]
        if not self.fields["results"].queryset:
            del self.fields["results"]

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        if not uploads:
            return uploads
        files = self.instance.files.all() if self.instance.pk else StepFile.objects.none()
        removed = files.filter(pk__in=self.removing)
        count, most = files.count() - removed.count() + len(uploads), settings.STEP_FILES_MAX
        if count > most:
            raise ValidationError(
                _("Une étape a au plus %(max)s fichiers joints : celle-ci en aurait %(count)s. Retirez-en avant "
                  "d’en joindre d’autres."),
                params={"max": most, "count": count},
            )
        check_room_in_plan(self.action.plan, uploads, freed=removed.total_size())
        return uploads


def recording_organisation_ids(action, user):
    """The organisations a person may record a step for on this action: the action's partners that
    they act for in its plan; a coordinator (or superuser) may record for any of them."""
    partner_ids = set(partner_organisation_ids(action))
    if not user.has_perm("plans.change_plan", action.plan):
        partner_ids &= organisation_ids(user, action.plan_id)
    return partner_ids


class AchievementForm(forms.Form):
    """The date a result was achieved on: today unless the person says otherwise, checked by the
    result's own rule (`ExpectedResult.check_achieved_on`). One per result on the action's page."""

    achieved_on = forms.DateField(
        label=_("Atteint le"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, result, **kwargs):
        kwargs.setdefault("auto_id", f"id_resultat_{result.pk}_%s")
        super().__init__(*args, **kwargs)
        self.result = result
        # One such field per result on the page: the result's code, read by screen readers only, tells
        # the labels apart.
        self.fields["achieved_on"].label = format_html(
            '{} <span class="visually-hidden">– {}</span>', _("Atteint le"), result.code
        )
        earliest, latest = result.achievement_dates()
        today = timezone.localdate()
        self.fields["achieved_on"].widget.attrs.update(min=earliest.isoformat(), max=min(today, latest).isoformat())
        self.initial.setdefault("achieved_on", result.achieved_on or today)

    def clean_achieved_on(self):
        day = self.cleaned_data["achieved_on"] or timezone.localdate()
        self.result.check_achieved_on(day)
        return day


class ReturnStepForm(forms.Form):
    comment = forms.CharField(
        label=_("Pourquoi renvoyer cette étape ?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("L’organisation verra ce commentaire avec son étape."),
    )


class ActionStatusForm(forms.Form):
    """The coordination sets a status that no longer follows the results (ongoing, abandoned…), or hands
    it back to the results. It carries the action's version, as the action's own edit form does: a status
    set on an action changed since is refused (the view saves with `save_from_version`)."""

    AUTOMATIC = "auto"

    status = forms.ChoiceField(label=_("État"))
    reason = forms.CharField(label=_("Raison"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.initial.setdefault("version", action.version)
        self.fields["status"].choices = [(self.AUTOMATIC, _("Suivre les résultats attendus"))] + list(
            ActionStatus.choices
        )
        self.initial.setdefault("status", action.status if action.status_is_manual else self.AUTOMATIC)
        self.initial.setdefault("reason", action.status_reason)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") not in (None, self.AUTOMATIC) and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Indiquez la raison de cet état."))
        return cleaned

    def save(self):
        """Set the status on the version the form was opened on; False, and nothing written, if the action
        was saved since."""
        action = self.action
        if self.cleaned_data["status"] == self.AUTOMATIC:
            action.status_is_manual = False
            action.status_reason = ""
            action.refresh_status(save=False)
        else:
            action.status_is_manual = True
            action.status = self.cleaned_data["status"]
            action.status_reason = self.cleaned_data["reason"].strip()
        return action.save_from_version(self.cleaned_data["version"])


def not_in_the_past(day):
    within_the_years(day)
    if day < timezone.localdate():
        raise ValidationError(_("Une étape prévue l’est pour aujourd’hui ou plus tard."), code="past")


class PlannedStepForm(forms.ModelForm):
    """A step planned ahead on an action: what, by which organisation (among those the person may record
    for), by when, and the results it serves."""

    class Meta:
        model = PlannedStep
        fields = ["description", "organisation", "due_on", "results"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "results": forms.CheckboxSelectMultiple,
        }
        field_classes = {"results": IdsField}

    def __init__(self, *args, action, user, **kwargs):
        kwargs.setdefault("prefix", "prevue")
        super().__init__(*args, **kwargs)
        self.fields["due_on"].validators.append(not_in_the_past)
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.fields["results"].queryset = action.results.active().order_by("number")
        self.fields["results"].label_from_instance = lambda result: f"{result.code} {result.text}"
        self.fields["results"].required = False
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=recording_organisation_ids(action, user))
        self.fields["organisation"].label_from_instance = lambda org: org.display_name
        self.fields["organisation"].empty_label = None
        if not self.fields["results"].queryset:
            del self.fields["results"]


class TickForm(forms.Form):
    """Ticking a planned step off: the date it was done (today unless the person says otherwise), and
    what the step then carries besides the planned text: a note, a link, files. The step's own rules
    (the date never in the future, the link, the files and their limits) are StepForm's: `step_form`."""

    done_on = forms.DateField(
        label=_("Faite le"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ajoutée à la description de l’étape (facultatif)."),
    )
    link = forms.CharField(label=_("Lien"), required=False, help_text=_("Un compte rendu, un article (facultatif)."))
    files = MultipleFileField(label=_("Fichiers joints"), required=False)

    def __init__(self, *args, planned, **kwargs):
        kwargs.setdefault("auto_id", f"id_prevue_{planned.pk}_%s")
        super().__init__(*args, **kwargs)
        self.planned = planned
        self.fields["done_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.initial.setdefault("done_on", timezone.localdate())

    def step_form(self, user, files=None):
        """The step this tick records, checked by the step page's form; its errors are put at this form's
        fields."""
        planned = self.planned
        note = self.cleaned_data["note"].strip()
        data = {
            "description": f"{planned.description}\n\n{note}" if note else planned.description,
            "done_on": (self.cleaned_data["done_on"] or timezone.localdate()).isoformat(),
            "organisation": planned.organisation_id,
            "link": self.cleaned_data["link"],
            "results": [result.pk for result in planned.results.all()],
        }
        form = StepForm(data, files, action=planned.action, user=user)
        if not form.is_valid():
            for name, problems in form.errors.as_data().items():
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
        return form


class MovePlannedStepForm(forms.Form):
    due_on = forms.DateField(
        label=_("Nouvelle date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[not_in_the_past],
    )
    reason = forms.CharField(
        label=_("Pourquoi la reporter?"), widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Indiquez pourquoi l’étape est reportée.")},
    )

    def __init__(self, *args, planned, **kwargs):
        kwargs.setdefault("prefix", "report")
        super().__init__(*args, **kwargs)
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.initial.setdefault("due_on", planned.due_on)


class DropPlannedStepForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi l’abandonner?"), widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Indiquez pourquoi l’étape est abandonnée.")},
    )

    def __init__(self, *args, planned=None, **kwargs):
        kwargs.setdefault("prefix", "abandon")
        super().__init__(*args, **kwargs)
