"""The organisations that take part in plans, and the accounts of the people who use Chantier: who
administers the instance, whose account is deactivated, and whose personal information was erased.

Who acts for which organisation is decided plan by plan: it is a person's role in a plan
(plans.Membership, beside plans.PlanRole), so that one plan's coordinator never changes what a person
does in another plan."""

import re

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords, registered_models

from lib import french


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
        RESEARCH = "research", pgettext_lazy("type d’organisme", "Recherche")  # not the search page's
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
    # The name as French lists file it (lib.french.sort_key), kept by save(): one order on every database.
    sort_key = models.CharField(_("clé de tri"), max_length=200, editable=False, default="", db_index=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version", "sort_key"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["sort_key", Lower("name")]
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

    def save(self, *args, **kwargs):
        self.sort_key = french.sort_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)

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


class LanguageChoice(models.Model):
    """The interface language a person chose with the switch (base.html): it follows them to every
    device they sign in on (partners.languages). A person without a row gets the browser's language."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_choice", verbose_name=_("personne")
    )
    language = models.CharField(_("langue"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("langue choisie")
        verbose_name_plural = _("langues choisies")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="language_choice_is_a_language",
            )
        ]

    def __str__(self):
        return f"{self.person}: {self.language}"


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


# Personal information (Quebec's Law 25): an erased account keeps its row, since steps, reviews and
# history rows point to it, but nothing that names the person.

ERASED_USERNAME = "personne-effacee-{pk}"


def is_erased(person):
    """Read from the user name the erasure gives (an invitation's user name is an email: no one else has
    this one), so that a page naming thousands of authors asks no query to know it."""
    return person is not None and person.get_username() == ERASED_USERNAME.format(pk=person.pk)


def name_of_person(person):
    """How a person is named on a page: their full name, else their user name; an erased person by no
    name at all."""
    if person is None:
        return gettext_now("une personne dont le compte a été supprimé")
    if is_erased(person):
        return gettext_now("une personne dont les données ont été effacées")
    return person.get_full_name() or person.get_username()


def sessions_of(person):
    """The open sessions of this person. Sessions are stored encoded, with no column for their person:
    each unexpired one is read (there are as many as people signed in during SESSION_COOKIE_AGE)."""
    key = str(person.pk)
    return [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == key
    ]


class Erasure(models.Model):
    """The personal information of a departed person was erased: who did it and when, and which account.
    It keeps nothing of what was erased (Law 25): the account stays, without a name, because their steps,
    reviews and history rows point to it; their steps are then shown as their organisation's."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # the account is what history points to: it outlives its erasure
        related_name="erasure",
        verbose_name=_("compte"),
    )
    erased_at = models.DateTimeField(_("effacé le"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("effacé par"),
    )

    class Meta:
        verbose_name = _("effacement de données personnelles")
        verbose_name_plural = _("effacements de données personnelles")
        ordering = ["-erased_at"]

    def __str__(self):
        return gettext_now("Compte %(id)s effacé le %(date)s") % {
            "id": self.account_id,
            "date": timezone.localdate(self.erased_at) if self.erased_at else "",
        }

    @classmethod
    @transaction.atomic
    def erase(cls, person, by):
        """Remove what names the person: name, email, user name (a neutral one instead), password, last
        sign-in; end their roles and memberships in every plan (one by one: each organisation's history
        records the departure), their sessions, a pending invitation (its link stops working with the new
        password), their administration of the instance, their calendar addresses, notices and choices of
        notification. What they recorded stays, attributed to their organisation, and so does their
        attendance at meetings; history rows keep pointing to the account."""
        former_username = person.get_username()
        identifiers = {value for value in (former_username, person.email, person.get_full_name()) if value}
        cls._attendance_to_organisations(person)  # before their memberships end: it reads them
        for role in person.plan_roles.all():
            role.delete()  # PlanRole.delete ends the memberships of that plan
        for membership in person.memberships.all():
            membership.delete()
        person.plan_visits.all().delete()  # when they last opened each plan (plans' PlanVisit)
        person.calendar_keys.all().delete()  # the secret addresses of their calendars stop answering (meetings)
        # Their notices and choices (notifications); the log of reminders stays, since it tells when each
        # organisation was last reminded, without the error a mail server may have written their address in.
        person.notifications.all().delete()
        preference = getattr(person, "notification_preference", None)  # a missing row raises an AttributeError
        if preference is not None:
            preference.delete()
        person.reminders.update(error="")
        InstanceAdministrator.objects.filter(user=person).delete()
        Session.objects.filter(pk__in=sessions_of(person)).delete()

        person.username = ERASED_USERNAME.format(pk=person.pk)
        person.first_name = person.last_name = person.email = ""
        person.set_unusable_password()
        person.is_active = person.is_staff = person.is_superuser = False
        person.last_login = None
        person.save()
        # So that no invitation, from whichever plan, reopens the account (is_invited says no).
        Deactivation.objects.update_or_create(user=person, defaults={"deactivated_by": by})
        cls._forget_elsewhere(person, former_username, identifiers)
        return cls.objects.create(account=person, erased_by=by)

    @staticmethod
    def _attendance_to_organisations(person):
        """The meetings the person attended, or was excused from, keep it as their organisation's in that
        plan (the one they last acted for there; merged with the organisation's own row when it has one,
        present if either was); where they acted for no organisation (a coordinator, a committee member),
        the row stays on the account, which names no one any more (meetings' Attendance)."""
        organisation_in = {}
        current = person.memberships.order_by("organisation__sort_key").values_list("plan_id", "organisation_id")
        history = person.memberships.model.history.filter(user_id=person.pk).order_by("-history_date", "-history_id")
        for plan_id, organisation_id in [*current, *history.values_list("plan_id", "organisation_id")]:
            organisation_in.setdefault(plan_id, organisation_id)
        Attendance = person.attendances.model
        for row in person.attendances.select_related("meeting"):
            organisation_id = organisation_in.get(row.meeting.plan_id)
            if organisation_id is None:
                continue
            theirs = Attendance.objects.filter(meeting_id=row.meeting_id, organisation_id=organisation_id).first()
            if theirs is None:
                row.person, row.organisation_id = None, organisation_id
                row.save(update_fields=["person", "organisation"])
                continue
            if row.presence == Attendance.Presence.PRESENT and theirs.presence != row.presence:
                theirs.presence = row.presence
                theirs.save(update_fields=["presence"])
            row.delete()

    @staticmethod
    def _forget_elsewhere(person, former_username, identifiers):
        """Where else the name, email or user name may be written: a history of accounts if one is ever
        kept, the Django admin's log (the account's own entries, and those of the objects named after the
        account: its roles, memberships, deactivation), the sign-in attempts of django-axes when it is
        installed."""
        User = get_user_model()
        if hasattr(User, "history"):
            User.history.filter(id=person.pk).update(
                username=person.username, first_name="", last_name="", email=""
            )
        written = re.compile("|".join(re.escape(value) for value in identifiers), re.IGNORECASE)
        own = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk))
        named_after = Q(object_repr=former_username) | Q(object_repr__startswith=f"{former_username} ")
        for entry in LogEntry.objects.filter(own | named_after):
            entry.object_repr = written.sub(person.username, entry.object_repr)
            entry.change_message = written.sub(person.username, entry.change_message)
            entry.save(update_fields=["object_repr", "change_message"])
        if apps.is_installed("axes"):
            for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
                try:
                    model = apps.get_model("axes", name)
                except LookupError:
                    continue
                model.objects.filter(username__in=identifiers).delete()
