"""The coordinator's forms for a meeting: when and where, who is invited, the agenda, attendance, the
minutes and their files, and the decisions (some amending the plan)."""

import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib.converters import IdsField
from partners.models import Organisation, name_of_person
from plans.models import FIRST_YEAR, LAST_YEAR, Action, ActionPartner, CommitteeMember, Membership, Objective, ObjectivePartner
from suivi.files import MultipleFileField, check_room_in_plan

from .models import Amendment, Attendance, Meeting, MeetingFile

# The plan says a chantier meeting lasts 2.5 hours: the end, when none is given.
DEFAULT_LENGTH = datetime.timedelta(hours=2, minutes=30)
FILES_PER_MEETING = 10


def organisations_of(plan):
    """The organisations a plan's meeting may invite or note present: partners of its actions and
    objectives, members of its committees, and those its people act for; in the order of their names, which
    the forms show (`organisation_label`)."""
    return Organisation.objects.filter(
        Q(pk__in=Membership.objects.filter(plan=plan).values("organisation"))
        | Q(pk__in=ActionPartner.objects.filter(action__plan=plan).values("organisation"))
        | Q(pk__in=ObjectivePartner.objects.filter(objective__plan=plan).values("organisation"))
        | Q(pk__in=CommitteeMember.objects.filter(committee__plan=plan).values("organisation"))
    ).order_by("sort_key")


def organisation_label(organisation):
    return organisation.display_name


def people_of(plan):
    return get_user_model().objects.filter(plan_roles__plan=plan, is_active=True).order_by("last_name", "first_name", "pk")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.ModelForm):
    video_link = forms.URLField(label=_("Lien de visioconférence"), required=False, assume_scheme="https")
    ends_at = forms.DateTimeField(
        label=_("Fin"), required=False, widget=DateTimeInput(), help_text=_("Deux heures et demie après le début si vide.")
    )

    class Meta:
        model = Meeting
        fields = ["body", "committee", "starts_at", "ends_at", "place", "video_link", "invited"]
        widgets = {"starts_at": DateTimeInput(), "invited": forms.CheckboxSelectMultiple}
        field_classes = {"invited": IdsField}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["committee"].queryset = plan.committees.all()
        self.fields["invited"].queryset = organisations_of(plan)
        self.fields["invited"].label_from_instance = organisation_label
        self.fields["invited"].required = False
        self.fields["invited"].help_text = _("Leurs personnes reçoivent l’invitation par courriel.")
        if not plan.committees.exists():
            del self.fields["committee"]

    def clean(self):
        data = super().clean()
        body, committee = data.get("body"), data.get("committee")
        if body == Meeting.Body.WORKING_COMMITTEE and committee is None:
            self.add_error("committee" if "committee" in self.fields else "body",
                           _("Choisissez le comité de travail qui se réunit."))
        elif body != Meeting.Body.WORKING_COMMITTEE:
            data["committee"] = None
        starts_at = data.get("starts_at")
        if starts_at and not FIRST_YEAR <= starts_at.year <= LAST_YEAR:
            self.add_error("starts_at", _("Une réunion a lieu entre %(first)s et %(last)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR})
            return data
        if data.get("ends_at") and not FIRST_YEAR <= data["ends_at"].year <= LAST_YEAR:
            self.add_error("ends_at", _("Une réunion a lieu entre %(first)s et %(last)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR})
            return data
        if starts_at and not data.get("ends_at"):
            data["ends_at"] = starts_at + DEFAULT_LENGTH
        if starts_at and data.get("ends_at") and data["ends_at"] <= starts_at:
            self.add_error("ends_at", _("La fin doit venir après le début."))
        return data

    def save(self, commit=True):
        meeting = super().save(commit=False)
        if meeting.pk and {"starts_at", "ends_at", "place", "video_link"} & set(self.changed_data):
            meeting.sequence += 1  # calendars replace the event they hold
        if commit:
            meeting.save()
            self.save_m2m()
        return meeting


class ActionCodesField(forms.CharField):
    """Actions named by their codes (« 1.1.1, 3.1.1 »): typed on a phone rather than picked among
    hundreds. Gives the plan's active actions, in the order typed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("help_text", _("Les codes des actions, séparés par des virgules : 1.1.1, 3.1.1"))
        super().__init__(*args, **kwargs)
        self.plan = None

    def clean(self, value):
        value = super().clean(value)
        codes = [code for code in re.split(r"[\s,;]+", value or "") if code]
        if not codes:
            return []
        found = {action.code: action for action in Action.objects.filter(plan=self.plan, code__in=codes).live()}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise ValidationError(
                _("Aucune action de ce plan ne porte le code %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return list(dict.fromkeys(found[code] for code in codes))


class AgendaPointForm(forms.Form):
    """A point typed by the coordinator, or the proposals ticked (`proposals`: the app's suggestions,
    `agenda.proposals`)."""

    proposals = forms.MultipleChoiceField(label=_("Propositions"), required=False, widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(label=_("Autre point"), max_length=300, required=False)
    notes = forms.CharField(label=_("Précisions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    actions = ActionCodesField(label=_("Actions dont il s’agit"))

    def __init__(self, *args, plan, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].plan = plan
        self.proposals_by_key = {proposal.key: proposal for proposal in proposals}
        self.fields["proposals"].choices = [(proposal.key, proposal.title) for proposal in proposals]

    def clean(self):
        data = super().clean()
        if not data.get("proposals") and not data.get("title") and not self.errors:
            raise ValidationError(_("Cochez une proposition ou écrivez un point."))
        if data.get("actions") and not data.get("title"):
            self.add_error("title", _("Écrivez le point dont ces actions font l’objet."))
        return data

    def ticked(self):
        return [self.proposals_by_key[key] for key in self.cleaned_data["proposals"]]


class AttendanceForm(forms.Form):
    present_organisations = IdsField(
        label=_("Organisations présentes"), queryset=Organisation.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excused_organisations = IdsField(
        label=_("Organisations excusées"), queryset=Organisation.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    present_people = IdsField(
        label=_("Personnes présentes"), queryset=get_user_model().objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excused_people = IdsField(
        label=_("Personnes excusées"), queryset=get_user_model().objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        organisations, people = organisations_of(meeting.plan), people_of(meeting.plan)
        for name in ("present_organisations", "excused_organisations"):
            self.fields[name].queryset = organisations
            self.fields[name].label_from_instance = organisation_label
        for name in ("present_people", "excused_people"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = name_of_person
        if not self.is_bound:
            rows = list(meeting.attendance.all())
            for presence, suffix in ((Attendance.Presence.PRESENT, "present"), (Attendance.Presence.EXCUSED, "excused")):
                self.initial[f"{suffix}_organisations"] = [r.organisation_id for r in rows if r.presence == presence and r.organisation_id]
                self.initial[f"{suffix}_people"] = [r.person_id for r in rows if r.presence == presence and r.person_id]

    def clean(self):
        data = super().clean()
        for kind, label in (("organisations", _("organisation")), ("people", _("personne"))):
            both = set(data.get(f"present_{kind}", [])) & set(data.get(f"excused_{kind}", []))
            if both:
                self.add_error(
                    f"excused_{kind}",
                    _("Présente ou excusée, pas les deux : %(names)s.")
                    % {"names": ", ".join(sorted(str(name_of_person(x) if kind == "people" else x) for x in both))},
                )
        return data

    def rows(self):
        data, meeting = self.cleaned_data, self.meeting
        rows = []
        for presence, suffix in ((Attendance.Presence.PRESENT, "present"), (Attendance.Presence.EXCUSED, "excused")):
            rows += [Attendance(meeting=meeting, organisation=o, presence=presence) for o in data[f"{suffix}_organisations"]]
            rows += [Attendance(meeting=meeting, person=p, presence=presence) for p in data[f"{suffix}_people"]]
        return rows


class MinutesForm(forms.ModelForm):
    files = MultipleFileField(label=_("Fichiers joints"), required=False)

    class Meta:
        model = Meeting
        fields = ["minutes"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 10})}

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        count = self.instance.files.count() + len(uploads)
        if uploads and count > FILES_PER_MEETING:
            raise ValidationError(
                _("Une réunion a au plus %(max)s fichiers joints : celle-ci en aurait %(count)s."),
                params={"max": FILES_PER_MEETING, "count": count},
            )
        if uploads:
            check_room_in_plan(self.instance.plan, uploads)
        return uploads

    def save_files(self):
        for upload in self.cleaned_data["files"]:
            MeetingFile.from_upload(upload, meeting=self.instance).save()


class DecisionForm(forms.Form):
    """A decision, and the change to the plan it makes, if any."""

    text = forms.CharField(label=_("Décision"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    actions = ActionCodesField(label=_("Actions dont il s’agit"))
    amendment = forms.ChoiceField(
        label=_("Cette décision modifie le plan"),
        required=False,
        choices=[("", _("Non"))] + Amendment.Kind.choices,
    )
    amended_action = ActionCodesField(
        label=_("Action modifiée"), help_text=_("Son code : 2.1.3. Pour une fusion, celle qui disparaît.")
    )
    new_text = forms.CharField(
        label=_("Nouveau texte"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
        help_text=_("Pour une action ajoutée ou reformulée ; pour un abandon, sa raison (facultatif)."),
    )
    objective = forms.CharField(
        label=_("Objectif de l’action ajoutée"), required=False, max_length=30, help_text=_("Son code : 2.1.")
    )
    merged_into = ActionCodesField(label=_("Fusionnée avec"), help_text=_("Le code de l’action qui reste."))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        for name in ("actions", "amended_action", "merged_into"):
            self.fields[name].plan = plan

    def clean_objective(self):
        code = self.cleaned_data["objective"].strip()
        if not code:
            return None
        objective = Objective.objects.filter(plan=self.plan, code=code, axis__archived_at__isnull=True).active().first()
        if objective is None:
            raise ValidationError(_("Aucun objectif de ce plan ne porte le code %(code)s.") % {"code": code})
        return objective

    def clean(self):
        data = super().clean()
        kind = data.get("amendment")
        Kind = Amendment.Kind
        one = {}
        for name in ("amended_action", "merged_into"):
            actions = data.get(name) or []
            if len(actions) > 1:
                self.add_error(name, _("Une seule action ici."))
            one[name] = actions[0] if actions else None
        data["amended_action"], data["merged_into"] = one["amended_action"], one["merged_into"]
        if kind == Kind.ADDED:
            if not data.get("objective") and "objective" not in self.errors:
                self.add_error("objective", _("Indiquez l’objectif sous lequel l’action s’ajoute."))
            if not data.get("new_text", "").strip():
                self.add_error("new_text", _("Écrivez le texte de l’action ajoutée."))
        elif kind:
            if data["amended_action"] is None and "amended_action" not in self.errors:
                self.add_error("amended_action", _("Indiquez l’action que la décision modifie."))
            if kind == Kind.REWORDED and not data.get("new_text", "").strip():
                self.add_error("new_text", _("Écrivez le nouveau texte de l’action."))
            if kind == Kind.MERGED:
                if data["merged_into"] is None and "merged_into" not in self.errors:
                    self.add_error("merged_into", _("Indiquez l’action avec laquelle elle est fusionnée."))
                elif data["merged_into"] is not None and data["merged_into"] == data["amended_action"]:
                    self.add_error("merged_into", _("Une action ne peut être fusionnée avec elle-même."))
        return data


