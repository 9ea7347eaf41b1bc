"""The yearly report ("bilan annuel") of a plan: one record per generation, with the PDF and the data it
was made from, both frozen once the committee adopts it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Plan


def bilan_pdf_path(bilan, filename):
    return f"bilans/{bilan.plan_id}/{filename}"


class BilanQuerySet(models.QuerySet):
    def adopted(self):
        return self.filter(state=Bilan.State.ADOPTED)

    def drafts(self):
        return self.filter(state=Bilan.State.DRAFT)


class Bilan(models.Model):
    """One generated report of a plan over a period. Each generation is a new version; an adopted one is
    never generated again."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        ADOPTED = "adopted", _("Adopté")

    class Rendering(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En préparation")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="bilans", verbose_name=_("plan"))
    version = models.PositiveIntegerField(_("version"))
    year = models.PositiveSmallIntegerField(
        _("année de reddition"), null=True, blank=True, help_text=_("Vide quand le bilan couvre d’autres dates.")
    )
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    rendering = models.CharField(
        _("préparation"), max_length=10, choices=Rendering.choices, default=Rendering.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("avancement de la préparation (%)"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    task_id = models.CharField(_("tâche"), max_length=64, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=bilan_pdf_path, max_length=300, blank=True)
    data = models.JSONField(_("données"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    generated_at = models.DateTimeField(_("produit le"), null=True, blank=True)
    adopted_on = models.DateField(_("adopté le"), null=True, blank=True)
    adopted_at_meeting = models.CharField(_("rencontre où il a été adopté"), max_length=200, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adoption notée par"),
    )

    objects = BilanQuerySet.as_manager()

    class Meta:
        verbose_name = _("bilan annuel")
        verbose_name_plural = _("bilans annuels")
        ordering = ["plan", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "version"], name="unique_bilan_version_per_plan"),
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="bilan_dates_in_order"),
            models.CheckConstraint(condition=Q(state__in=["draft", "adopted"]), name="bilan_state_valid"),
            models.CheckConstraint(
                condition=Q(rendering__in=["queued", "running", "ready", "failed"]), name="bilan_rendering_valid"
            ),
            # Only a finished report can be adopted, and an adoption says when and where.
            models.CheckConstraint(
                condition=Q(state="draft")
                | (Q(rendering="ready", adopted_on__isnull=False) & ~Q(adopted_at_meeting="") & ~Q(pdf="")),
                name="bilan_adopted_is_complete",
            ),
        ]

    def __str__(self):
        return _("Bilan %(period)s de %(plan)s, version %(version)s") % {
            "period": self.period_label,
            "plan": self.plan,
            "version": self.version,
        }

    def get_absolute_url(self):
        return reverse("bilans:detail", args=[self.plan.slug, self.pk])

    @property
    def period_label(self):
        """2024-2025 for a reporting year, the two dates otherwise."""
        if self.year is not None:
            return f"{self.year}-{self.year + 1}"
        return f"{self.starts_on:%Y-%m-%d}_{self.ends_on:%Y-%m-%d}"

    def file_name(self, extension="pdf"):
        return f"bilan-{self.plan.slug}-{self.period_label}-v{self.version}.{extension}"

    @property
    def is_adopted(self):
        return self.state == self.State.ADOPTED

    @property
    def is_ready(self):
        return self.rendering == self.Rendering.READY

    @property
    def is_pending(self):
        return self.rendering in {self.Rendering.QUEUED, self.Rendering.RUNNING}

    def clean(self):
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            raise ValidationError({"ends_on": _("La date de fin ne peut pas précéder la date de début.")})

    @classmethod
    def create_draft(cls, plan, starts_on, ends_on, year=None, user=None):
        """A new version, waiting to be prepared."""
        last = cls.objects.filter(plan=plan).aggregate(models.Max("version"))["version__max"] or 0
        return cls.objects.create(
            plan=plan, version=last + 1, year=year, starts_on=starts_on, ends_on=ends_on, created_by=user
        )

    def adopt(self, meeting, adopted_on, user):
        """Freeze this version: its PDF and data stay as they are; generating again makes a new draft."""
        if self.is_adopted or not self.is_ready:
            raise ValidationError(_("Seul un brouillon prêt peut être adopté."))
        self.state = self.State.ADOPTED
        self.adopted_at_meeting = meeting
        self.adopted_on = adopted_on
        self.adopted_by = user
        self.save(update_fields=["state", "adopted_at_meeting", "adopted_on", "adopted_by"])
