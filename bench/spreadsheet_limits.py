"""Benchmark: files that would expand in memory, and the limits of lib/spreadsheets.py (figures in
docs/benchmarks.md).

    .venv/bin/python bench/spreadsheet_limits.py            # a throwaway SQLite database in /tmp

Each file goes through `import_plan FILE --plan bench --dry-run` in a fresh process, whose wall time and
peak resident memory (ru_maxrss of the child) are measured; for comparison, the same file read by openpyxl
in read-only mode (what the app did before) and by odfpy for ODS, each in a fresh process with a 60 s
limit. Then the compression ratios of real files, which MAX_COMPRESSION_RATIO must leave through.
"""

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FOLDER = Path(tempfile.mkdtemp())
os.environ.setdefault("DATABASE_URL", f"sqlite:///{FOLDER}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chantier.settings")
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

import tablib  # noqa: E402
from django.core.management import call_command  # noqa: E402

from lib.spreadsheets import spreadsheet_bytes  # noqa: E402
from tableur.spreadsheets import export_dataset  # noqa: E402
from tests.factories import make_plan  # noqa: E402

PYTHON = sys.executable


def xlsx_bomb(megabytes):
    """An XLSX whose sheet holds `megabytes` of rows of one inline string each."""
    source = zipfile.ZipFile(io.BytesIO(tablib.Dataset(["1"], headers=["axe"]).export("xlsx")))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(member, source.read(member))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk = b'<row><c t="inlineStr"><is><t>1</t></is></c></row>' * 20_000
            for _ in range(megabytes * 1024 * 1024 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return stream.getvalue()


ODS_START = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body>'
    '<office:spreadsheet><table:table table:name="F">'
    '<table:table-row><table:table-cell office:value-type="string"><text:p>axe</text:p></table:table-cell></table:table-row>'
).encode()
ODS_END = b"</table:table></office:spreadsheet></office:body></office:document-content>"
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods(write_rows):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        with archive.open("content.xml", "w", force_zip64=True) as content:
            content.write(ODS_START)
            write_rows(content)
            content.write(ODS_END)
    return stream.getvalue()


def ods_repeated(rows, columns):
    """An ODS of a few hundred bytes: one row of `columns` cells repeated `rows` times."""
    return ods(lambda content: content.write(
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell office:value-type="string" '
        f'table:number-columns-repeated="{columns}"><text:p>1</text:p></table:table-cell></table:table-row>'.encode()
    ))


def ods_bomb(megabytes):
    """An ODS whose content.xml holds `megabytes` of rows of ten cells each."""
    row = b"<table:table-row>" + b'<table:table-cell office:value-type="string"><text:p>1</text:p></table:table-cell>' * 10 + b"</table:table-row>"
    chunk = row * 2_000

    def write_rows(content):
        for _ in range(megabytes * 1024 * 1024 // len(chunk)):
            content.write(chunk)

    return ods(write_rows)


# A fresh parent for each run, so that its children's peak memory (ru_maxrss) is this run's alone; it
# stops the command after 60 s and still reports the peak it had reached.
MEASURE = """
import resource, subprocess, sys
try:
    status = subprocess.run(sys.argv[1:], timeout=60).returncode
except subprocess.TimeoutExpired:
    status = "stopped after 60 s"
print("peak", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
print("status", status, file=sys.stderr)
"""


def run(command):
    """Wall time, peak resident memory in MB, exit status and the last line of output of a command."""
    start = time.perf_counter()
    done = subprocess.run([PYTHON, "-c", MEASURE, *command], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    lines = (done.stdout + done.stderr).strip().splitlines()
    peak = next(int(line.split()[1]) // 1024 for line in reversed(lines) if line.startswith("peak "))
    status = next(line.split(None, 1)[1] for line in reversed(lines) if line.startswith("status "))
    output = [line for line in lines if not line.startswith(("peak ", "status "))][-1:] or [""]
    return seconds, peak, status, output[0][:120]


# What the app did before, for comparison (tablib's readers), in a process limited to 3 GB of memory.
LIMIT = "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
OPENPYXL = (LIMIT + "import openpyxl, sys; book = openpyxl.load_workbook(sys.argv[1], read_only=True);"
            "print(sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)), 'rows')")
ODFPY = (LIMIT + "import tablib, sys; d = tablib.Dataset().load(open(sys.argv[1], 'rb').read(), format='ods');"
         "print(len(d), 'rows')")


def read_in_process(content, filename):
    """read_dataset alone, in this process: its time and the growth of this process's peak memory."""
    from lib.spreadsheets import SpreadsheetError, read_dataset

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        read_dataset(content, filename)
        outcome = "read"
    except SpreadsheetError as error:
        outcome = str(error)[:80]
    seconds = time.perf_counter() - start
    return seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) // 1024, outcome


def main():
    call_command("migrate", verbosity=0)
    seconds, peak, status, _output = run([PYTHON, "manage.py", "import_plan", "--help"])
    print(f"Django starting and printing import_plan's help: {seconds:.2f} s, peak {peak} MB")
    files = {
        "XLSX bomb, 400 MB of sheet": ("xlsx", xlsx_bomb(400)),
        "ODS bomb, 200 MB of content.xml": ("ods", ods_bomb(200)),
        "ODS, a row of 1,000 cells repeated 100,000 times": ("ods", ods_repeated(100_000, 1_000)),
    }
    for label, (extension, content) in files.items():
        path = FOLDER / f"bomb.{extension}"
        path.write_bytes(content)
        declared = sum(member.file_size for member in zipfile.ZipFile(path).infolist())
        print(f"\n{label}: {len(content) / 1024:.0f} KiB, declares {declared / 1024 / 1024:.0f} MB")
        seconds, peak, status, output = run([PYTHON, "manage.py", "import_plan", str(path), "--plan", "bench", "--dry-run"])
        print(f"  import_plan --dry-run     {seconds:6.2f} s  peak {peak} MB  exit {status}: {output}")
        seconds, growth, outcome = read_in_process(content, path.name)
        print(f"  read_dataset in process   {seconds:6.3f} s  peak grew {growth} MB: {outcome}")
        reader = OPENPYXL if extension == "xlsx" else ODFPY
        seconds, peak, status, output = run([PYTHON, "-c", reader, str(path)])
        name = "openpyxl (before)" if extension == "xlsx" else "tablib/odfpy (before)"
        print(f"  {name:<25} {seconds:6.2f} s  peak {peak} MB  exit {status}: {output}")

    print("\nCompression of real files (declared size / compressed size of the zip's members):")
    plan = make_plan("bench-ratio", actions=1000, results_per_action=2)
    dataset = export_dataset(plan)
    for label, content in [
        ("export of a 1,000-action plan, XLSX", spreadsheet_bytes(dataset, "xlsx")),
        ("the same, ODS (tablib)", dataset.export("ods")),
        ("fixtures/lanaudiere-2024-2026.xlsx", (ROOT / "fixtures" / "lanaudiere-2024-2026.xlsx").read_bytes()),
    ]:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
        declared, compressed = sum(m.file_size for m in members), sum(m.compress_size for m in members)
        print(f"  {label:<40} {len(content) / 1024:7.0f} KiB, {declared / 1024 / 1024:5.1f} MB, ratio {declared / compressed:5.1f}")
        path = FOLDER / ("real." + ("ods" if "ODS" in label else "xlsx"))
        path.write_bytes(content)
        seconds, peak, status, output = run([PYTHON, "manage.py", "import_plan", str(path), "--plan", "bench", "--dry-run"])
        print(f"    import_plan --dry-run {seconds:6.2f} s  peak {peak} MB  exit {status}")


if __name__ == "__main__":
    main()
