"""A plan's meetings (« réunions »): of the chantier, of the coordination committee or of a working
committee; their agenda, attendance, minutes and files, and the decisions taken, some of which amend the
plan (an action added, reworded, merged or abandoned)."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import Organisation
from plans.models import Action, ActionStatus, Committee, Plan, Role
from suivi.models import AttachedFile, AttachedFileQuerySet, attached_file_path


class MeetingQuerySet(models.QuerySet):
    def of_plan(self, plan):
        return self.filter(plan=plan)

    def held_between(self, start, end):
        """Meetings whose day (in the app's time zone) falls from start to end, both included."""
        first = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
        after = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()))
        return self.filter(starts_at__gte=first, starts_at__lt=after)

    def of_body(self, body, committee=None):
        meetings = self.filter(body=body)
        return meetings.filter(committee=committee) if body == Meeting.Body.WORKING_COMMITTEE else meetings

    def of_coordination_committee(self):
        return self.filter(body=Meeting.Body.COORDINATION)


class Meeting(models.Model):
    """A meeting of one of the plan's bodies, at a date and time, in a place or by video."""

    class Body(models.TextChoices):
        CHANTIER = "chantier", _("Rencontre du chantier")
        COORDINATION = "coordination", _("Comité de coordination")
        WORKING_COMMITTEE = "committee", _("Comité de travail")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("plan"))
    body = models.CharField(_("instance"), max_length=20, choices=Body.choices, default=Body.CHANTIER)
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("comité de travail"),
        help_text=_("Seulement pour une réunion d’un comité de travail."),
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    invited = models.ManyToManyField(
        Organisation, blank=True, related_name="meeting_invitations", verbose_name=_("organisations invitées")
    )
    minutes = models.TextField(
        _("compte rendu"),
        blank=True,
        help_text=_(
            "Une ligne vide sépare les paragraphes ; « - » en début de ligne fait une liste à puces, « 1. » une "
            "liste numérotée ; **gras** ; [texte du lien](https://exemple.org)."
        ),
    )
    invitation_sent_at = models.DateTimeField(_("invitation envoyée le"), null=True, blank=True, editable=False)
    # Raised at each change of the date or place, so that calendars replace the event they hold.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["plan", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=Q(body__in=["chantier", "coordination", "committee"]), name="meeting_body_valid"
            ),
            # A working committee's meeting names its committee; the others name none.
            models.CheckConstraint(
                condition=Q(body="committee", committee__isnull=False) | (~Q(body="committee") & Q(committee__isnull=True)),
                name="meeting_committee_iff_working_committee",
            ),
        ]

    def __str__(self):
        return _("%(body)s du %(date)s") % {"body": self.body_name, "date": formats.date_format(self.local_start)}

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.plan.slug, self.pk])

    @property
    def body_name(self):
        return self.committee.name if self.committee_id else self.get_body_display()

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at)

    @property
    def is_past(self):
        return self.starts_at <= timezone.now()

    def previous_of_same_body(self):
        """The last meeting of the same body before this one, or None: the agenda proposes what happened
        since then."""
        return (
            Meeting.objects.filter(plan_id=self.plan_id, starts_at__lt=self.starts_at)
            .of_body(self.body, self.committee)
            .order_by("-starts_at")
            .first()
        )

    def attendees(self):
        """Who was there and who sent apologies: {"present": [Attendance], "excused": [Attendance]}, in the
        order of the (prefetched) attendance: the meeting page's puts organisations first, by name."""
        rows = {Attendance.Presence.PRESENT: [], Attendance.Presence.EXCUSED: []}  # their values: "present", "excused"
        for row in self.attendance.all():
            rows[row.presence].append(row)
        return rows

    def invited_people(self):
        """Who receives the invitation: the active people acting, in this plan, for an invited
        organisation, and, for the coordination committee, the plan's committee members."""
        people = Q(
            memberships__plan_id=self.plan_id,
            memberships__organisation__in=self.invited.all(),
            plan_roles__plan_id=self.plan_id,  # acting for it with a role in the plan, as the reminders ask
        )
        if self.body == self.Body.COORDINATION:
            people |= Q(plan_roles__plan_id=self.plan_id, plan_roles__role=Role.COMMITTEE)
        return get_user_model().objects.filter(people, is_active=True).exclude(email="").distinct().order_by("pk")


class AgendaPoint(models.Model):
    """A point of a meeting's agenda, in order, about some actions or about none."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("réunion"))
    position = models.PositiveSmallIntegerField(_("rang"), default=0)
    title = models.CharField(_("point"), max_length=300)
    notes = models.TextField(_("précisions"), blank=True)
    # The app's proposal it came from (agenda.py, "<kind>:<id>"), so that it is not proposed again.
    source = models.CharField(_("proposition d’origine"), max_length=40, blank=True, editable=False)
    actions = models.ManyToManyField(Action, blank=True, related_name="agenda_points", verbose_name=_("actions"))
    # Who added or deleted a point, and when: the meeting page's history.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("point de l’ordre du jour")
        verbose_name_plural = _("points de l’ordre du jour")
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="agenda_point_title_not_empty")]

    def __str__(self):
        return self.title


class Attendance(models.Model):
    """Who was there, or excused: an organisation, or a person."""

    class Presence(models.TextChoices):
        PRESENT = "present", _("Présent")
        EXCUSED = "excused", _("Excusé")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("réunion"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="attendances",
        verbose_name=_("personne"),
    )
    presence = models.CharField(_("présence"), max_length=10, choices=Presence.choices)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.CheckConstraint(condition=Q(presence__in=["present", "excused"]), name="attendance_presence_valid"),
            # An organisation or a person, never both and never none.
            models.CheckConstraint(
                condition=Q(organisation__isnull=False, person__isnull=True) | Q(organisation__isnull=True, person__isnull=False),
                name="attendance_organisation_or_person",
            ),
            models.UniqueConstraint(fields=["meeting", "organisation"], name="unique_attendance_organisation"),
            models.UniqueConstraint(fields=["meeting", "person"], name="unique_attendance_person"),
        ]

    def __str__(self):
        return f"{self.organisation or self.person} – {self.get_presence_display()}"


def meeting_file_path(instance, filename):
    """Named by the migration written before AttachedFile (meetings 0001)."""
    return attached_file_path(instance, filename)


class MeetingFileQuerySet(AttachedFileQuerySet):
    def of_plan(self, plan):
        return self.filter(meeting__plan=plan)


class MeetingFile(AttachedFile):
    """A file of a meeting's minutes (the signed minutes, a presentation)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="files", verbose_name=_("réunion"))

    objects = MeetingFileQuerySet.as_manager()

    class Meta(AttachedFile.Meta):
        verbose_name = _("fichier d’une réunion")
        verbose_name_plural = _("fichiers des réunions")

    def folder(self):
        return f"reunions/{self.meeting.plan_id}/{self.meeting_id}"


class Decision(models.Model):
    """What a meeting decided, about some actions or about none."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("réunion"))
    text = models.TextField(_("décision"))
    actions = models.ManyToManyField(Action, blank=True, related_name="decisions", verbose_name=_("actions"))
    recorded_at = models.DateTimeField(_("inscrite le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["recorded_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="decision_text_not_empty")]

    def __str__(self):
        return self.text[:80]

    def can_be_deleted(self):
        """A decision that amended the plan cannot be deleted: the plan's items were changed by it, and
        their history names its meeting. Reads the prefetched amendments when there are."""
        return not self.amendments.all()


class Amendment(models.Model):
    """A change to the plan that a decision made, kept with it: the action concerned, and its text before
    and after. The change itself is written on the action, whose history names the decision."""

    class Kind(models.TextChoices):
        ADDED = "added", _("Action ajoutée")
        REWORDED = "reworded", _("Action reformulée")
        MERGED = "merged", _("Action fusionnée avec une autre")
        ABANDONED = "abandoned", _("Action abandonnée")

    # A decision that changed the plan stays: the action's history names it (Decision.can_be_deleted).
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("décision"))
    kind = models.CharField(_("modification du plan"), max_length=10, choices=Kind.choices)
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("action"))
    merged_into = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="merged_amendments",
        verbose_name=_("fusionnée avec"),
    )
    text_before = models.TextField(_("texte avant"), blank=True)
    text_after = models.TextField(_("texte après"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("inscrite par")
    )

    class Meta:
        verbose_name = _("modification du plan")
        verbose_name_plural = _("modifications du plan")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["added", "reworded", "merged", "abandoned"]), name="amendment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="merged", merged_into__isnull=False) | (~Q(kind="merged") & Q(merged_into__isnull=True)),
                name="amendment_merged_names_target",
            ),
            models.CheckConstraint(condition=~Q(action=models.F("merged_into")), name="amendment_not_merged_into_itself"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.action.code}"

    def reason(self):
        """What the action's history says of the change (simple-history keeps 100 characters)."""
        meeting = self.decision.meeting
        return str(_("Décision : %(meeting)s") % {"meeting": meeting})[:100]

    @classmethod
    @transaction.atomic
    def record(cls, decision, kind, user, action=None, text="", objective=None, merged_into=None):
        """Write the change on the plan and keep it with its decision; `action` is the one concerned (for
        an addition, the new action is made from `objective` and `text`)."""
        amendment = cls(decision=decision, kind=kind, recorded_by=user, merged_into=merged_into)
        reason = amendment.reason()
        if kind == cls.Kind.ADDED:
            action = Action(plan=objective.plan, objective=objective, text=text)
            action._change_reason = reason
            action.insert_at()
            amendment.text_after = text
        else:
            action = Action.objects.select_for_update().get(pk=action.pk)
            amendment.text_before = action.text
            action._change_reason = reason
            if kind == cls.Kind.REWORDED:
                action.text = text
                amendment.text_after = text
            elif kind == cls.Kind.ABANDONED:
                action.status, action.status_is_manual = ActionStatus.ABANDONED, True
                action.status_reason = text or reason
            elif kind == cls.Kind.MERGED:
                action.status_reason = str(_("Fusionnée avec l’action %(code)s.") % {"code": merged_into.code})
                action.status, action.status_is_manual = ActionStatus.ABANDONED, True
            # A new version: whoever has the action's form open is told it changed, not obeyed (lib/locking.py).
            action.save_from_version(action.version)
            if kind == cls.Kind.MERGED:
                action.archive()
        amendment.action = action
        amendment.save()
        decision.actions.add(*[a for a in (action, merged_into) if a is not None])
        return amendment


class CalendarKeyQuerySet(models.QuerySet):
    def for_person(self, user, plan):
        """This person's key to the plan's calendar, made the first time it is asked for."""
        return self.get_or_create(user=user, plan=plan, defaults={"key": CalendarKey.new_key()})[0]


class CalendarKey(models.Model):
    """The secret in the address of a person's calendar of a plan's meetings, which a calendar program
    reads without signing in. Renewing it revokes the old address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_keys", verbose_name=_("personne")
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="calendar_keys", verbose_name=_("plan"))
    key = models.CharField(_("clé"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créée le"), auto_now=True)

    objects = CalendarKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("clé de calendrier")
        verbose_name_plural = _("clés de calendrier")
        constraints = [
            models.UniqueConstraint(fields=["user", "plan"], name="unique_calendar_key_per_person_and_plan"),
            models.CheckConstraint(condition=~Q(key=""), name="calendar_key_not_empty"),
        ]

    def __str__(self):
        return f"{self.user} – {self.plan}"

    @staticmethod
    def new_key():
        return secrets.token_urlsafe(32)

    def renew(self):
        self.key = self.new_key()
        self.save(update_fields=["key", "created_at"])
