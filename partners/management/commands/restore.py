"""Restore an archive written by `backup` into an empty database and the storage of uploaded files.

    python manage.py restore chantier-2026-12-01.tar
    python manage.py restore chantier-2026-12-01.tar --dry-run   # checks the archive and the database, writes nothing

Refused, before anything is written: a database that holds data (a restore never overwrites; create a
new database, or run it on one that only `migrate` has touched), an archive of the other engine, from a
newer version of Chantier, or damaged (each member's sha256 is checked). The files go back first, then
the database in one transaction. Exits non-zero on refusal or failure.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restaure une sauvegarde (faite par backup) dans une base de données vide, avec ses fichiers."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="L’archive écrite par backup.")
        parser.add_argument("--database", default="default", help="La base où restaurer (default par défaut).")
        parser.add_argument("--dry-run", action="store_true", help="Vérifier l’archive et la base, sans rien écrire.")

    def handle(self, *args, archive, database, dry_run, **options):
        try:
            manifest, written, pending = restore_backup(archive, alias=database, dry_run=dry_run)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if dry_run:
            self.stdout.write(
                ngettext(
                    "La sauvegarde du %(date)s peut être restaurée ici, avec %(count)s fichier. Rien n’a été écrit.",
                    "La sauvegarde du %(date)s peut être restaurée ici, avec %(count)s fichiers. Rien n’a été écrit.",
                    len(manifest["files"]),
                )
                % {"date": manifest["created_at"], "count": len(manifest["files"])}
            )
            return
        count = len(manifest["files"])
        self.stdout.write(
            ngettext(
                "Sauvegarde du %(date)s restaurée : la base et %(count)s fichier.",
                "Sauvegarde du %(date)s restaurée : la base et %(count)s fichiers.",
                count,
            )
            % {"date": manifest["created_at"], "count": count}
        )
        if written < count:
            self.stdout.write(
                _("Déjà dans le stockage, identiques, et laissés tels quels : %(kept)s.") % {"kept": count - written}
            )
        if pending:
            self.stdout.write(
                _("Cette version de Chantier a des migrations plus récentes : lancez python manage.py migrate.")
            )
