"""Import a plan from a spreadsheet (XLSX, ODS or CSV in the format described in README.md).

    python manage.py import_plan plan.xlsx --plan lanaudiere-2024-2026            # onto an existing plan
    python manage.py import_plan plan.xlsx --plan nouveau-plan --title "Titre"   # into a new plan
    python manage.py import_plan plan.xlsx --plan nouveau-plan --dry-run         # the preview only

Prints the preview's summary and every row's error. Runs in one transaction: on any error nothing is
written and the command exits with status 1. Organisations not known by name or acronym are matched to
the proposed one (same acronym or close name) or created, as the summary says.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from plans.models import Plan
from lib.spreadsheets import SpreadsheetError, check_file_size
from tableur.spreadsheets import import_sheet, read_sheet


class Command(BaseCommand):
    help = "Importe un plan depuis un tableur (XLSX, ODS ou CSV) ; n’écrit rien en cas d’erreur."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Le fichier à importer.")
        parser.add_argument("--plan", required=True, help="L’identifiant (slug) du plan, existant ou à créer.")
        parser.add_argument("--title", help="Le titre du plan, s’il est créé (par défaut, l’identifiant).")
        parser.add_argument("--dry-run", action="store_true", help="Montrer l’aperçu sans rien écrire.")

    def handle(self, *args, file, plan, title=None, dry_run=False, **options):
        slug = plan
        if slug != slugify(slug):
            raise CommandError(f"« {slug} » n’est pas un identifiant valide (essayez « {slugify(slug)} »).")
        try:
            check_file_size(os.path.getsize(file))
            with open(file, "rb") as stream:
                sheet = read_sheet(stream.read(), file)
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}.") from error
        except SpreadsheetError as error:
            raise CommandError(str(error)) from error

        existing = Plan.objects.filter(slug=slug).first()
        new_plan = None if existing else {"slug": slug, "title": title or slug}
        if existing:
            self.stdout.write(f"Plan existant : {existing.title} ({slug})")
        else:
            self.stdout.write(f"Nouveau plan : {new_plan['title']} ({slug})")
        report = import_sheet(sheet, plan=existing, new_plan=new_plan, commit=not dry_run)
        self.stdout.write(f"{sheet.rows} lignes lues.")
        for line in report.summary_lines():
            self.stdout.write(line)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(report.errors)} erreur(s) : rien n’a été écrit.")
        if dry_run:
            self.stdout.write("Aperçu seulement (--dry-run) : rien n’a été écrit.")
        else:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
