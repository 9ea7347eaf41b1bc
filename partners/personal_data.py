"""What Chantier holds about a person (Quebec's Law 25, right of access): the same data for the « Mes
données » page and its JSON download.

The apps above this one (plans, suivi) are reached through the person's reverse relations
(`plan_roles`, `memberships`, `steps`) and through simple-history's registry of tracked models, so that
a history table added by any app is counted without this module knowing it. A fixed number of queries,
whatever the person recorded: one per tracked model, and a few more."""

from collections import Counter

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import registered_models

from .languages import stored_language
from .models import Organisation, account_status

HISTORY_EVENTS = {"+": gettext_lazy("ajout"), "~": gettext_lazy("modification"), "-": gettext_lazy("retrait")}


def plan_model():
    """The plans' model, without importing the app above this one: the plans an organisation takes part in."""
    return Organisation._meta.get_field("participating_plans").related_model


def path_to_plan(model):
    """How a row of `model` (or its history) reaches its plan: "id" for a plan, "plan", or through the
    item it belongs to ("action__plan"); None for what every plan shares (organisations, accounts)."""
    Plan = plan_model()
    if model is Plan:
        return "id"
    relations = [field for field in model._meta.fields if field.is_relation and field.related_model is not None]
    for field in relations:
        if field.related_model is Plan:
            return field.name
    for field in relations:
        for inner in field.related_model._meta.fields:
            if inner.is_relation and inner.related_model is Plan:
                return f"{field.name}__{inner.name}"
    return None


def history_made_by(person):
    """The changes this person made, counted by plan and by kind of item: one query per tracked model."""
    counts = Counter()
    for model in registered_models.values():
        historical = model.history.model
        path = path_to_plan(model)
        rows = historical.objects.filter(history_user_id=person.pk).order_by()
        if path is None:
            total = rows.count()
            if total:
                counts[(None, model._meta.verbose_name_plural)] += total
            continue
        for row in rows.values(path).annotate(total=Count("pk")):
            counts[(row[path], model._meta.verbose_name_plural)] += row["total"]
    titles = dict(plan_model().objects.filter(pk__in={plan for plan, _kind in counts}).values_list("pk", "title"))
    entries = [
        {"plan": titles.get(plan, _("Hors d’un plan")), "objet": str(kind), "nombre": total}
        for (plan, kind), total in counts.items()
    ]
    return sorted(entries, key=lambda entry: (entry["plan"].casefold(), entry["objet"].casefold()))


def history_about(person):
    """The rows about this person over time (invited into a plan, a role changed, joined or left an
    organisation, deactivated…): the history of every tracked model that names its person (`user`)."""
    events = []
    for model in registered_models.values():
        historical = model.history.model
        names = {field.name for field in historical._meta.fields}
        if "user" not in names:
            continue
        related = [name for name in ("plan", "organisation") if name in names]
        for record in historical.objects.filter(user_id=person.pk).select_related(*related):
            plan = getattr(record, "plan", None) if "plan" in names else None
            organisation = getattr(record, "organisation", None) if "organisation" in names else None
            events.append(
                {
                    "date": timezone.localtime(record.history_date),
                    "evenement": str(HISTORY_EVENTS.get(record.history_type, record.history_type)),
                    "objet": str(model._meta.verbose_name),
                    "plan": plan.title if plan else "",
                    "organisation": organisation.name if organisation else "",
                    "role": record.get_role_display() if "role" in names else "",
                }
            )
    return sorted(events, key=lambda event: event["date"], reverse=True)


def check_ins_of(person):
    """The person's « Rien de nouveau, toujours en cours » on actions (suivi's CheckIn): one query."""
    rows = person.check_ins.order_by("-checked_on", "-pk").values(
        "action__plan__title", "action__code", "checked_on", "organisation__name", "note"
    )
    return [
        {
            "plan": row["action__plan__title"],
            "action": row["action__code"],
            "date": row["checked_on"],
            "organisation": row["organisation__name"],
            "note": row["note"],
        }
        for row in rows
    ]


def planned_by(person):
    """The steps the person planned ahead (suivi's PlannedStep): one query."""
    rows = person.planned_steps.order_by("-due_on", "-pk").values(
        "action__plan__title", "action__code", "description", "due_on", "organisation__name", "created_at"
    )
    return [
        {
            "plan": row["action__plan__title"],
            "action": row["action__code"],
            "ce_qui_est_prevu": row["description"],
            "prevue_pour_le": row["due_on"],
            "organisation": row["organisation__name"],
            "prevue_le": timezone.localtime(row["created_at"]),
        }
        for row in rows
    ]


def attendance_of(person):
    """The meetings at which the person was noted present or excused (meetings' Attendance): one query."""
    rows = person.attendances.select_related("meeting__plan", "meeting__committee").order_by("-meeting__starts_at")
    return [
        {
            "plan": row.meeting.plan.title,
            "reunion": row.meeting.body_name,
            "date": row.meeting.local_start,
            "presence": row.get_presence_display(),
        }
        for row in rows
    ]


def calendars_of(person):
    """The plans whose calendar of meetings the person reads at a secret address (meetings' CalendarKey):
    the key itself is not repeated here, it is on the plan's meetings page, where it can be renewed."""
    return [
        {"plan": key.plan.title, "adresse_creee_ou_renouvelee_le": timezone.localtime(key.created_at)}
        for key in person.calendar_keys.select_related("plan").order_by("plan__title")
    ]


def notices_of(person):
    """The notices in the person's list of notifications (notifications' Notification): one query."""
    return [
        {
            "date": timezone.localtime(notice.created_at),
            "type": notice.get_kind_display(),
            "avis": notice.text,
            "lu_le": timezone.localtime(notice.read_at) if notice.read_at else None,
        }
        for notice in person.notifications.order_by("-created_at", "-pk")
    ]


def reminders_of(person):
    """The reminders sent to the person, or prepared and not sent yet (notifications' Reminder): two
    queries."""
    reminders = person.reminders.select_related("plan").prefetch_related("organisations").order_by("-created_at", "-pk")
    return [
        {
            "plan": reminder.plan.title,
            "type": reminder.get_kind_display(),
            "periode": reminder.period,
            "organisations": sorted((o.name for o in reminder.organisations.all()), key=str.casefold),
            "envoye_le": timezone.localtime(reminder.sent_at) if reminder.sent_at else None,
        }
        for reminder in reminders
    ]


def preferences_of(person):
    """The person's choices of what reaches them by email, when they made any (notifications' Preference)."""
    preference = getattr(person, "notification_preference", None)  # a missing row raises an AttributeError
    if preference is None:
        return None
    return {
        "rappels": preference.get_reminder_frequency_display(),
        "avis_par_courriel": preference.emails,
        "courriel_quand_une_etape_est_validee": preference.email_when_validated,
    }


def personal_data(person):
    """Everything Chantier holds about this person, with readable French keys (no accents: they are also
    the JSON's keys, read by programs)."""
    administrator = getattr(person, "instance_administrator", None)
    identity = {
        "nom_d_utilisateur": person.get_username(),
        "prenom": person.first_name,
        "nom": person.last_name,
        "courriel": person.email,
        "compte_cree_le": timezone.localtime(person.date_joined),
        "derniere_connexion": timezone.localtime(person.last_login) if person.last_login else None,
        "etat_du_compte": {"active": _("actif"), "invited": _("invité, pas encore arrivé"), "inactive": _("désactivé")}[
            account_status(person)
        ],
        "administration_de_l_instance_depuis": timezone.localtime(administrator.since) if administrator else None,
        "langue_choisie": stored_language(person),  # the switch's, or None (partners.languages)
    }
    memberships = {}
    for membership in person.memberships.select_related("organisation").order_by("organisation__sort_key"):
        memberships.setdefault(membership.plan_id, []).append(membership.organisation.name)
    visits = dict(person.plan_visits.values_list("plan_id", "seen_at"))  # plans' PlanVisit
    plans = [
        {
            "plan": role.plan.title,
            "role": role.get_role_display(),
            "organisations": memberships.get(role.plan_id, []),
            "derniere_visite": timezone.localtime(visits[role.plan_id]) if role.plan_id in visits else None,
        }
        for role in person.plan_roles.select_related("plan").order_by("plan__title")
    ]
    steps = person.steps.order_by("action__plan__title", "-done_on", "-created_at")
    # Rows rather than objects, and the review's labels read once: a person may have recorded thousands.
    reviews = {value: str(label) for value, label in steps.model._meta.get_field("review").flatchoices}
    files = {}
    for step_id, name in steps.filter(files__isnull=False).values_list("pk", "files__name").order_by("files__pk"):
        files.setdefault(step_id, []).append(name)
    steps = [
        {
            "plan": step["action__plan__title"],
            "action": step["action__code"],
            "date": step["done_on"],
            "ce_qui_a_ete_fait": step["description"],
            "organisation": step["organisation__name"],
            "lien": step["link"],
            "fichiers": files.get(step["pk"], []),
            "validation": reviews.get(step["review"], step["review"]),
            "commentaire_de_la_coordination": step["review_comment"],
            "inscrite_le": timezone.localtime(step["created_at"]),
        }
        for step in steps.values(
            "pk", "action__plan__title", "action__code", "done_on", "description", "organisation__name", "link",
            "review", "review_comment", "created_at",
        )
    ]
    return {
        "produit_le": timezone.localtime(),
        "identite": identity,
        "plans": plans,
        "etapes": steps,
        "rien_de_nouveau": check_ins_of(person),
        "etapes_prevues": planned_by(person),
        "presences_aux_reunions": attendance_of(person),
        "calendriers": calendars_of(person),
        "avis": notices_of(person),
        "rappels_recus": reminders_of(person),
        "preferences_d_avis": preferences_of(person),
        "historique_de_vos_modifications": history_made_by(person),
        "roles_au_fil_du_temps": history_about(person),
    }
