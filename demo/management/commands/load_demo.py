"""Load the Lanaudière 2024-2026 plan, three demo accounts (password "chantier-demo") and, unless told
--sans-activite, a year of fictional activity on the plan (demo/activity.py), marked as such everywhere.

Safe to run again: what is already there is left alone. Demo accounts have a known password, so the
command refuses to create them on a production site (DEBUG off) unless told --force. The activity needs
the people who do it: with --no-accounts there is none.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.activity import load_activity

from partners.models import Organisation
from plans.loading import load_plan
from plans.models import Membership, Plan, PlanRole

PLAN_FILE = settings.BASE_DIR / "fixtures" / "lanaudiere-2024-2026.json"
PLAN_SLUG = "lanaudiere-2024-2026"
DEMO_PASSWORD = "chantier-demo"
DEMO_ACCOUNTS = [
    # username, first name, role in the plan, acronym of the organisation they act for in it
    ("coordination", "Coordination", PlanRole.Role.COORDINATOR, "TPDSL"),
    ("partenaire", "Partenaire", PlanRole.Role.PARTNER, "ALL"),
    ("comite", "Comité", PlanRole.Role.COMMITTEE, None),
]


class Command(BaseCommand):
    help = (
        "Charge le plan Lanaudière 2024-2026, les comptes de démonstration (mot de passe « chantier-demo ») "
        "et une année d’activité fictive (étapes, fichiers, résultats atteints, un bilan adopté)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Créer les comptes de démonstration même si DEBUG est désactivé."
        )
        parser.add_argument("--no-accounts", action="store_true", help="Charger le plan seulement.")
        parser.add_argument(
            "--sans-activite", action="store_true", help="Sans l’année d’activité fictive : le plan tel que le document le donne."
        )

    @transaction.atomic
    def handle(self, *args, force=False, no_accounts=False, sans_activite=False, **options):
        if not no_accounts and not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG est désactivé\u00a0: les comptes de démonstration ont un mot de passe connu. "
                "Ajoutez --force pour les créer quand même, ou --no-accounts pour charger le plan seulement."
            )
        plan = Plan.objects.filter(slug=PLAN_SLUG).first()
        if plan is None:
            plan = load_plan(PLAN_FILE)
            self.stdout.write(f"Plan chargé : {plan} ({plan.actions.count()} actions).")
        else:
            self.stdout.write(f"Le plan {PLAN_SLUG} existe déjà : laissé tel quel.")
        if no_accounts:
            return
        User = get_user_model()
        accounts = {}
        for username, first_name, role, acronym in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                self.stdout.write(f"Compte créé : {username}")
            PlanRole.objects.get_or_create(plan=plan, user=user, defaults={"role": role})
            if acronym:
                Membership.objects.get_or_create(
                    plan=plan, user=user, organisation=Organisation.objects.get(acronym=acronym)
                )
            accounts[role] = user
        if sans_activite:
            return
        added = load_activity(
            plan, accounts[PlanRole.Role.COORDINATOR], accounts[PlanRole.Role.COMMITTEE], accounts[PlanRole.Role.PARTNER]
        )
        if any(added.values()):
            self.stdout.write(
                "Activité fictive ajoutée : {steps} étapes, {files} fichiers, {results} résultats atteints, "
                "{planned} étapes prévues, {meetings} réunions, {bilans} bilan adopté.".format(**added)
            )
        else:
            self.stdout.write("L’activité fictive est déjà là : laissée telle quelle.")
