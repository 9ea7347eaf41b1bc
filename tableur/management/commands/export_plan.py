"""Export a whole plan to a spreadsheet, in the import format plus status, progress and steps.

    python manage.py export_plan lanaudiere-2024-2026 --output plan.xlsx    # or plan.csv

The format follows the extension of --output: .xlsx, or .csv (UTF-8 with a BOM, ';' as separator).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from lib.spreadsheets import spreadsheet_bytes
from tableur.spreadsheets import export_dataset


class Command(BaseCommand):
    help = "Exporte un plan entier vers un tableur (XLSX ou CSV, selon l’extension du fichier)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="L’identifiant du plan.")
        parser.add_argument("--output", required=True, help="Le fichier à écrire : .xlsx ou .csv.")

    def handle(self, *args, slug, output, **options):
        file_format = Path(output).suffix.lower().lstrip(".")
        if file_format not in {"xlsx", "csv"}:
            raise CommandError("Le fichier doit finir par .xlsx ou .csv.")
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(f"Aucun plan n’a l’identifiant « {slug} ».")
        dataset = export_dataset(plan)
        Path(output).write_bytes(spreadsheet_bytes(dataset, file_format))
        self.stdout.write(self.style.SUCCESS(f"{len(dataset)} lignes écrites dans {output}."))
