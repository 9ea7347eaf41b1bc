"""The follow-up of a plan: the steps partners record as they carry its actions out ("étapes
réalisées"), their files and their review by the coordination."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lib.locking import save_from_version
from lib.uploads import short_file_name

from partners.models import Organisation
from plans.models import Action, ExpectedResult
from plans.rules import organisation_ids, partner_organisation_ids

from .signals import step_reviewed


def done_by_today(day):
    """A step is what was done: its date is today or earlier (checked by every form that records one)."""
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
        steps = self.select_related("organisation", "author", "reviewed_by").prefetch_related("files", "results")
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
        """Validate the step, or send it back with a comment the organisation will see; who and when are kept."""
        self.review, self.review_comment = review, comment
        self.reviewed_by, self.reviewed_at = by, timezone.now()
        self.save(update_fields=["review", "review_comment", "reviewed_by", "reviewed_at"])
        step_reviewed.send(sender=Step, step=self, review=review, by=by)

    def save_from_version(self, version):
        """Save an edit made on `version` of the step; False, and nothing written, if someone saved since."""
        return save_from_version(self, version)


class CheckInQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(checked_on__gte=start, checked_on__lte=end)


class CheckIn(models.Model):
    """« Rien de nouveau, toujours en cours » : an organisation says its action goes on with nothing new to
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


def step_file_path(instance, filename):
    return f"etapes/{instance.step.action.plan_id}/{instance.step_id}/{short_file_name(filename)}"


class StepFileQuerySet(models.QuerySet):
    def of_plan(self, plan):
        return self.filter(step__action__plan=plan)

    def total_size(self):
        """The bytes these files take in storage, together."""
        return self.aggregate(total=models.Sum("size"))["total"] or 0


class StepFile(models.Model):
    """A file kept as proof of a step (minutes, photo, report). Served only to people of the plan."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="files", verbose_name=_("étape"))
    file = models.FileField(_("fichier"), upload_to=step_file_path, max_length=300)
    name = models.CharField(_("nom"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    objects = StepFileQuerySet.as_manager()

    class Meta:
        db_table = "plans_stepfile"
        verbose_name = _("fichier d’une étape")
        verbose_name_plural = _("fichiers des étapes")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name
