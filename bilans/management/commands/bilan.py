"""Write a plan's bilan to a file, for automation.

    python manage.py bilan lanaudiere-2024-2026 --year 2024 --output bilan.pdf
    python manage.py bilan lanaudiere-2024-2026 --from 2024-04-01 --to 2025-03-31 --output bilan.xlsx
    python manage.py bilan lanaudiere-2024-2026 --year 2024 --output bilan.docx

--year 2024 is the reporting year that starts in 2024 (April 2024 to March 2025 by default). The format
follows the output's extension (.pdf, .docx, .xlsx, .html). Writes only the output file: no bilan is recorded.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan

from ...documents import gather, render_html, render_pdf, render_xlsx
from ...word import render_docx

WRITERS = {
    ".pdf": render_pdf,
    ".xlsx": render_xlsx,
    ".docx": render_docx,
    ".html": lambda data: render_html(data).encode(),
}


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Date invalide : {value!r} (attendu : AAAA-MM-JJ)") from None


class Command(BaseCommand):
    help = "Écrit le bilan annuel d’un plan en PDF, Word (DOCX), XLSX ou HTML (selon l’extension du fichier)."

    def add_arguments(self, parser):
        parser.add_argument("plan", help="identifiant du plan (slug), p. ex. lanaudiere-2024-2026")
        parser.add_argument("--year", type=int, help="année de reddition : 2024 = d’avril 2024 à mars 2025")
        parser.add_argument("--from", dest="start", type=iso_date, help="premier jour (AAAA-MM-JJ)")
        parser.add_argument("--to", dest="end", type=iso_date, help="dernier jour (AAAA-MM-JJ)")
        parser.add_argument("--output", "-o", required=True, help="fichier à écrire : .pdf, .docx, .xlsx ou .html")

    def handle(self, plan, year, start, end, output, **options):
        try:
            plan = Plan.objects.get(slug=plan)
        except Plan.DoesNotExist:
            raise CommandError(f"Aucun plan n’a l’identifiant {plan!r}.") from None
        if year is not None and (start or end):
            raise CommandError("Indiquez --year ou --from/--to, pas les deux.")
        if year is not None:
            start, end = plan.reporting_year_starting(year)
        elif not (start and end):
            raise CommandError("Indiquez --year, ou --from et --to.")
        if start > end:
            raise CommandError("--to ne peut pas précéder --from.")
        path = Path(output)
        writer = WRITERS.get(path.suffix.lower())
        if writer is None:
            raise CommandError(f"Extension inconnue : {path.suffix!r} (.pdf, .docx, .xlsx ou .html).")
        content = writer(gather(plan, start, end))
        path.write_bytes(content)
        self.stdout.write(f"{path} : bilan de {plan.slug} du {start} au {end} ({len(content) // 1024} Kio)")
