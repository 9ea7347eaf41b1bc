"""Back up the whole instance into one archive: the database as one consistent snapshot (pg_dump on
PostgreSQL, SQLite's online backup API) and every uploaded file, read through Django's storage.

    python manage.py backup --output chantier-2026-12-01.tar

The archive appears only once complete. `python manage.py restore FILE` brings it back into an empty
database (partners/backups.py says what the archive holds). Exits non-zero on failure.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from partners.backups import BackupError, write_backup


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés dans une archive (à restaurer avec restore)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Le fichier à écrire (une archive .tar).")
        parser.add_argument("--database", default="default", help="La base à sauvegarder (default par défaut).")

    def handle(self, *args, output, database, **options):
        try:
            manifest = write_backup(output, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        files = manifest["files"]
        self.stdout.write(
            ngettext(
                "Sauvegarde écrite dans %(output)s : la base (%(size)s octets) et %(count)s fichier (%(bytes)s octets).",
                "Sauvegarde écrite dans %(output)s : la base (%(size)s octets) et %(count)s fichiers (%(bytes)s octets).",
                len(files),
            )
            % {
                "output": output,
                "size": manifest["database"]["size"],
                "count": len(files),
                "bytes": sum(entry["size"] for entry in files),
            }
        )
