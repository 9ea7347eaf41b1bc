"""What the app tells people: notifications in the app (with their unread count), each person's choices of
what reaches them by email, and the log of reminders sent, which makes `send_reminders` idempotent."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation
from plans.models import Plan, ReminderFrequency


class Preference(models.Model):
    """A person's choices; a person without a row has the defaults (the plan's frequency, every email but
    « étape validée »)."""

    class Frequency(models.TextChoices):
        PLAN = "plan", _("au rythme choisi par le plan")
        WEEKLY = ReminderFrequency.WEEKLY.value, ReminderFrequency.WEEKLY.label
        MONTHLY = ReminderFrequency.MONTHLY.value, ReminderFrequency.MONTHLY.label
        NEVER = ReminderFrequency.NEVER.value, ReminderFrequency.NEVER.label

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference",
        verbose_name=_("personne"),
    )
    reminder_frequency = models.CharField(
        _("rappels de mes actions"), max_length=10, choices=Frequency.choices, default=Frequency.PLAN
    )
    emails = models.BooleanField(
        _("recevoir les avis par courriel"),
        default=True,
        help_text=_("Étapes renvoyées, étapes à valider, bilans prêts ou adoptés. Ils restent aussi dans l’application."),
    )
    email_when_validated = models.BooleanField(
        _("recevoir un courriel quand une de mes étapes est validée"), default=False
    )

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_frequency__in=["plan", "weekly", "monthly", "never"]),
                name="preference_frequency_valid",
            ),
        ]

    def __str__(self):
        return str(self.person)

    @classmethod
    def of(cls, person):
        """The person's choices, unsaved defaults when they made none."""
        return cls.objects.filter(person=person).first() or cls(person=person)

    def frequency_in(self, plan):
        """How often this person gets their digest of this plan's actions."""
        return plan.reminder_frequency if self.reminder_frequency == self.Frequency.PLAN else self.reminder_frequency


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self):
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """Something that happened for this person, kept in their list until they read it."""

    class Kind(models.TextChoices):
        STEP_RETURNED = "returned", _("Étape renvoyée")
        STEP_VALIDATED = "validated", _("Étape validée")
        STEPS_WAITING = "waiting", _("Étapes à valider")
        INVITED = "invited", _("Invitation")
        BILAN_READY = "bilan_ready", _("Bilan prêt")
        BILAN_ADOPTED = "bilan_adopted", _("Bilan adopté")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("personne")
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications", verbose_name=_("plan")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("avis"), max_length=300)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("le"), default=timezone.now)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The header's count: a person's unread notifications only.
            models.Index(fields=["person"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["person", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="notification_text_not_empty"),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return self.url or reverse("notifications:list")


class Reminder(models.Model):
    """One email of reminders, to one person, for one plan and one period: claimed before it is sent, so a
    second run of `send_reminders` in the same period sends nothing again, and kept unsent (with its
    error) when sending failed, so that the next run tries again.

    Two runs at once: a run takes the unsent rows of its period by writing its own mark on those nobody
    holds (`claimed_by`, `claimed_at`) in one UPDATE, and sends only the rows that then bear its mark; the
    other run finds them held and leaves them. A run that died between its claim and its sending leaves
    its rows held: after `CLAIM_LEASE` they are free again, and the next run sends them."""

    CLAIM_LEASE = datetime.timedelta(hours=1)

    class Kind(models.TextChoices):
        PARTNER_DIGEST = "partner", _("Rappel des actions d’un partenaire")
        COORDINATION_DIGEST = "coordination", _("Résumé de la semaine pour la coordination")
        STEPS_WAITING = "waiting", _("Nouvelles étapes à valider")
        ON_DEMAND = "on_demand", _("Relance envoyée par la coordination")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("personne")
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("plan"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    # "2026-12" (monthly), "2026-S49" (weekly), "2026-12-02" (daily), or the minute of an on-demand reminder.
    period = models.CharField(_("période"), max_length=20)
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="reminders", verbose_name=_("organisations rappelées")
    )
    created_at = models.DateTimeField(_("préparé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    error = models.TextField(_("dernière erreur"), blank=True)
    claimed_by = models.CharField(_("pris par l’envoi"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("pris pour l’envoi le"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("envoyé à la demande de"),
    )

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["person", "plan", "kind", "period"], name="one_reminder_per_period"),
            models.CheckConstraint(condition=Q(kind__in=["partner", "coordination", "waiting", "on_demand"]), name="reminder_kind_valid"),
        ]
        indexes = [models.Index(fields=["plan", "kind", "sent_at"])]

    def __str__(self):
        return f"{self.person} – {self.get_kind_display()} – {self.period}"


class UsedLink(models.Model):
    """A one-click link from a reminder that has done its work: the database refuses to record it twice,
    so the link cannot be used again (django-sesame checks who, what and how old; this, the single use)."""

    digest = models.CharField(_("empreinte du lien"), max_length=64, unique=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(_("utilisé le"), default=timezone.now)

    class Meta:
        verbose_name = _("lien utilisé")
        verbose_name_plural = _("liens utilisés")

    def __str__(self):
        return f"{self.person} – {self.used_at}"
