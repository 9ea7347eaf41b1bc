"""The follow-up of a plan: the steps partners record as they carry its actions out ("étapes
réalisées"), their files and their review by the coordination."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lib.choices import ChoiceLabel
from lib.locking import save_from_version
from lib.uploads import short_file_name, shown_file_name

from partners.models import Organisation
from plans.models import Action, ExpectedResult, within_the_years
from plans.rules import organisation_ids, partner_organisation_ids

from .signals import step_reviewed


def done_by_today(day):
    """A step is what was done: its date is today or earlier (checked by every form that records one)."""
    within_the_years(day)
    if day > timezone.localdate():
        raise ValidationError(_("Une étape réalisée ne peut pas être datée dans le futur."), code="future")


class StepQuerySet(models.QuerySet):
    def validated(self):
        return self.filter(review=Step.Review.VALIDATED)

    def awaiting_review(self):
        return self.filter(review=Step.Review.PENDING)

    def for_display(self, with_action=True):
        """With what a step's card shows, in a fixed number of queries. Without its action when the steps are
        read under their actions (a prefetch gives each step its action)."""
        # Into lists (`to_attr`): a card reading `step.files.all` would build a related manager per step.
        steps = self.select_related("organisation", "author", "reviewed_by").prefetch_related(
            Prefetch("files", to_attr="listed_files"), Prefetch("results", to_attr="listed_results")
        )
        return steps.select_related("action__plan") if with_action else steps

    def between(self, start, end):
        """Steps done from start to end, both included."""
        return self.filter(done_on__gte=start, done_on__lte=end)


class Step(models.Model):
    """An "étape réalisée": what an organisation did on an action, and when. Visible at once, it counts in
    the yearly report once the coordination has validated it."""

    class Review(models.TextChoices):
        PENDING = "pending", _("À valider")
        VALIDATED = "validated", _("Validée")
        RETURNED = "returned", _("Renvoyée")

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="steps", verbose_name=_("action"))
    done_on = models.DateField(_("date"), default=datetime.date.today, validators=[done_by_today])
    description = models.TextField(_("ce qui a été fait"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="steps", verbose_name=_("organisation")
    )
    # PROTECT, here and on reviewed_by: a person who recorded or reviewed a step is deactivated, never
    # deleted (partners.models.has_records), and the database refuses the deletion from the shell too.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="steps",
        verbose_name=_("inscrite par"),
    )
    link = models.URLField(_("lien"), blank=True)
    results = models.ManyToManyField(
        ExpectedResult, blank=True, related_name="steps", verbose_name=_("résultats attendus visés")
    )
    created_at = models.DateTimeField(_("inscrite le"), auto_now_add=True)
    review = models.CharField(_("validation"), max_length=10, choices=Review.choices, default=Review.PENDING)
    review_comment = models.TextField(_("commentaire de la coordination"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validée ou renvoyée par"),
    )
    reviewed_at = models.DateTimeField(_("validée ou renvoyée le"), null=True, blank=True)
    # Optimistic locking (lib/locking.py): two people editing one step, the second is told, not obeyed.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    review_label = ChoiceLabel("review", Review)

    objects = StepQuerySet.as_manager()
    history = HistoricalRecords(table_name="plans_historicalstep", excluded_fields=["version"])

    class Meta:
        db_table = "plans_step"  # the table it had when steps lived in plans/
        verbose_name = _("étape réalisée")
        verbose_name_plural = _("étapes réalisées")
        ordering = ["-done_on", "-created_at"]
        indexes = [
            models.Index(fields=["action", "-done_on"]),
            models.Index(fields=["done_on"]),
            # The review queue: the oldest steps waiting, without reading the others.
            models.Index(fields=["created_at", "id"], condition=Q(review="pending"), name="step_pending_oldest_first"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="step_description_not_empty"),
            models.CheckConstraint(condition=Q(review__in=["pending", "validated", "returned"]), name="step_review_valid"),
            models.CheckConstraint(
                condition=Q(review="pending") | Q(reviewed_at__isnull=False), name="step_reviewed_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(review="returned") | ~Q(review_comment=""), name="step_returned_has_comment"
            ),
        ]

    def __str__(self):
        return f"{self.done_on} – {self.organisation} – {self.description[:60]}"

    def set_review(self, review, by, comment=""):
        """Validate the step, or send it back with a comment the organisation will see; who and when are kept.
        A review is a change of the step like an edit: it takes a new version, so that a partner saving a
        form opened before it is told (lib/locking.py) instead of undoing it."""
        self.review, self.review_comment = review, comment
        self.reviewed_by, self.reviewed_at = by, timezone.now()
        with transaction.atomic():
            self.version = models.F("version") + 1
            self.save(update_fields=["review", "review_comment", "reviewed_by", "reviewed_at", "version"])
            self.refresh_from_db(fields=["version"])
        step_reviewed.send(sender=Step, step=self, review=review, by=by)

    def save_from_version(self, version):
        """Save an edit made on `version` of the step; False, and nothing written, if someone saved since."""
        return save_from_version(self, version)


class CheckInQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(checked_on__gte=start, checked_on__lte=end)


class CheckIn(models.Model):
    """« Rien de nouveau, toujours en cours » : an organisation says its action goes on with nothing new to
    record. Not a step (nothing to validate, nothing in the bilan), but news: the action is not stale."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("action"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("par")
    )
    checked_on = models.DateField(_("date"), default=datetime.date.today)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("rien de nouveau")
        verbose_name_plural = _("rien de nouveau")
        ordering = ["-checked_on", "-created_at"]
        indexes = [models.Index(fields=["action", "-checked_on"])]

    def __str__(self):
        return f"{self.checked_on} – {self.organisation} – {self.action.code}"

    @classmethod
    def organisation_for(cls, person, action):
        """The organisation a person checks in for: the first of theirs that is a partner on the action (None
        when none is)."""
        theirs = organisation_ids(person, action.plan_id) & partner_organisation_ids(action)
        return Organisation.objects.filter(pk__in=theirs).order_by("name").first()

    @classmethod
    def record(cls, person, action, note=""):
        """A check-in today for the person's organisation on this action."""
        return cls.objects.create(
            action=action, organisation=cls.organisation_for(person, action), person=person, note=note
        )


def attached_file_path(instance, filename):
    """Where an attached file is stored: its owner's folder, and a name short enough for any file system."""
    return f"{instance.folder()}/{short_file_name(filename)}"


def step_file_path(instance, filename):
    """Named by the migrations written before AttachedFile (plans 0002, suivi 0001)."""
    return attached_file_path(instance, filename)


class AttachedFileQuerySet(models.QuerySet):
    def of_plan(self, plan):
        """The plan's files, for its storage quota (suivi.files.plan_files_size): each kind says how."""
        raise NotImplementedError(f"{self.model.__name__} must say which of its files are a plan's (of_plan).")

    def total_size(self):
        """The bytes these files take in storage, together."""
        return self.aggregate(total=models.Sum("size"))["total"] or 0


class AttachedFile(models.Model):
    """A file joined to something of a plan (a step's proof, a meeting's minutes), served only to the people
    of the plan. Stored under a short name in its owner's `folder()`, shown under the name people gave it,
    with the type recognised from its first bytes (suivi.files.MultipleFileField), never from its name.
    The upload's bounds are `accepts_attached_files` (suivi.files), its download `suivi.files.serve`."""

    file = models.FileField(_("fichier"), upload_to=attached_file_path, max_length=300)
    name = models.CharField(_("nom"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    objects = AttachedFileQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def folder(self):
        raise NotImplementedError

    @classmethod
    def from_upload(cls, upload, **owner):
        """The row of an upload the form has checked (its `detected_type`), unsaved."""
        return cls(file=upload, name=shown_file_name(upload.name), content_type=upload.detected_type, size=upload.size, **owner)


class StepFileQuerySet(AttachedFileQuerySet):
    def of_plan(self, plan):
        return self.filter(step__action__plan=plan)


class StepFile(AttachedFile):
    """A file kept as proof of a step (minutes, photo, report)."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="files", verbose_name=_("étape"))

    objects = StepFileQuerySet.as_manager()

    class Meta(AttachedFile.Meta):
        db_table = "plans_stepfile"
        verbose_name = _("fichier d’une étape")
        verbose_name_plural = _("fichiers des étapes")

    def folder(self):
        return f"etapes/{self.step.action.plan_id}/{self.step_id}"


class PlannedStepQuerySet(models.QuerySet):
    """The vocabulary of what is planned: open (neither done nor dropped), overdue, due soon, due in a
    reporting period. Reminders and meeting agendas read `due_soon(days)` and `overdue()`."""

    def open(self):
        return self.filter(step__isnull=True, dropped_at__isnull=True)

    def open_or_awaiting_validation(self):
        """Still to do, or ticked off and not yet validated: its tick may still be undone."""
        return self.filter(Q(step__isnull=True, dropped_at__isnull=True) | Q(step__review=Step.Review.PENDING))

    def done(self):
        return self.filter(step__isnull=False)

    def overdue(self, today=None):
        """Open, and due before today."""
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due_soon(self, days, today=None):
        """Open, and due from today to `days` days from now, both included."""
        today = today or timezone.localdate()
        return self.open().filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))

    def in_period(self, start, end):
        """Planned for the period (due from start to end, both included) and not dropped: what a bilan
        counts as planned, whether done since or not."""
        return self.filter(due_on__gte=start, due_on__lte=end, dropped_at__isnull=True)

    def counts_by_axis(self):
        """{axis id: (planned, done)} over these planned steps, in one query."""
        rows = (
            self.order_by()
            .values("action__objective__axis")
            .annotate(planned=models.Count("pk"), done=models.Count("pk", filter=Q(step__isnull=False)))
        )
        return {row["action__objective__axis"]: (row["planned"], row["done"]) for row in rows}

    def for_display(self):
        """With what a planned step's row shows, in a fixed number of queries."""
        return self.select_related("organisation", "planned_by", "step", "action__plan").prefetch_related("results")

    def in_order(self):
        """Open first by due date, then done, then dropped."""
        return self.order_by(
            models.Case(
                models.When(dropped_at__isnull=False, then=2), models.When(step__isnull=False, then=1), default=0
            ),
            "due_on",
            "pk",
        )


class PlannedStep(models.Model):
    """A step an organisation plans to do on an action by a date. Ticked off, it becomes a step done
    (`step`, waiting for validation like any other); it can be moved to another date or dropped, with a
    reason, which its history keeps."""

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("À venir")
        OVERDUE = "overdue", _("En retard")
        DONE = "done", _("Réalisée")
        DROPPED = "dropped", _("Abandonnée")

    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, related_name="planned_steps", verbose_name=_("action")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="planned_steps", verbose_name=_("organisation")
    )
    description = models.TextField(_("ce qui est prévu"))
    due_on = models.DateField(_("prévue pour le"))
    results = models.ManyToManyField(
        ExpectedResult, blank=True, related_name="planned_steps", verbose_name=_("résultats attendus visés")
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="planned_steps",
        verbose_name=_("prévue par"),
    )
    created_at = models.DateTimeField(_("prévue le"), auto_now_add=True)
    # Unticking deletes the step: the planned step is open again.
    step = models.OneToOneField(
        Step,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_step",
        verbose_name=_("étape réalisée"),
    )
    dropped_at = models.DateTimeField(_("abandonnée le"), null=True, blank=True)
    # The reason of the latest move or of the drop; the history keeps each one with its date.
    reason = models.TextField(_("raison du report ou de l’abandon"), blank=True)

    objects = PlannedStepQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("étape prévue")
        verbose_name_plural = _("étapes prévues")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["action", "due_on"]), models.Index(fields=["due_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(description=""), name="planned_step_description_not_empty"),
            models.CheckConstraint(
                condition=Q(dropped_at__isnull=True) | Q(step__isnull=True), name="planned_step_done_or_dropped"
            ),
            models.CheckConstraint(
                condition=Q(dropped_at__isnull=True) | ~Q(reason=""), name="planned_step_dropped_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.due_on} – {self.organisation} – {self.description[:60]}"

    def get_absolute_url(self):
        return f"{self.action.get_absolute_url()}#prevue-{self.pk}"

    @property
    def state(self):
        if self.dropped_at is not None:
            return self.State.DROPPED
        if self.step_id is not None:
            return self.State.DONE
        return self.State.OVERDUE if self.due_on < timezone.localdate() else self.State.UPCOMING

    @property
    def is_open(self):
        return self.step_id is None and self.dropped_at is None

    def get_state_display(self):
        return self.State(self.state).label

    def tick_off(self, step_form, by):
        """Record the step `step_form` (a valid suivi.forms.StepForm, see TickForm.step_form) as this planned
        step done; it waits for validation like any step. Inside the caller's transaction."""
        step = step_form.save(commit=False)
        step.action, step.author, step.review = self.action, by, Step.Review.PENDING
        step.save()
        step_form.save_m2m()
        self.step = step
        self._history_user = by
        self.save(update_fields=["step"])
        return step

    def move(self, due_on, reason, by):
        self.due_on, self.reason = due_on, reason
        self._history_user = by
        self.save(update_fields=["due_on", "reason"])

    def drop(self, reason, by):
        self.dropped_at, self.reason = timezone.now(), reason
        self._history_user = by
        self.save(update_fields=["dropped_at", "reason"])
