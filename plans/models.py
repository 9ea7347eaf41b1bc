"""A plan of action and its structure: axes, objectives, actions, expected results, their partners, the
people's roles in the plan and the organisations they act for in it, its working committees and acronyms."""

import calendar
import datetime
import re
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import F, Max, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lib import french
from lib.choices import ChoiceLabel
from lib.locking import save_from_version
from partners.models import Organisation

MONTHS = [
    (1, _("janvier")), (2, _("février")), (3, _("mars")), (4, _("avril")), (5, _("mai")), (6, _("juin")),
    (7, _("juillet")), (8, _("août")), (9, _("septembre")), (10, _("octobre")), (11, _("novembre")),
    (12, _("décembre")),
]


# The years a plan may span, and how long an action may go without a step before it is flagged: beyond
# them the stale-actions and bilan pages would compute dates Python cannot hold (year 0, 30,000 months).
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_STALE_MONTHS = 120
YEAR_VALIDATORS = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


def within_the_years(day):
    """A date the app records or reports on (a step, a planned step, a bilan's period) lies in those years
    too: year 1 or 9999 is a slip of the keyboard, and a bilan of it cannot be computed."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            _("Indiquez une date entre %(first)s et %(last)s."), code="out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class ReminderFrequency(models.TextChoices):
    """How often a partner is sent their digest (notifications/): the plan's choice, and each person's."""

    WEEKLY = "weekly", _("chaque semaine")
    MONTHLY = "monthly", _("chaque mois")
    NEVER = "never", _("jamais")


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(roles__user=user).distinct()

    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def with_last_visit(self, user):
        """Each plan with this person's last visit (`visit_seen_at`, `visit_since`: `PlanVisit`), read with
        the plan rather than in a query of its own."""
        visit = PlanVisit.objects.filter(plan=OuterRef("pk"), user=user.pk)
        return self.annotate(
            visit_seen_at=Subquery(visit.values("seen_at")[:1]), visit_since=Subquery(visit.values("since")[:1])
        )


class Plan(models.Model):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    region = models.CharField(_("région"), max_length=100, blank=True)
    first_year = models.PositiveSmallIntegerField(_("première année"), validators=YEAR_VALIDATORS)
    last_year = models.PositiveSmallIntegerField(_("dernière année"), validators=YEAR_VALIDATORS)
    priority = models.TextField(_("priorité"), blank=True)
    mission = models.TextField(_("mission"), blank=True)
    values = models.JSONField(_("valeurs"), default=list, blank=True, help_text=_("Dans l’ordre du plan."))
    follow_up = models.JSONField(
        _("mécanismes de suivi"), default=list, blank=True, help_text=_("Un mécanisme par élément, dans l’ordre.")
    )
    reporting_year_start_month = models.PositiveSmallIntegerField(
        _("mois de début de l’année de reddition"),
        choices=MONTHS,
        default=4,
        help_text=_("Avril par défaut : l’année financière publique du Québec va d’avril à mars."),
    )
    adopted_on = models.DateField(_("adopté le"), null=True, blank=True)
    stale_after_months = models.PositiveSmallIntegerField(
        _("action à relancer après (mois sans étape)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_STALE_MONTHS)],
        help_text=_("Une action commencée sans étape inscrite depuis ce nombre de mois est signalée."),
    )
    reminder_frequency = models.CharField(
        _("rappels aux partenaires"),
        max_length=10,
        choices=ReminderFrequency.choices,
        default=ReminderFrequency.MONTHLY,
        help_text=_(
            "Chaque partenaire reçoit à ce rythme un courriel : ses actions sans nouvelles, ses résultats attendus "
            "cette année, ses étapes renvoyées. Chacun peut changer le sien."
        ),
    )
    # The language of the plan's documents (bilans, « Le plan et ses étapes réalisées »), whatever the
    # language of the person who downloads them (bilans/documents.py, `in_plan_language`).
    language = models.CharField(
        _("langue des documents"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("La langue des bilans PDF et Word et du document du plan, quelle que soit celle de la personne qui les télécharge."),
    )
    committee_may_validate = models.BooleanField(
        _("le comité de coordination peut valider les étapes"), default=False
    )
    partners_may_download_bilans = models.BooleanField(
        _("les partenaires peuvent télécharger les bilans annuels"), default=False
    )
    # Set by `load_demo` when it adds its fictional year of activity (demo/activity.py): every page of
    # the plan then says that its steps, results and bilans are examples, not the coalition's work.
    example_activity = models.BooleanField(
        _("activité fictive d’exemple"),
        default=False,
        help_text=_("Les étapes, résultats atteints et bilans du plan sont des exemples fictifs (démonstration)."),
    )
    # An archived plan is read as it was left and changed by nobody (plans/rules.py, `plan_is_open`).
    # Editable for simple-history's diffs (which skip the others); no form offers it.
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    participants = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="participating_plans",
        verbose_name=_("organismes ayant participé aux travaux"),
    )

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("plan d’action")
        verbose_name_plural = _("plans d’action")
        ordering = ["-first_year", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(first_year__lte=F("last_year")), name="plan_years_in_order"),
            models.CheckConstraint(
                condition=Q(reporting_year_start_month__gte=1, reporting_year_start_month__lte=12),
                name="plan_reporting_month_valid",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="plan_title_not_empty"),
            models.CheckConstraint(
                condition=Q(stale_after_months__gte=1, stale_after_months__lte=MAX_STALE_MONTHS),
                name="plan_stale_after_in_range",
            ),
            models.CheckConstraint(
                condition=Q(first_year__gte=FIRST_YEAR, last_year__lte=LAST_YEAR), name="plan_years_in_range"
            ),
            models.CheckConstraint(
                condition=Q(reminder_frequency__in=ReminderFrequency.values), name="plan_reminder_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in settings.LANGUAGES]), name="plan_language_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:detail", args=[self.slug])

    def clean(self):
        if self.first_year and self.last_year and self.first_year > self.last_year:
            raise ValidationError({"last_year": _("La dernière année ne peut pas précéder la première.")})

    @property
    def is_archived(self):
        return self.archived_at is not None

    def archive(self):
        """Close the plan: it leaves the home page's list, stays readable by its people, and nobody changes
        it until it is restored. Nothing in it is deleted."""
        self.archived_at = timezone.now()
        self.version += 1
        self.save(update_fields=["archived_at", "version"])

    def restore(self):
        self.archived_at = None
        self.version += 1
        self.save(update_fields=["archived_at", "version"])

    def has_records(self):
        """Whether work was recorded in the plan: a step, a result achieved, an adopted bilan. Such a plan
        is archived, never deleted. Steps and bilans belong to the apps above this one, reached through
        the relations they declare."""
        step_model = Action.steps.rel.related_model
        return (
            step_model.objects.filter(action__plan=self).exists()
            or self.results.filter(achieved_on__isnull=False).exists()
            or self.bilans.adopted().exists()
        )

    @property
    def period(self):
        return format_period(self.first_year, self.last_year)

    def tree(self, with_actions=True):
        """The plan's axes with their objectives and, unless told otherwise, their actions and results, in a
        fixed number of queries whatever its size. Every axis and objective carries `measured_progress`
        and every objective its `action_count`. Returns a list."""
        objectives = (
            Objective.objects.active()
            .annotate(action_count=models.Count("actions", filter=Q(actions__archived_at__isnull=True)))
            .order_by("number")
            .prefetch_related(Prefetch("partner_links", queryset=ObjectivePartner.objects.select_related("organisation")))
        )
        if with_actions:
            objectives = objectives.prefetch_related(Prefetch("actions", queryset=Action.objects.for_display()))
        axes = list(self.axes.active().order_by("number").prefetch_related(Prefetch("objectives", queryset=objectives)))
        progress = self.measured_progress
        for axis in axes:  # every item knows its plan without a query (links are built from its slug)
            axis.plan = self
            axis.measured_progress = progress["axes"].get(axis.pk)
            for objective in axis.objectives.all():
                objective.plan = self
                objective.measured_progress = progress["objectives"].get(objective.pk)
                for action in objective.actions.all() if with_actions else ():
                    action.plan = self
        return axes

    @cached_property
    def measured_progress(self):
        """The progress of the plan, of each axis and of each objective: the mean of their actions' progress
        (`share_achieved`), from one query however large the plan."""
        rows = (
            ExpectedResult.objects.active()
            .filter(
                plan=self,
                action__archived_at__isnull=True,
                action__objective__archived_at__isnull=True,
                action__objective__axis__archived_at__isnull=True,
            )
            .order_by()
            .values_list("action_id", "action__objective_id", "action__objective__axis_id", "achieved_on")
        )
        dates, places = defaultdict(list), {}
        for action_id, objective_id, axis_id, achieved_on in rows:
            dates[action_id].append(achieved_on)
            places[action_id] = objective_id, axis_id
        plan, axes, objectives = [], defaultdict(list), defaultdict(list)
        for action_id, achieved in dates.items():
            value = share_achieved(achieved)
            objective_id, axis_id = places[action_id]
            plan.append(value)
            axes[axis_id].append(value)
            objectives[objective_id].append(value)
        return {
            "plan": mean_of(plan),
            "axes": {pk: mean_of(values) for pk, values in axes.items()},
            "objectives": {pk: mean_of(values) for pk, values in objectives.items()},
            "achieved_on": [day for days in dates.values() for day in days],  # each active result's
        }

    def results_summary(self, since=None):
        """How many of its expected results the plan holds, how many are achieved, in the current reporting
        year, and (given the end of a person's previous visit) since then; from the rows
        `measured_progress` reads, without a query of its own. An achievement counts from the day it is
        dated, which is the day it was ticked unless the person chose another."""
        year_start, year_end = self.reporting_year()
        dates = self.measured_progress["achieved_on"]
        achieved = [day for day in dates if day is not None]
        summary = {
            "total": len(dates),
            "achieved": len(achieved),
            "achieved_this_year": sum(year_start <= day <= year_end for day in achieved),
        }
        if since is not None:
            since_day = timezone.localdate(since)
            summary["achieved_since"] = sum(day >= since_day for day in achieved)
        return summary

    def reporting_year(self, on=None):
        """The reporting year containing a date (today by default), as (first day, last day)."""
        on = on or timezone.localdate()
        return self.reporting_year_starting(on.year if on.month >= self.reporting_year_start_month else on.year - 1)

    def reporting_year_starting(self, year):
        """The reporting year that starts in `year`: from the start month (April by default) to the day
        before that month a year later, as (first day, last day)."""
        start = datetime.date(year, self.reporting_year_start_month, 1)
        return start, datetime.date(year + 1, self.reporting_year_start_month, 1) - datetime.timedelta(days=1)

    def stale_actions(self, today=None):
        """Actions under way or due with no step or check-in for `stale_after_months` months."""
        return Action.objects.filter(plan=self).active().stale(self.stale_after_months, today)

    def acronyms(self):
        """The plan's list of acronyms: its organisations' acronyms and its other terms, alphabetically."""
        organisations = Organisation.objects.with_acronym().filter(
            Q(participating_plans=self)
            | Q(objective_links__objective__plan=self)
            | Q(action_links__action__plan=self)
            | Q(committee_memberships__committee__plan=self)
        )
        entries = {org.acronym: org.name for org in organisations.distinct()}
        entries.update(self.terms.values_list("acronym", "meaning"))
        return sorted(entries.items(), key=lambda entry: french.sort_key(entry[0]))

    def save_from_version(self, version):
        """Save an edit made on `version` of the plan; False, and nothing written, if someone saved since."""
        return save_from_version(self, version)

    @transaction.atomic
    def copy(self, **fields):
        """A new plan with this one's structure (a new period of the same chantier), `fields` (title, slug,
        years…) set on it: its active axes, objectives, actions and expected results with their codes and
        partners, its acronyms, the people's roles and the organisations they act for; nothing recorded
        (no steps, no results achieved, every action not started)."""
        plan = Plan.objects.create(
            **{
                "region": self.region,
                "priority": self.priority,
                "mission": self.mission,
                "values": self.values,
                "follow_up": self.follow_up,
                "reporting_year_start_month": self.reporting_year_start_month,
                "stale_after_months": self.stale_after_months,
                "reminder_frequency": self.reminder_frequency,
                "committee_may_validate": self.committee_may_validate,
                **fields,
            }
        )
        new = {}  # (model, old pk) -> new row, so that children find their new parent

        def copy_level(model, copied, parent_field=None, links=None):
            rows = list(model.objects.active().filter(plan=self).order_by("pk"))
            if parent_field:  # children of archived parents stay behind with them
                parent_model = model._meta.get_field(parent_field).related_model
                rows = [row for row in rows if (parent_model, getattr(row, f"{parent_field}_id")) in new]
            copies = [
                model(
                    plan=plan,
                    number=row.number,
                    code=row.code,
                    **{field: getattr(row, field) for field in copied},
                    **({parent_field: new[parent_model, getattr(row, f"{parent_field}_id")]} if parent_field else {}),
                )
                for row in rows
            ]
            model.objects.bulk_create(copies)
            model.history.bulk_history_create(copies)
            new.update(((model, row.pk), copy) for row, copy in zip(rows, copies))
            if links:
                link_model, item_field = links
                link_copies = [
                    link_model(
                        **{item_field: new[model, getattr(link, f"{item_field}_id")]},
                        organisation_id=link.organisation_id,
                        role=link.role,
                        position=link.position,
                    )
                    for link in link_model.objects.filter(**{f"{item_field}__plan": self})
                    if (model, getattr(link, f"{item_field}_id")) in new
                ]
                link_model.objects.bulk_create(link_copies)
                link_model.history.bulk_history_create(link_copies)

        copy_level(Axis, ["title"])
        copy_level(Objective, ["title", "description"], "axis", (ObjectivePartner, "objective"))
        copy_level(Action, ["text", "period_start", "period_end"], "objective", (ActionPartner, "action"))
        copy_level(ExpectedResult, ["text", "period_start", "period_end"], "action")
        Term.objects.bulk_create(Term(plan=plan, acronym=term.acronym, meaning=term.meaning) for term in self.terms.all())
        roles = PlanRole.objects.bulk_create(
            PlanRole(plan=plan, user_id=role.user_id, role=role.role) for role in self.roles.all()
        )
        PlanRole.history.bulk_history_create(roles)
        memberships = Membership.objects.bulk_create(
            Membership(plan=plan, user_id=membership.user_id, organisation_id=membership.organisation_id)
            for membership in self.memberships.all()
        )
        Membership.history.bulk_history_create(memberships)
        return plan


def months_before(day, months):
    """The same day `months` months earlier (the month's last day when it is shorter: 31 May → 30 April)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def percent(part, whole):
    """`part` of `whole` from 0 to 100, rounded; None when there is nothing to measure."""
    return round(100 * part / whole) if whole else None


def share_achieved(achieved_on, by=None):
    """An action's progress: the share of its active expected results achieved, from 0 to 100, given the
    dates they were achieved on (None when not), counting only those achieved by `by` when given; None
    when the action has no result to measure. Every progress in the app (plan, Mes actions, bilan) is this."""
    achieved_on = list(achieved_on)
    return percent(sum(day is not None and (by is None or day <= by) for day in achieved_on), len(achieved_on))


def status_following(achieved_on, has_steps, by=None):
    """The status an action follows when the coordination has not set one, from the dates its active
    results were achieved on (None when not) and whether it has steps (by `by`, when given): done when
    all are achieved, in progress once something happened. `Action.refresh_status` and the bilan's
    status at the end of a period are this."""
    achieved = [day is not None and (by is None or day <= by) for day in achieved_on]
    if achieved and all(achieved):
        return ActionStatus.DONE
    if has_steps or any(achieved):
        return ActionStatus.IN_PROGRESS
    return ActionStatus.NOT_STARTED


def mean_of(values):
    """The rounded mean of the values, leaving out those with nothing to measure (None)."""
    values = [value for value in values if value is not None]
    return round(sum(values) / len(values)) if values else None


def format_period(start, end):
    if start is None:
        return ""
    return str(start) if start == end else f"{start}-{end}"


PERIOD = re.compile(r"^(\d{4})(?:\s*[-–—àa/]\s*(\d{4}))?$")


def parse_period(text):
    """A reference period as people write it, in the fixtures or in a spreadsheet: '2024-2026' (or
    2024–2026, 2024 à 2026) → (2024, 2026); '2025' → (2025, 2025); '' → (None, None). ValueError, with a
    French message, otherwise."""
    text = (text or "").strip()
    if not text:
        return None, None
    match = PERIOD.match(text)
    if not match:
        raise ValueError(_("« %(value)s » n’est pas une année de référence (2024-2026, 2025 ou vide).") % {"value": text})
    start, end = int(match[1]), int(match[2] or match[1])
    if not (FIRST_YEAR <= start <= LAST_YEAR and FIRST_YEAR <= end <= LAST_YEAR):
        raise ValueError(
            _("« %(value)s » : une année de référence va de %(first)s à %(last)s.")
            % {"value": text, "first": FIRST_YEAR, "last": LAST_YEAR}
        )
    if start > end:
        raise ValueError(_("« %(value)s » : l’année de fin précède l’année de début.") % {"value": text})
    return start, end


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordination")
    PARTNER = "partner", _("Partenaire")
    COMMITTEE = "committee", _("Comité de coordination")


class PlanRole(models.Model):
    """What a person may do in one plan. One person may hold different roles in different plans."""

    Role = Role

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="roles", verbose_name=_("plan"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_roles", verbose_name=_("personne")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rôle dans un plan")
        verbose_name_plural = _("rôles dans les plans")
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="unique_role_per_plan"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="plan_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.plan}"

    @property
    def is_coordinator(self):
        return self.role == Role.COORDINATOR

    def memberships(self):
        """The organisations this person acts for in this plan."""
        return Membership.objects.filter(plan_id=self.plan_id, user_id=self.user_id)

    @transaction.atomic
    def delete(self, *args, **kwargs):
        """Taking a person out of a plan ends what they act for in it (deleted one by one, so that the
        history of each organisation records the departure), forgets when they last opened it, and closes
        the secret address of their calendar of its meetings (meetings' CalendarKey, through its relation):
        were they invited back, the old address would otherwise open again."""
        for membership in self.memberships():
            membership.delete()
        PlanVisit.objects.filter(plan_id=self.plan_id, user_id=self.user_id).delete()
        self.user.calendar_keys.filter(plan_id=self.plan_id).delete()
        return super().delete(*args, **kwargs)


class Membership(models.Model):
    """A person acts for an organisation in a plan: a partner records steps and ticks results in this plan
    on the organisation's behalf. The same person may act for other organisations in other plans, and
    for several in one. Part of the person's role in the plan: it ends when the role does
    (`PlanRole.delete`), and it gives nothing without a role in the plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("plan"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("personne")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    joined_on = models.DateField(_("depuis le"), auto_now_add=True)
    # The tables it had when memberships were global and lived in partners/.
    history = HistoricalRecords(table_name="partners_historicalmembership")

    class Meta:
        db_table = "partners_membership"
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(fields=["plan", "user", "organisation"], name="unique_membership_per_plan"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} – {self.plan}"


# Within this time of the last page of the plan opened, a person is still on the same visit: reloading the
# page or coming back from an action does not empty « Depuis votre dernière visite ».
VISIT_GAP = datetime.timedelta(hours=1)
# A visit noted less than this ago is not written again: reading the plan page writes nothing each time.
VISIT_REFRESH = datetime.timedelta(minutes=5)


class PlanVisit(models.Model):
    """When a person last opened a plan's page, so that the page tells them what changed since their
    previous visit. One row per person and plan, overwritten at each visit."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="visits", verbose_name=_("plan"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_visits", verbose_name=_("personne")
    )
    seen_at = models.DateTimeField(_("dernière page ouverte le"))
    # The end of the previous visit: what happened after it is new to the person (None on a first visit).
    since = models.DateTimeField(_("visite précédente terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("visite d’un plan")
        verbose_name_plural = _("visites des plans")
        constraints = [
            models.UniqueConstraint(fields=["plan", "user"], name="unique_visit_per_plan"),
            models.CheckConstraint(condition=Q(since__isnull=True) | Q(since__lte=F("seen_at")), name="visit_since_before_seen"),
        ]

    def __str__(self):
        return f"{self.user} – {self.plan} – {self.seen_at}"

    @classmethod
    def record(cls, user, plan, now=None):
        """Note this visit and answer when the previous one ended (None on a first visit). The last visit is
        read with the plan (`PlanQuerySet.with_last_visit`); this writes it, in one query (an upsert)."""
        now = now or timezone.now()
        seen_at, since = plan.visit_seen_at, plan.visit_since
        if seen_at is not None and now - seen_at < VISIT_REFRESH:
            return since
        if seen_at is not None and now - seen_at >= VISIT_GAP:  # a new visit: what came after the last one is new
            since = seen_at
        cls.objects.bulk_create(
            [cls(plan=plan, user=user, seen_at=now, since=since)],
            update_conflicts=True,
            unique_fields=["plan", "user"],
            update_fields=["seen_at", "since"],
        )
        return since


class ItemQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


# Archived items leave the numbering so that the active siblings stay 1..n: they take a number from here
# (code 1.2.10000, 1.2.10001…). Renumbering passes through numbers above every real one (SHIFT, PARKED), so
# that no two siblings ever hold the same code, even for a moment (PostgreSQL checks uniqueness row by row).
ARCHIVED_NUMBERS_FROM = 10000
SHIFT = 20000
PARKED = 32000


class PlanItem(models.Model):
    """What axes, objectives, actions and expected results share: a number among their siblings and a code
    made of their ancestors' numbers and their own (1, 1.2, 1.2.3, 1.2.3.4).

    The code is stored, because people, addresses and spreadsheets refer to items by it. It is recomputed
    from the parent on save, and a save that changes it carries the change down to the children,
    grandchildren… in the same transaction, each with a history row. The database refuses what is
    inconsistent: a code of the wrong shape, twice in a plan, or not extending its parent's (migration 0003).
    """

    parent_field = None  # the name of the foreign key to the parent level
    depth = 1

    # Repeated from the parent so that the database can hold codes unique within a plan.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="%(class)ss", editable=False)
    number = models.PositiveSmallIntegerField(_("numéro"))
    # Editable for simple-history's diffs (which skip the others); no form offers it, the admin shows it read-only.
    code = models.CharField(_("code"), max_length=30)
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)
    # Optimistic locking: a form carries the version it was opened on; a save from an older one is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ItemQuerySet.as_manager()
    history = HistoricalRecords(inherit=True, excluded_fields=["version"])

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="unique_%(class)s_code_per_plan"),
            models.CheckConstraint(condition=Q(number__gte=1), name="%(class)s_number_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def parent(self):
        return getattr(self, self.parent_field) if self.parent_field else None

    def expected_code(self):
        parent = self.parent
        return f"{parent.code}.{self.number}" if parent else str(self.number)

    def clean(self):
        super().clean()
        parent = self.parent if self.parent_field and getattr(self, f"{self.parent_field}_id") else None
        if self.parent_field and parent is None:
            return
        code = self.expected_code()
        plan_id = parent.plan_id if parent else self.plan_id
        siblings = type(self).objects.filter(plan_id=plan_id, code=code).exclude(pk=self.pk)
        if siblings.exists():
            raise ValidationError({"number": _("Le code %(code)s existe déjà dans ce plan.") % {"code": code}})

    def save(self, *args, **kwargs):
        parent = self.parent
        if parent is not None:
            self.plan_id = parent.plan_id
        self.code = self.expected_code()
        if not self._changes_code(kwargs.get("update_fields")):
            return super().save(*args, **kwargs)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._carry_codes_down([self.pk])
            self._record_history_below([self.pk])
        self._prefetched_objects_cache = {}  # children read before the change have their old codes

    def _changes_code(self, update_fields=None):
        """Whether saving now gives a new code to an item that has items below it (which then follow)."""
        if self._state.adding or not self._paths_below():
            return False
        if update_fields is not None and "code" not in update_fields:
            return False
        return type(self).objects.filter(pk=self.pk).exclude(code=self.code).exists()

    def save_from_version(self, version):
        """Save an edit made on `version` of this item; False, and nothing written, if someone saved since."""
        return save_from_version(self, version)

    # Moving, inserting, archiving and deleting keep the active siblings numbered 1..n, in one transaction
    # each. A new code is carried down here, level by level, to the children, grandchildren… of every item
    # renumbered, and every item whose code changed gets a history row (by the person of the request). Each
    # runs the same few queries whatever the plan's size: one UPDATE or INSERT … SELECT per level.

    def siblings(self):
        """The items under the same parent (this one included, archived ones too)."""
        if self.parent_field:
            return type(self).objects.filter(**{f"{self.parent_field}_id": getattr(self, f"{self.parent_field}_id")})
        return type(self).objects.filter(plan_id=self.plan_id)

    def last_active_number(self):
        return self.siblings().active().exclude(pk=self.pk).aggregate(last=Max("number"))["last"] or 0

    def _code_of(self, number):
        """The SQL for a sibling's code with this number (an expression): the parent's code is theirs too."""
        number = Cast(number, models.CharField())
        parent = self.parent
        return Concat(Value(f"{parent.code}."), number, output_field=models.CharField()) if parent else number

    def _lock_parent(self):
        """Lock the parent's row (the plan's for an axis) until the transaction ends, so that changes to the
        same siblings wait for one another on PostgreSQL (SQLite writes one at a time anyway)."""
        if self.parent_field:
            parent = self._meta.get_field(self.parent_field).related_model
            list(parent.objects.select_for_update().filter(pk=getattr(self, f"{self.parent_field}_id")).values("pk"))
        else:
            list(Plan.objects.select_for_update().filter(pk=self.plan_id).values("pk"))

    def _lock(self):
        """Lock the siblings' parent and reread this item as it is now."""
        self._lock_parent()
        self._park_archived_siblings()
        self.refresh_from_db()

    def _park_archived_siblings(self):
        """Give an archived sibling still numbered among the active ones (archived in the admin, say) a
        number in the archived range, so that renumbering the active ones cannot meet it."""
        strays = self.siblings().filter(archived_at__isnull=False, number__lt=ARCHIVED_NUMBERS_FROM)
        # None, unless someone went around these methods. The last first, so that closing its gap does not
        # move an active sibling onto the number of a stray still waiting.
        for pk, old in strays.order_by("-number").values_list("pk", "number"):
            self._renumber([pk], Value(self.last_archived_number() + 1))
            self._record_history_of(type(self).objects.filter(pk=pk))
            self._record_history_below([pk])
            self._shift(self.siblings().active().filter(number__gt=old), -1)

    def last_archived_number(self):
        last = self.siblings().filter(number__gte=ARCHIVED_NUMBERS_FROM).aggregate(last=Max("number"))["last"]
        return last or ARCHIVED_NUMBERS_FROM - 1

    def _shift(self, siblings, delta):
        """Add delta to these siblings' numbers, by way of numbers nobody holds, carry their new codes down
        to everything below them, and record all of it in history."""
        ids = list(siblings.order_by().values_list("pk", flat=True))
        if not ids:
            return
        self._renumber(ids, F("number") + SHIFT)
        self._renumber(ids, F("number") - SHIFT + delta)
        self._record_history_of(type(self).objects.filter(pk__in=ids))
        self._record_history_below(ids)

    def _renumber(self, ids, number):
        """Give these siblings `number` (an SQL expression) and the code that goes with it, and everything
        below them the codes that extend theirs. No history: the caller records the final state."""
        type(self).objects.filter(pk__in=ids).update(number=number, code=self._code_of(number))
        self._carry_codes_down(ids)

    def _rows_below(self, ids):
        """For each level below this one, from the top: its items under these ones (of this one's level).
        Each level is reached through its parent's foreign key (action_id IN (SELECT id FROM actions WHERE
        objective_id IN …)) rather than joins, so that the UPDATE of a level never joins its own table."""
        levels, parents = [], ids
        for model in self._paths_below():
            levels.append(model.objects.filter(**{f"{model.parent_field}__in": parents}))
            parents = levels[-1].order_by().values("pk")
        return levels

    def _carry_codes_down(self, ids):
        """Rewrite the codes of everything below these items from their parents' codes as they are now,
        one UPDATE per level from the top, so that each level reads its parents' new codes."""
        for rows in self._rows_below(ids):
            model = rows.model
            parent = model._meta.get_field(model.parent_field).related_model
            parent_code = parent.objects.filter(pk=OuterRef(model.parent_field)).order_by().values("code")
            rows.update(code=Concat(Subquery(parent_code), Value("."), Cast("number", models.CharField())))

    def _record_history_below(self, ids):
        for rows in self._rows_below(ids):
            self._record_history_of(rows)

    def _record_history_of(self, rows):
        """A history row ("changed", by the person of the request) for each of these items as they are now,
        in one INSERT … SELECT however many they are (simple-history's bulk_history_create would need a
        query per 50 rows on SQLite). The SELECT is the rows' own query: an `id IN (SELECT id FROM the same
        table …)` took PostgreSQL minutes when its statistics still said the table was empty."""
        historical = rows.model.history.model
        user = historical.get_default_history_user(self)
        recorded = {
            "history_date": Value(timezone.now(), output_field=models.DateTimeField()),
            "history_change_reason": Value(""),
            "history_type": Value("~"),
            "history_user_id": Value(getattr(user, "pk", None), output_field=models.IntegerField()),
        }
        fields = historical.tracked_fields
        select = rows.order_by().values(*[field.attname for field in fields]).annotate(**recorded)
        sql, params = select.query.sql_with_params()
        quote = connection.ops.quote_name
        columns = [quote(field.column) for field in fields] + [quote(name) for name in recorded]
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(columns)}) {sql}", params)

    @transaction.atomic
    def insert_at(self, number=None):
        """Save this new item at this position among its active siblings (the last when None, kept within
        1..n); those from that position on move down one, with everything below them."""
        self._lock_parent()
        self._park_archived_siblings()
        last = self.last_active_number()
        self.number = last + 1 if number is None else max(1, min(number, last + 1))
        self._shift(self.siblings().active().filter(number__gte=self.number), +1)
        self.save()

    @transaction.atomic
    def move_to(self, number):
        """Put this item at this position among its active siblings (kept within 1..n); the siblings in
        between shift by one, and the codes below all of them follow."""
        self._lock()
        if self.archived_at is not None:
            return
        number = max(1, min(number, self.siblings().active().count()))
        current = self.number
        if number == current:
            return
        self._renumber([self.pk], Value(PARKED))  # out of the way, with everything below it
        active = self.siblings().active().exclude(pk=self.pk)
        if number < current:
            self._shift(active.filter(number__gte=number, number__lt=current), +1)
        else:
            self._shift(active.filter(number__gt=current, number__lte=number), -1)
        self.number = number
        self.save()  # its new code, carried down below it

    @transaction.atomic
    def archive(self):
        """Hide this item (and what is below it) from the plan, kept with its history; the siblings after it
        move up one."""
        self._lock()
        if self.archived_at is not None:
            return
        current = self.number
        self.number = self.last_archived_number() + 1
        self.archived_at = timezone.now()
        self.save()
        self._shift(self.siblings().active().filter(number__gt=current), -1)

    @transaction.atomic
    def restore(self):
        """Bring an archived item back, last among its active siblings."""
        self._lock()
        if self.archived_at is None:
            return
        self.number = self.last_active_number() + 1
        self.archived_at = None
        self.save()

    def _paths_below(self):
        """{model: lookup from it to this item} for each level below this one, e.g. from an axis
        {Objective: "axis", Action: "objective__axis", ExpectedResult: "action__objective__axis"}."""
        levels = [Axis, Objective, Action, ExpectedResult]
        paths, path = {}, None
        for model in levels[levels.index(type(self)) + 1 :]:
            path = model.parent_field if path is None else f"{model.parent_field}__{path}"
            paths[model] = path
        return paths

    def has_records(self):
        """Whether a step or an achieved result was recorded on this item or anywhere below it."""
        if isinstance(self, ExpectedResult):
            return self.is_achieved or self.steps.exists()
        paths = self._paths_below()
        achieved = ExpectedResult.objects.filter(achieved_on__isnull=False, **{paths[ExpectedResult]: self})
        if isinstance(self, Action):
            return self.steps.exists() or achieved.exists()
        return Action.objects.filter(steps__isnull=False, **{paths[Action]: self}).exists() or achieved.exists()

    @transaction.atomic
    def delete_or_archive(self):
        """Delete this item and everything below it, unless something was recorded there: then archive it,
        so that nothing recorded is ever lost. Returns True if deleted, False if archived."""
        self._lock()
        if self.has_records():
            self.archive()
            return False
        current, was_active = self.number, self.archived_at is None
        for model, path in reversed(self._paths_below().items()):  # deepest first: foreign keys protect parents
            model.objects.filter(**{path: self}).delete()
        self.delete()
        if was_active:
            self._shift(self.siblings().active().filter(number__gt=current), -1)
        return True


def code_shape(depth):
    """A check that a code has as many numbers as its level: 1, 1.1, 1.1.1, 1.1.1.1."""
    return r"^[1-9][0-9]*(\.[1-9][0-9]*){%d}$" % (depth - 1)


class ReferencePeriod(models.Model):
    """The years an action or a result is planned for ("Année de référence"): 2024-2026, 2026, or none."""

    period_start = models.PositiveSmallIntegerField(_("année de référence (début)"), null=True, blank=True)
    period_end = models.PositiveSmallIntegerField(_("année de référence (fin)"), null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True, period_end__isnull=True)
                | Q(period_start__isnull=False, period_end__isnull=False, period_start__lte=F("period_end")),
                name="%(class)s_period_valid",
            ),
        ]

    @property
    def period(self):
        return format_period(self.period_start, self.period_end)

    def meets(self, first_day, last_day):
        """Its reference years reach into the period from first_day to last_day (a reporting year); an item
        without years meets every period."""
        return (self.period_start is None or self.period_start <= last_day.year) and (
            self.period_end is None or self.period_end >= first_day.year
        )

    def clean(self):
        super().clean()
        if (self.period_start is None) != (self.period_end is None):
            raise ValidationError(_("Indiquez l’année de début et l’année de fin, ou aucune des deux."))
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("L’année de fin ne peut pas précéder l’année de début.")})


class Axis(PlanItem):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="axes", verbose_name=_("plan"))
    title = models.CharField(_("titre"), max_length=300)

    class Meta:
        verbose_name = _("axe")
        verbose_name_plural = _("axes")
        ordering = ["plan", "number"]
        constraints = PlanItem.Meta.constraints + [
            models.CheckConstraint(condition=Q(code__regex=code_shape(1)), name="axis_code_shape"),
            models.CheckConstraint(condition=~Q(title=""), name="axis_title_not_empty"),
        ]

    @property
    def label(self):
        return self.title

    def expected_code(self):
        return str(self.number)


class Objective(PlanItem):
    parent_field = "axis"

    axis = models.ForeignKey(Axis, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("axe"))
    title = models.CharField(_("titre"), max_length=300)
    description = models.TextField(_("précision"), blank=True)
    partners = models.ManyToManyField(
        Organisation, through="ObjectivePartner", related_name="objectives", verbose_name=_("organismes partenaires")
    )

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["axis__number", "number"]
        constraints = PlanItem.Meta.constraints + [
            models.CheckConstraint(condition=Q(code__regex=code_shape(2)), name="objective_code_shape"),
            models.CheckConstraint(condition=~Q(title=""), name="objective_title_not_empty"),
        ]

    @property
    def label(self):
        return self.title


def live_action(prefix=""):
    """An action still in the plan: neither it nor its objective nor its axis archived (archiving an item
    leaves what is under it as it was, to come back with it). `prefix` reaches the action from a related
    model: `live_action("action__")`."""
    return Q(
        **{
            f"{prefix}archived_at__isnull": True,
            f"{prefix}objective__archived_at__isnull": True,
            f"{prefix}objective__axis__archived_at__isnull": True,
        }
    )


class ActionQuerySet(ItemQuerySet):
    def live(self):
        """The actions still in the plan (`live_action`): the ones people may follow, record and be told of."""
        return self.filter(live_action())

    def for_organisations(self, organisations):
        """Actions one of these organisations is a partner on: named on the action, or on its objective when
        the action names no partners of its own."""
        return self.filter(
            Q(partner_links__organisation__in=organisations)
            | Q(partner_links__isnull=True, objective__partner_links__organisation__in=organisations)
        ).distinct()

    def for_organisation(self, organisation):
        return self.for_organisations([organisation])

    def for_user(self, user, plan):
        """Actions of the plan where an organisation this person acts for in that plan is a partner."""
        return self.filter(plan=plan).for_organisations(
            Membership.objects.filter(plan=plan, user=user).values("organisation")
        )

    def with_partners_in_effect(self):
        """With what `Action.partner_links_in_effect` reads: its own partners and its objective's."""
        return self.prefetch_related(
            Prefetch("partner_links", queryset=ActionPartner.objects.select_related("organisation")),
            Prefetch("objective__partner_links", queryset=ObjectivePartner.objects.select_related("organisation")),
        )

    def for_display(self):
        """Active actions with what the plan page shows of each, in a fixed number of queries."""
        return (
            self.active()
            .with_step_summary()
            .order_by("number")
            .prefetch_related(
                Prefetch("partner_links", queryset=ActionPartner.objects.select_related("organisation")),
                Prefetch("results", queryset=ExpectedResult.objects.active().order_by("number")),
            )
        )

    def with_step_summary(self):
        """Each action's number of steps and date of the last one. Subqueries on the (action, date) index
        rather than a join and GROUP BY over every step of the plan."""
        # Steps are the follow-up app's (suivi, above this one): reached through the relation it declares.
        steps = Action.steps.rel.related_model.objects.filter(action=OuterRef("pk"))
        return self.annotate(
            step_count=Coalesce(
                Subquery(steps.order_by().values("action").annotate(n=models.Count("pk")).values("n")), 0
            ),
            last_step_on=Subquery(steps.order_by("-done_on").values("done_on")[:1]),
        )

    def with_latest_step_review(self):
        """Each action's latest step's review (`pending`, `validated`, `returned`; None without a step), the
        latest as the steps' own order has it."""
        Step = Action.steps.rel.related_model
        latest = Step.objects.filter(action=OuterRef("pk")).order_by(*Step._meta.ordering)
        return self.annotate(latest_step_review=Subquery(latest.values("review")[:1]))

    def with_last_news(self):
        """Each action's `last_news_on`: the date of its latest step or check-in (« rien de nouveau »), None
        when it has neither. Check-ins are the follow-up app's, reached through the relation it declares."""
        CheckIn = Action.check_ins.rel.related_model
        last_check_in = Subquery(
            CheckIn.objects.filter(action=OuterRef("pk")).order_by("-checked_on").values("checked_on")[:1]
        )
        # Greatest() of a NULL is NULL on SQLite and the other date on PostgreSQL: each side falls back on the other.
        return self.with_step_summary().annotate(last_check_in_on=last_check_in).annotate(
            last_news_on=Greatest(
                Coalesce("last_step_on", "last_check_in_on"), Coalesce("last_check_in_on", "last_step_on")
            )
        )

    def stale(self, months, today=None):
        """Still to do, its reference period begun, and no step or check-in for `months` months (none at all
        counts from the start of the period, or of the plan when it has none)."""
        today = today or timezone.localdate()
        limit = months_before(today, months)
        begun = Q(period_start__lte=today.year) | Q(period_start__isnull=True, plan__first_year__lte=today.year)
        # A period starts on 1 January of its first year.
        started_long_ago = Q(period_start__lte=limit.year) | Q(period_start__isnull=True, plan__first_year__lte=limit.year)
        return (
            self.filter(begun)
            .exclude(status__in=[ActionStatus.DONE, ActionStatus.ABANDONED])
            .with_last_news()
            .filter(Q(last_news_on__lt=limit) | (Q(last_news_on__isnull=True) & started_long_ago))
        )


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Non commencée")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    ONGOING = "ongoing", _("En continu")
    ABANDONED = "abandoned", _("Abandonnée")


class Action(PlanItem, ReferencePeriod):
    """A "moyen ou action" of the plan."""

    parent_field = "objective"
    Status = ActionStatus

    objective = models.ForeignKey(
        Objective, on_delete=models.PROTECT, related_name="actions", verbose_name=_("objectif")
    )
    text = models.TextField(_("moyen ou action"))
    partners = models.ManyToManyField(
        Organisation,
        through="ActionPartner",
        related_name="actions",
        blank=True,
        verbose_name=_("organismes partenaires"),
        help_text=_("Laisser vide pour reprendre les partenaires de l’objectif."),
    )
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    # Set by the coordinator (ongoing, abandoned…): the status then no longer follows the results.
    status_is_manual = models.BooleanField(_("état fixé par la coordination"), default=False)
    status_reason = models.TextField(_("raison de l’état"), blank=True)

    status_label = ChoiceLabel("status", ActionStatus)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["objective__axis__number", "objective__number", "number"]
        constraints = (
            PlanItem.Meta.constraints
            + ReferencePeriod.Meta.constraints
            + [
                models.CheckConstraint(condition=Q(code__regex=code_shape(3)), name="action_code_shape"),
                models.CheckConstraint(condition=~Q(text=""), name="action_text_not_empty"),
                models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
                models.CheckConstraint(
                    condition=Q(status_is_manual=False) | ~Q(status_reason=""), name="action_manual_status_has_reason"
                ),
            ]
        )

    @property
    def label(self):
        return self.text

    def get_absolute_url(self):
        return reverse("suivi:action", args=[self.plan.slug, self.code])

    # An action that names no partners of its own has its objective's, as the plan's table reads. This is
    # the one place that says so for an action in hand; `ActionQuerySet.for_organisations` says it in SQL.
    @property
    def inherits_partners(self):
        return not self.partner_links.all()

    @property
    def partner_links_in_effect(self):
        """The action's own partners, or its objective's (reads prefetched links when there are)."""
        return self.objective.partner_links.all() if self.inherits_partners else self.partner_links.all()

    def progress(self):
        """The share of its active expected results achieved, from 0 to 100 (None if it has none).
        Reads the prefetched results when there are some."""
        return share_achieved(result.achieved_on for result in self.results.all() if result.archived_at is None)

    def refresh_status(self, save=True):
        """Follow the results: done when all are achieved, in progress once something happened."""
        if self.status_is_manual:
            return
        status = status_following(self.results.active().values_list("achieved_on", flat=True), self.steps.exists())
        if status != self.status:
            self.status = status
            if save:
                self.save(update_fields=["status"])


class ExpectedResult(PlanItem, ReferencePeriod):
    """A "résultat attendu" of an action, which a partner marks achieved."""

    parent_field = "action"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="results", editable=False)
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="results", verbose_name=_("action"))
    text = models.TextField(_("résultat attendu"))
    achieved_on = models.DateField(_("atteint le"), null=True, blank=True)
    achieved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("atteinte notée par"),
    )

    class Meta:
        verbose_name = _("résultat attendu")
        verbose_name_plural = _("résultats attendus")
        ordering = ["action__objective__axis__number", "action__objective__number", "action__number", "number"]
        constraints = (
            PlanItem.Meta.constraints
            + ReferencePeriod.Meta.constraints
            + [
                models.CheckConstraint(condition=Q(code__regex=code_shape(4)), name="expectedresult_code_shape"),
                models.CheckConstraint(condition=~Q(text=""), name="expectedresult_text_not_empty"),
                models.CheckConstraint(
                    condition=Q(achieved_by__isnull=True) | Q(achieved_on__isnull=False),
                    name="expectedresult_achiever_needs_date",
                ),
            ]
        )

    @property
    def label(self):
        return self.text

    @property
    def is_achieved(self):
        return self.achieved_on is not None

    def clean(self):
        super().clean()
        if self.achieved_on:
            # Not tied to the field: the forms that edit a result's text do not show its date of achievement.
            self.check_achieved_on(self.achieved_on)

    def achievement_dates(self):
        """The first and last days a result of this plan may be achieved on: inside the plan's years or
        before them, as far back as the first reporting year the bilan offers (the one before the plan's
        first year), so that every achievement counts in a bilan; never after the plan's last year."""
        return (
            self.plan.reporting_year_starting(self.plan.first_year - 1)[0],
            datetime.date(self.plan.last_year, 12, 31),
        )

    def check_achieved_on(self, day):
        """The one rule for the date a result is achieved on (ticked on its page, in a partner's sheet,
        changed by the coordination): never in the future, and within `achievement_dates`."""
        earliest, latest = self.achievement_dates()
        if day > timezone.localdate():
            raise ValidationError(_("Un résultat ne peut pas être atteint à une date future."))
        if day > latest:
            raise ValidationError(
                _("Un résultat ne peut pas être atteint après la fin du plan (%(date)s).") % {"date": latest}
            )
        if day < earliest:
            raise ValidationError(
                _("Un résultat ne peut pas être atteint avant le %(date)s : aucun bilan ne le compterait.")
                % {"date": earliest}
            )

    # A result added, archived, restored or deleted changes its action's share achieved, hence its status.

    @transaction.atomic
    def insert_at(self, number=None):
        super().insert_at(number)
        self.refresh_action_status()

    @transaction.atomic
    def archive(self):
        super().archive()
        self.refresh_action_status()

    @transaction.atomic
    def restore(self):
        super().restore()
        self.refresh_action_status()

    @transaction.atomic
    def delete_or_archive(self):
        deleted = super().delete_or_archive()
        self.refresh_action_status()
        return deleted

    def refresh_action_status(self):
        Action.objects.get(pk=self.action_id).refresh_status()


class PartnerLink(models.Model):
    """An organisation named as partner, in the order the plan names them."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Porteur")
        PARTNER = "partner", _("Partenaire")

    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.PARTNER)
    position = models.PositiveSmallIntegerField(_("rang"), default=0)

    # The name of the foreign key to the objective or action, in each concrete model.
    item_field = None
    KEEP_ROLES = object()

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self):
        return str(self.organisation)

    @classmethod
    def links_for(cls, item, organisations):
        """New links naming these organisations as the item's partners, in this order (not saved: a new
        item's links are inserted in bulk by the spreadsheet import)."""
        return [cls(**{cls.item_field: item}, organisation=organisation, position=position)
                for position, organisation in enumerate(organisations)]

    @classmethod
    def set_for(cls, item, organisations, lead=KEEP_ROLES):
        """Make these organisations the item's partners, in this order: links to the others are deleted,
        links kept keep their row, new ones are created; each link written or deleted gets its history row.
        `lead` is the lead among them (or None for none); by default the roles stay as they are."""
        current = {link.organisation_id: link for link in cls.objects.filter(**{cls.item_field: item})}
        wanted = {organisation.pk for organisation in organisations}
        for organisation_id, link in current.items():
            if organisation_id not in wanted:
                link.delete()
        for new in cls.links_for(item, organisations):
            link = current.get(new.organisation_id, new)
            if lead is cls.KEEP_ROLES:
                role = link.role
            else:
                role = cls.Role.LEAD if lead is not None and link.organisation_id == lead.pk else cls.Role.PARTNER
            position = new.position
            if link.pk and (link.position, link.role) == (position, role):
                continue
            link.position, link.role = position, role
            link.save()


class ObjectivePartner(PartnerLink):
    item_field = "objective"

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="partner_links")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="objective_links", verbose_name=_("organisation")
    )
    history = HistoricalRecords()

    class Meta(PartnerLink.Meta):
        verbose_name = _("partenaire de l’objectif")
        verbose_name_plural = _("partenaires de l’objectif")
        constraints = [
            models.UniqueConstraint(fields=["objective", "organisation"], name="unique_objective_partner"),
        ]


class ActionPartner(PartnerLink):
    item_field = "action"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="partner_links")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="action_links", verbose_name=_("organisation")
    )
    history = HistoricalRecords()

    class Meta(PartnerLink.Meta):
        verbose_name = _("partenaire de l’action")
        verbose_name_plural = _("partenaires de l’action")
        constraints = [
            models.UniqueConstraint(fields=["action", "organisation"], name="unique_action_partner"),
        ]


class Committee(models.Model):
    """A working committee of the plan (Solutions innovantes, Menus travaux…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="committees", verbose_name=_("plan"))
    name = models.CharField(_("nom"), max_length=200)
    members = models.ManyToManyField(
        Organisation, through="CommitteeMember", blank=True, related_name="committees", verbose_name=_("membres")
    )
    other_members = models.CharField(
        _("autres membres"), max_length=300, blank=True, help_text=_("Membres qui ne sont pas des organisations.")
    )

    class Meta:
        verbose_name = _("comité de travail")
        verbose_name_plural = _("comités de travail")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="unique_committee_per_plan")]

    def __str__(self):
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="member_links")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="committee_memberships", verbose_name=_("organisation")
    )
    note = models.CharField(_("précision"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("rang"), default=0)

    class Meta:
        verbose_name = _("membre du comité")
        verbose_name_plural = _("membres du comité")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "organisation"], name="unique_committee_member"),
        ]

    def __str__(self):
        return str(self.organisation)


class Term(models.Model):
    """An acronym the plan uses that is not an organisation's (OMH, CdP…), for its list of acronyms."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="terms", verbose_name=_("plan"))
    acronym = models.CharField(_("sigle"), max_length=30)
    meaning = models.CharField(_("signification"), max_length=200)

    class Meta:
        verbose_name = _("sigle")
        verbose_name_plural = _("sigles")
        ordering = ["acronym"]
        constraints = [models.UniqueConstraint(fields=["plan", "acronym"], name="unique_term_per_plan")]

    def __str__(self):
        return f"{self.acronym} – {self.meaning}"
