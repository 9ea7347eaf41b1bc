"""The yearly report ("bilan annuel") of a plan: one record per generation, with the PDF and the data it
was made from, both frozen once the committee adopts it."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from lib import french
from meetings.models import Meeting
from plans.models import Plan


def bilan_pdf_path(bilan, filename):
    return f"bilans/{bilan.plan_id}/{filename}"



def reporting_year_label(year, start_month=4):
    """The reporting year that starts in `year`, as the coalition writes it: « 2024-2025 » (« 2024 » when
    it is the calendar year)."""
    return str(year) if start_month == 1 else f"{year}-{year + 1}"

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
    # The meeting of the coordination committee that adopted it, when it is in the app; `adopted_at_meeting`
    # then keeps its name as it was (older bilans have only that text).
    adopted_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adopted_bilans",
        verbose_name=_("réunion d’adoption"),
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adoption notée par"),
    )
    adopting_body = models.CharField(
        _("adopté par"),
        max_length=200,
        blank=True,
        help_text=_("Qui a adopté le bilan : le comité de coordination, l’assemblée des partenaires…"),
    )

    # The committee's words, typed on a draft with the markup of `narrative.py`: the keys of TEXTS, and
    # "axes"/"objectives" ({code: text}). Copied into the data at each preparation, frozen with it.
    texts = models.JSONField(_("textes du comité"), default=dict, blank=True)

    TEXTS = {
        "word": _("Mot de la coordination"),
        "highlights": _("Faits saillants de l’année"),
        "challenges": _("Défis rencontrés"),
        "outlook": _("Perspectives"),
    }

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
            # Only a gathered report can be adopted, and an adoption says when, where and by whom. Its
            # PDF is then made again from the same data with the adoption's mark on every page.
            models.CheckConstraint(
                condition=Q(state="draft")
                | (
                    Q(data__isnull=False, adopted_on__isnull=False)
                    & ~Q(adopted_at_meeting="")
                    & ~Q(adopting_body="")
                ),
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
    def period_shown(self):
        """What the bilans page says of the period: « 2024-2025 », or « 1er avril 2024 – 15 mars 2025 »."""
        if self.year is not None:
            return reporting_year_label(self.year, self.plan.reporting_year_start_month)
        return f"{french.date(self.starts_on)} – {french.date(self.ends_on)}"

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
    def create_draft(cls, plan, starts_on, ends_on, year=None, user=None, texts=None):
        """A new version, waiting to be prepared."""
        last = cls.objects.filter(plan=plan).aggregate(models.Max("version"))["version__max"] or 0
        return cls.objects.create(
            plan=plan, version=last + 1, year=year, starts_on=starts_on, ends_on=ends_on, created_by=user,
            texts=texts or {},
        )

    def edit_texts(self, texts, user):
        """The committee's words changed: on a draft, the draft is prepared again with them; an adopted
        version stays as it was adopted, and the words go to a new draft of the same period. Returns
        the version to prepare."""
        if self.is_adopted:
            return Bilan.create_draft(self.plan, self.starts_on, self.ends_on, self.year, user, texts)
        self.texts = texts
        self.rendering, self.progress = self.Rendering.QUEUED, 0
        self.save(update_fields=["texts", "rendering", "progress"])
        return self

    @property
    def produced_on(self):
        """The day this version was produced (its data gathered), in the app's time zone."""
        return timezone.localdate(self.generated_at) if self.generated_at else None

    def page_mark(self):
        """What every page of the PDF says of this version: « Projet — version 3 du 1er décembre 2026 »
        on a draft, « Adopté le 12 juin 2027 par le comité de coordination » once adopted."""
        from .templatetags.bilans import long_date

        with translation.override(self.plan.language):  # the document's language (bilans/documents.py)
            if self.is_adopted:
                return _("Adopté le %(date)s par %(body)s") % {"date": long_date(self.adopted_on), "body": self.adopting_body}
            produced_on = self.produced_on or timezone.localdate()
            return _("Projet — version %(version)s du %(date)s") % {"version": self.version, "date": long_date(produced_on)}

    def check_adoption_date(self, adopted_on):
        """A version is adopted on or after the day it was produced, and not in the future."""
        if self.produced_on and adopted_on < self.produced_on:
            raise ValidationError(
                _("Ce bilan a été produit le %(date)s : il ne peut pas avoir été adopté avant.")
                % {"date": self.produced_on}
            )
        if adopted_on > timezone.localdate():
            raise ValidationError(_("La date d’adoption ne peut pas être dans le futur."))

    def adopt(self, meeting, adopted_on, body, user, adopted_meeting=None):
        """Freeze this version: its data stays as it is, and its PDF is made once more, from that data,
        with the adoption's mark on every page (`tasks.prepare_bilan`); generating again makes a new
        draft."""
        if self.is_adopted or not self.is_ready:
            raise ValidationError(_("Seul un brouillon prêt peut être adopté."))
        self.check_adoption_date(adopted_on)
        self.state = self.State.ADOPTED
        self.adopted_at_meeting = str(adopted_meeting) if adopted_meeting else meeting
        self.adopted_meeting = adopted_meeting
        self.adopted_on = adopted_on
        self.adopting_body = body
        self.adopted_by = user
        self.rendering, self.progress = self.Rendering.QUEUED, 0
        self.save(
            update_fields=[
                "state", "adopted_at_meeting", "adopted_meeting", "adopted_on", "adopting_body", "adopted_by",
                "rendering", "progress",
            ]
        )


def plan_document_path(document, filename):
    return f"bilans/{document.plan_id}/plan-et-etapes/{filename}"


def plan_steps_file_name(plan_slug, starts_on, ends_on, kind):
    """The name of « Le plan et ses étapes réalisées »'s file, made during the request or in the background."""
    return f"plan-et-etapes-{plan_slug}-{starts_on:%Y%m%d}-{ends_on:%Y%m%d}.{kind}"


class PlanDocumentQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(rendering__in=[Bilan.Rendering.QUEUED, Bilan.Rendering.RUNNING])

    def past_keeping(self):
        """Made (or failed) more than `PlanDocument.KEPT_DAYS` ago; one still waiting for the worker is kept
        for it, however old."""
        since = timezone.now() - datetime.timedelta(days=PlanDocument.KEPT_DAYS)
        return self.filter(requested_at__lt=since, rendering__in=[Bilan.Rendering.READY, Bilan.Rendering.FAILED])

    def discard(self):
        """Delete these documents, and their files once the transaction has committed (a rollback must not
        leave rows pointing at nothing)."""
        with transaction.atomic():
            for document in self.exclude(file=""):
                transaction.on_commit(lambda name=document.file.name, storage=document.file.storage: storage.delete(name))
            return self.delete()


class PlanDocument(models.Model):
    """« Le plan et ses étapes réalisées », as a PDF or a Word document, made in the background: the document
    of a plan too large to be laid out during the request (`bilans.plan_steps.IN_REQUEST_UP_TO`), kept
    `KEPT_DAYS` for whoever asked."""

    KEPT_DAYS = 7

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_documents", verbose_name=_("plan"))
    kind = models.CharField(_("format"), max_length=4, choices=Kind.choices, default=Kind.PDF)
    starts_on = models.DateField(_("début de la période"))
    ends_on = models.DateField(_("fin de la période"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("demandé par")
    )
    requested_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    rendering = models.CharField(
        _("préparation"), max_length=10, choices=Bilan.Rendering.choices, default=Bilan.Rendering.QUEUED
    )
    file = models.FileField(_("fichier"), upload_to=plan_document_path, max_length=300, blank=True)
    error = models.TextField(_("erreur"), blank=True, editable=False)

    objects = PlanDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan et ses étapes réalisées (document)")
        verbose_name_plural = _("plans et leurs étapes réalisées (documents)")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rendering__in=["queued", "running", "ready", "failed"]), name="plan_document_rendering_valid"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="plan_document_period_valid"),
            models.CheckConstraint(condition=Q(kind__in=["pdf", "docx"]), name="plan_document_kind_valid"),
            # A second click while the first is being made finds that one (bilans.views.plan_steps_file).
            models.UniqueConstraint(
                fields=["plan", "kind", "starts_on", "ends_on"],
                condition=Q(rendering__in=["queued", "running"]),
                name="one_plan_document_in_the_making_per_period",
            ),
        ]

    def __str__(self):
        return _("Le plan et ses étapes réalisées, du %(start)s au %(end)s") % {
            "start": formats.date_format(self.starts_on), "end": formats.date_format(self.ends_on)
        }

    def get_absolute_url(self):
        return reverse("bilans:plan_document", args=[self.plan.slug, self.pk])

    @property
    def is_ready(self):
        return self.rendering == Bilan.Rendering.READY

    @property
    def is_pending(self):
        return self.rendering in {Bilan.Rendering.QUEUED, Bilan.Rendering.RUNNING}

    def file_name(self):
        return plan_steps_file_name(self.plan.slug, self.starts_on, self.ends_on, self.kind)
