"""Benchmark: a 2,000-row spreadsheet: preview, confirmed import and export (figures in docs/benchmarks.md).

    .venv/bin/python bench/spreadsheets.py            # a throwaway SQLite database in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/spreadsheets.py   # an empty PostgreSQL database

The file is the export of a plan of 1,000 actions with 2 results each (2,000 rows, XLSX); each step is
timed as the pages run it (reading the file included), 3 runs, median and max.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
# As in production: with DEBUG on, Django keeps every query's SQL, which here alone costs a second.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from plans.models import Plan  # noqa: E402
from lib.spreadsheets import spreadsheet_bytes  # noqa: E402
from tableur.spreadsheets import export_dataset, import_sheet, read_sheet  # noqa: E402
from tests.factories import make_plan  # noqa: E402


def timed(function, runs=3):
    timings, value = [], None
    for run in range(runs):
        start = time.perf_counter()
        value = function(run)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), max(timings), value


def main():
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    source = make_plan("bench-source", actions=1000, results_per_action=2)
    content = spreadsheet_bytes(export_dataset(source), "xlsx")
    rows = read_sheet(content, "plan.xlsx").rows
    print(f"file: {rows} rows, {len(content) // 1024} KiB (XLSX)")

    def preview(run):
        report = import_sheet(read_sheet(content, "plan.xlsx"), new_plan={"title": "Aperçu", "slug": "apercu"})
        assert report.ok and not report.committed and not Plan.objects.filter(slug="apercu").exists()
        return report

    def confirm(run):
        report = import_sheet(read_sheet(content, "plan.xlsx"), new_plan={"title": f"Import {run}", "slug": f"import-{run}"},
                              commit=True)
        assert report.committed and Plan.objects.get(slug=f"import-{run}").results.count() == 2000
        return report

    def reimport(run):
        report = import_sheet(read_sheet(content, "plan.xlsx"), plan=Plan.objects.get(slug="import-0"))
        assert report.ok and [len(level.changed) + len(level.new) for level in report.levels] == [0, 0, 0, 0]
        return report

    def export(file_format):
        return lambda run: spreadsheet_bytes(export_dataset(Plan.objects.get(slug="import-0")), file_format)

    for label, function in [
        ("preview, new plan (2,000 rows)", preview),
        ("confirmed import, new plan", confirm),
        ("preview onto the same plan (all unchanged)", reimport),
        ("export XLSX", export("xlsx")),
        ("export CSV", export("csv")),
    ]:
        median, worst, _value = timed(function)
        print(f"{label:<45} median {median:5.2f} s, max {worst:5.2f} s")


if __name__ == "__main__":
    main()
