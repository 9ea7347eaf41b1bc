"""Load the Lanaudière 2024-2026 plan and three demo accounts (password "chantier-demo").

Safe to run again: what is already there is left alone. Demo accounts have a known password, so the
command refuses to create them on a production site (DEBUG off) unless told --force.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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
    help = "Charge le plan Lanaudière 2024-2026 et les comptes de démonstration (mot de passe « chantier-demo »)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Créer les comptes de démonstration même si DEBUG est désactivé."
        )
        parser.add_argument("--no-accounts", action="store_true", help="Charger le plan seulement.")

    @transaction.atomic
    def handle(self, *args, force=False, no_accounts=False, **options):
        if not no_accounts and not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG est désactivé\u00a0: les comptes de démonstration ont un mot de passe connu. "
                "Ajoutez --force pour les créer quand même, ou --no-accounts pour charger le plan seulement."
            )
        plan = Plan.objects.filter(slug=PLAN_SLUG).first()
        if plan is None:
            plan = load_plan(PLAN_FILE)
            self.stdout.write(f"Plan chargé : {plan} ({plan.actions.count()} actions).")
        else:
            self.stdout.write(f"Le plan {PLAN_SLUG} existe déjà : laissé tel quel.")
        if no_accounts:
            return
        User = get_user_model()
        for username, first_name, role, acronym in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                self.stdout.write(f"Compte créé : {username}")
            PlanRole.objects.get_or_create(plan=plan, user=user, defaults={"role": role})
            if acronym:
                Membership.objects.get_or_create(
                    plan=plan, user=user, organisation=Organisation.objects.get(acronym=acronym)
                )
