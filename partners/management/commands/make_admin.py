"""Make a person an instance administrator, or stop them being one.

    python manage.py make_admin USERNAME             # may rename, archive and merge any organisation,
                                                     # and deactivate or reactivate any account
    python manage.py make_admin USERNAME --remove
    python manage.py make_admin USERNAME --dry-run   # says what it would do, writes nothing

An instance administrator answers for what every plan shares (partners.models.InstanceAdministrator); they
open only the plans they take part in. Running it again changes nothing. Exits non-zero on an unknown user.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partners.models import InstanceAdministrator


class Command(BaseCommand):
    help = (
        "Fait d’une personne un administrateur de l’instance (organisations et comptes de tous les plans), "
        "ou lui retire ce rôle avec --remove."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Le nom d’utilisateur de la personne.")
        parser.add_argument("--remove", action="store_true", help="Retirer le rôle plutôt que le donner.")
        parser.add_argument("--dry-run", action="store_true", help="Dire ce qui changerait, sans rien écrire.")

    @transaction.atomic
    def handle(self, *args, username, remove=False, dry_run=False, **options):
        person = get_user_model().objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"Aucun compte n’a le nom d’utilisateur « {username} ».")
        administrator = InstanceAdministrator.objects.filter(user=person).first()
        if remove and administrator is None:
            self.stdout.write(f"{username} n’administre pas l’instance : rien à changer.")
        elif not remove and administrator is not None:
            self.stdout.write(f"{username} administre déjà l’instance : rien à changer.")
        elif dry_run:
            change = "n’administrerait plus" if remove else "administrerait"
            self.stdout.write(f"{username} {change} l’instance (--dry-run : rien n’est écrit).")
        elif remove:
            administrator.delete()
            self.stdout.write(self.style.SUCCESS(f"{username} n’administre plus l’instance."))
        else:
            InstanceAdministrator.objects.create(user=person)
            self.stdout.write(self.style.SUCCESS(f"{username} administre maintenant l’instance."))
