"""The organisations that take part in plans, and the people who act for them."""

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def with_acronym(self):
        return self.exclude(acronym="")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipalité")
        MRC = "mrc", _("MRC")
        HOUSING_OFFICE = "housing_office", _("Office d’habitation")
        NON_PROFIT = "non_profit", _("Organisme à but non lucratif")
        COOP = "coop", _("Coopérative")
        SOCIAL_ECONOMY = "social_economy", _("Entreprise d’économie sociale")
        MINISTRY = "ministry", _("Ministère")
        PUBLIC_BODY = "public_body", _("Organisme public")
        CONCERTATION = "concertation", _("Table de concertation")
        NETWORK = "network", _("Regroupement ou fédération")
        RESEARCH = "research", _("Recherche")
        COMMITTEE = "committee", _("Comité")
        GROUP = "group", _("Ensemble d’acteurs")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    acronym = models.CharField(
        _("sigle"),
        max_length=30,
        blank=True,
        help_text=_("Laisser vide si l’organisation n’a pas de sigle; il figure alors dans la liste des acronymes."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(_("site web"), blank=True)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="unique_organisation_name"),
            models.UniqueConstraint(
                Lower("acronym"),
                condition=~models.Q(acronym=""),
                name="unique_organisation_acronym",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="organisation_name_not_empty"),
        ]

    def __str__(self):
        return self.acronym or self.name

    @property
    def display_name(self):
        """The name as people say it: the acronym when there is one, with the full name beside it."""
        if self.acronym and self.acronym != self.name:
            return f"{self.name} ({self.acronym})"
        return self.name

    @transaction.atomic
    def merge_into(self, kept):
        """Merge this duplicate into `kept`, then delete it: its objective and action partner links,
        committee seats, members, steps and plan participations move to `kept`. A link `kept` already has
        (same objective, action, committee or person) is dropped rather than doubled. Links are saved one by
        one so that their history records the move."""
        if kept.pk == self.pk:
            raise ValueError("An organisation cannot be merged into itself.")
        links = [
            (self.objective_links, kept.objective_links, "objective_id"),
            (self.action_links, kept.action_links, "action_id"),
            (self.committee_memberships, kept.committee_memberships, "committee_id"),
            (self.memberships, kept.memberships, "user_id"),
        ]
        for moving, existing, owner in links:
            taken = set(existing.values_list(owner, flat=True))
            for link in moving.all():
                if getattr(link, owner) in taken:
                    link.delete()
                else:
                    link.organisation = kept
                    link.save()
        for step in self.steps.all():
            step.organisation = kept
            step.save(update_fields=["organisation"])
        kept.participating_plans.add(*self.participating_plans.all())
        self.delete()


class Membership(models.Model):
    """A person acts for an organisation (a person may act for several)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("personne")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    joined_on = models.DateField(_("depuis le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation}"
