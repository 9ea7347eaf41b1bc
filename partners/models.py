"""The organisations that take part in plans, and the accounts of the people who use Chantier: who
administers the instance, and whose account is deactivated.

Who acts for which organisation is decided plan by plan: it is a person's role in a plan
(plans.Membership, beside plans.PlanRole), so that one plan's coordinator never changes what a person
does in another plan."""

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords, registered_models


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

    def has_records(self):
        """Whether steps were recorded on its behalf: it is then archived, never deleted (the database
        protects them too: a step's organisation is on_delete=PROTECT)."""
        return self.steps.exists()

    @transaction.atomic
    def merge_into(self, kept):
        """Merge this duplicate into `kept`, then delete it: its objective and action partner links,
        committee seats, members, steps and plan participations move to `kept`. A link `kept` already has
        (same objective, action, committee, or person in the same plan) is dropped rather than doubled. Links
        are saved one by one so that their history records the move. These links belong to the apps above
        this one and are reached through their reverse relations."""
        if kept.pk == self.pk:
            raise ValueError("An organisation cannot be merged into itself.")
        links = [
            (self.objective_links, kept.objective_links, ["objective_id"]),
            (self.action_links, kept.action_links, ["action_id"]),
            (self.committee_memberships, kept.committee_memberships, ["committee_id"]),
            (self.memberships, kept.memberships, ["plan_id", "user_id"]),
        ]
        for moving, existing, owner in links:
            taken = set(existing.values_list(*owner))
            for link in moving.all():
                if tuple(getattr(link, field) for field in owner) in taken:
                    link.delete()
                else:
                    link.organisation = kept
                    link.save()
        for step in self.steps.all():
            step.organisation = kept
            step.save(update_fields=["organisation"])
        kept.participating_plans.add(*self.participating_plans.all())
        self.delete()


class InstanceAdministrator(models.Model):
    """A person responsible for what every plan shares: they rename, archive and merge any organisation
    (seeing, on its page, what each plan holds of it) and deactivate or reactivate any account. They open
    only the plans they take part in, like anyone. Made, and unmade, with
    `python manage.py make_admin USERNAME [--remove]`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="instance_administrator",
        verbose_name=_("personne"),
    )
    since = models.DateTimeField(_("depuis le"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("administration de l’instance")
        verbose_name_plural = _("administration de l’instance")

    def __str__(self):
        return str(self.user)


def is_instance_administrator(person):
    """Reads the reverse one-to-one relation, which Django caches on the person (absent or not)."""
    return person.is_authenticated and hasattr(person, "instance_administrator")


class Deactivation(models.Model):
    """An account closed by someone responsible for it: the person can no longer sign in (in any plan),
    and no invitation reopens it, from whichever plan; only reactivating does. Recorded so that a
    deactivated person who never arrived is not mistaken for one invited who has not arrived yet. Its
    history says who deactivated and who reactivated (the row is deleted then), and when."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deactivation", verbose_name=_("personne")
    )
    deactivated_at = models.DateTimeField(_("désactivé le"), auto_now_add=True)
    deactivated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("désactivé par"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compte désactivé")
        verbose_name_plural = _("comptes désactivés")

    def __str__(self):
        return str(self.user)

    @classmethod
    @transaction.atomic
    def deactivate(cls, person, by):
        """The person can no longer sign in; nothing they recorded changes."""
        if not person.has_usable_password():
            person.set_unusable_password()  # a new one: a pending invitation link stops working
        person.is_active = False
        person.save()
        cls.objects.update_or_create(user=person, defaults={"deactivated_by": by})

    @classmethod
    @transaction.atomic
    def reactivate(cls, person):
        """Open the account again. A person who had never arrived is invited again (their account stays
        inactive until they choose a password); returns whether the person can sign in now."""
        cls.objects.filter(user=person).delete()  # one by one (history records it); then read afresh
        person.refresh_from_db()
        if has_arrived(person):
            person.is_active = True
            person.save()
        return person.is_active


def has_records(person):
    """Whether this person recorded work: a step they wrote, or any change the history attributes to
    them (a step reviewed, a result achieved, a plan edited…). Their account is then deactivated, never
    deleted: deleting it would take their name off the history. The models are simple-history's
    registered ones, so a model given a history later is counted without a change here."""
    if person.pk is None:
        return False
    if person.steps.exists():
        return True
    return any(
        getattr(model, model._meta.simple_history_manager_attribute).filter(history_user_id=person.pk).exists()
        for model in registered_models.values()
    )


def account_status(person):
    """"active", "invited" (has not arrived yet) or "inactive" (deactivated). Reads `person.deactivation`:
    a list selects it."""
    if person.is_active:
        return "active"
    return "invited" if is_invited(person) else "inactive"


def is_deactivated(person):
    """Inactive and not merely invited: closed by someone responsible for the account."""
    return not person.is_active and not is_invited(person)


def has_arrived(person):
    """The person chose a password or signed in at least once."""
    return person.has_usable_password() or person.last_login is not None


def is_invited(person):
    """Invited and not yet arrived: no password chosen, never signed in, and not deactivated."""
    return not person.is_active and not has_arrived(person) and not hasattr(person, "deactivation")
