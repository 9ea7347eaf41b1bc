"""Spreadsheet files in and out, for the whole app: one bounded reader, one writer.

Reading (`read_dataset`): XLSX and ODS through python-calamine, which expands the repeated cells that
LibreOffice writes (tablib's ODS reader drops them and shifts the columns), CSV through tablib. An upload
is untrusted: a 1 MB zip can hold a sheet of 400 MB, and a few bytes of XML can declare a cell a million
rows down (calamine then allocates every cell in between, and aborts the process when memory runs out). So
before any parser opens a file, the archive's declared sizes, its compression ratio and its CRCs are
checked, and the first sheet's XML is scanned as it streams to find how far its cells reach; the file is
refused, with a French message, when it goes past the limits below. The same scan finds the formulas,
which calamine reads as their last computed value: they are given as "=…" so that the import can refuse
them.

Writing (`spreadsheet_bytes`, `spreadsheet_response`): XLSX or CSV as a French Excel opens it (UTF-8 with
a BOM, `;`), every cell that a spreadsheet program would run as a formula neutralised with a leading `'`.
"""

import io
import re
import zipfile
from pathlib import Path

import python_calamine
import tablib
from defusedxml.ElementTree import iterparse
from django.http import HttpResponse
from django.utils.translation import gettext as _

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_UNCOMPRESSED_SIZE = 50 * 1024 * 1024  # what the members of a zip (XLSX, ODS) may declare, all together
# XLSX files compress about 14 times, ODS ones (XML for every cell) up to 110 times: 3 times that.
MAX_COMPRESSION_RATIO = 300
RATIO_CHECKED_FROM = 1024 * 1024  # small archives may have any ratio: they cannot expand to much
MAX_ROWS = 20_000  # a plan of 10,000 actions with a result each; real plans have a few hundred rows
MAX_COLUMNS = 100
MAX_CELLS = 500_000

# Spreadsheet programs run a cell beginning with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
XLSX_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
ODS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (too big, empty, not a spreadsheet)."""


def megabytes(size):
    return str(round(size / 1024 / 1024, 1)).replace(".", ",")


def check_file_size(size):
    """Refuse a file over 5 MB before reading it."""
    if size > MAX_FILE_SIZE:
        raise SpreadsheetError(
            _("Le fichier dépasse 5 Mo (%(size)s Mo) : il n’a pas été lu.") % {"size": megabytes(size)}
        )


def not_a_spreadsheet():
    return SpreadsheetError(_("Ce fichier n’est pas un tableur lisible : déposez un fichier XLSX, ODS ou CSV."))


def count(number):
    """20000 → "20 000", as French writes it (a no-break space between thousands)."""
    return f"{number:,}".replace(",", "\u00a0")


def too_large(rows, columns):
    return SpreadsheetError(
        _(
            "Le tableur est trop grand pour être lu (%(rows)s lignes et %(columns)s colonnes au moins) : "
            "au plus %(max_rows)s lignes, %(max_columns)s colonnes et %(max_cells)s cellules."
        )
        % {"rows": count(rows), "columns": count(columns), "max_rows": count(MAX_ROWS),
           "max_columns": count(MAX_COLUMNS), "max_cells": count(MAX_CELLS)}
    )


def check_extent(rows, columns):
    if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise too_large(rows, columns)


# Reading ------------------------------------------------------------------------------------------------


def read_dataset(content, filename):
    """The first sheet of an XLSX, ODS or CSV file as a tablib Dataset, its first row as headers; a cell
    holding a formula reads as "=" and the formula. Raises SpreadsheetError, in French, for a file that
    is empty, not a spreadsheet, or larger than the limits (checked before it is parsed)."""
    check_file_size(len(content))
    if not content.strip():
        raise SpreadsheetError(_("Le fichier est vide."))
    if content.startswith(b"PK\x03\x04"):
        rows = read_archive(content)
    elif Path(filename or "").suffix.lower() in {".xlsx", ".xlsm", ".ods", ".xls"} or b"\x00" in content[:4096]:
        raise not_a_spreadsheet()
    else:
        rows = read_csv(content)
    if not rows or not any(cell not in (None, "") for cell in rows[0]):
        raise SpreadsheetError(_("Le fichier est vide : la première ligne doit porter les en-têtes."))
    width = max(len(row) for row in rows)
    rows = [list(row) + [""] * (width - len(row)) for row in rows]
    return tablib.Dataset(*rows[1:], headers=rows[0])


def read_csv(content):
    """The rows of a CSV file in UTF-8 (with or without BOM) or Windows-1252 (what Excel writes as « CSV »
    on a French Windows), `,` or `;` as separator."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as error:
            raise not_a_spreadsheet() from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        dataset = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    except Exception as error:
        raise not_a_spreadsheet() from error
    rows = [list(dataset.headers or [])] + [list(row) for row in dataset]
    check_extent(len(rows), max((len(row) for row in rows), default=0))
    return rows


def read_archive(content):
    """The rows of an XLSX or ODS file, once its archive and its first sheet are known to be within bounds."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise not_a_spreadsheet() from error
    with archive:
        check_archive(archive)
        try:
            if "mimetype" in names and archive.read("mimetype").startswith(ODS_MIMETYPE):
                rows, columns, formulas = scan_ods(archive)
            elif "xl/workbook.xml" in names:
                rows, columns, formulas = scan_xlsx(archive)
            else:
                raise not_a_spreadsheet()
        except SpreadsheetError:
            raise
        except Exception as error:  # malformed XML, missing parts, entities refused by defusedxml…
            raise not_a_spreadsheet() from error
    if not rows:
        return []
    try:
        with python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content)) as book:
            values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:
        raise not_a_spreadsheet() from error
    for (row, column), formula in formulas.items():
        while len(values) <= row:
            values.append([])
        values[row].extend([""] * (column + 1 - len(values[row])))
        values[row][column] = formula
    return values


def check_archive(archive):
    """Refuse a zip whose members declare more than MAX_UNCOMPRESSED_SIZE, or expand more than
    MAX_COMPRESSION_RATIO times, before anything is decompressed; then check every member's CRC, which
    reads each at most to its declared size (Python's zipfile stops there), so that the sizes are true."""
    members = archive.infolist()
    declared = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    if declared > MAX_UNCOMPRESSED_SIZE or (
        declared > RATIO_CHECKED_FROM and declared / compressed > MAX_COMPRESSION_RATIO
    ):
        raise SpreadsheetError(
            _(
                "Ce fichier se décompresse en %(size)s Mo (%(ratio)s fois sa taille) : il est refusé sans être "
                "lu. Un tableur accepté se décompresse en %(max)s Mo au plus."
            )
            % {"size": megabytes(declared), "ratio": round(declared / compressed), "max": megabytes(MAX_UNCOMPRESSED_SIZE)}
        )
    try:
        if archive.testzip() is not None:
            raise not_a_spreadsheet()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise not_a_spreadsheet() from error


def scanned(stream, cells):
    """(event, element) as an XML stream is parsed. Each element is dropped from its parent once it has
    ended, but a cell's children (its value, formula, paragraphs), so that whatever the stream holds, the
    scan keeps only the elements above the current one in memory."""
    parents = []
    for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            parents.append(element)
            yield event, element
            continue
        parents.pop()
        yield event, element
        if parents and parents[-1].tag not in cells:
            parents[-1].remove(element)


def scan_xlsx(archive):
    """(rows, columns, {(row, column): "=formula"}) of the workbook's first sheet, counting only cells
    that hold something, in one streaming pass over its XML."""
    rows = columns = row = column = 0
    formulas = {}
    cell, values = f"{XLSX_MAIN}c", (f"{XLSX_MAIN}v", f"{XLSX_MAIN}is")
    with archive.open(xlsx_first_sheet(archive)) as stream:
        for event, element in scanned(stream, cells={cell}):
            if event == "start":
                if element.tag == f"{XLSX_MAIN}row":
                    row, column = int(element.get("r") or row + 1), 0
            elif element.tag == cell:
                reference = element.get("r")
                column = cell_column(reference) if reference else column + 1
                formula = element.find(f"{XLSX_MAIN}f")
                if formula is not None or any(element.find(tag) is not None for tag in values):
                    rows, columns = max(rows, row), max(columns, column)
                    check_extent(rows, columns)
                    if formula is not None:
                        formulas[row - 1, column - 1] = "=" + (formula.text or "")
    return rows, columns, formulas


def xlsx_first_sheet(archive):
    """The path of the first sheet, in the workbook's order (the one calamine reads as index 0)."""
    workbook = next(
        element for _event, element in iterparse(archive.open("xl/workbook.xml"), forbid_dtd=True)
        if element.tag == f"{XLSX_MAIN}sheet"
    )
    relationship = workbook.get(XLSX_RELATIONSHIP)
    for _event, element in iterparse(archive.open("xl/_rels/workbook.xml.rels"), forbid_dtd=True):
        if element.tag == f"{PACKAGE_RELATIONSHIPS}Relationship" and element.get("Id") == relationship:
            target = element.get("Target")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise not_a_spreadsheet()


def cell_column(reference):
    """"AB12" → 28."""
    number = 0
    for letter in re.match(r"[A-Za-z]*", reference)[0].upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def scan_ods(archive):
    """As scan_xlsx, for the first table of an ODS file: repeated rows and cells
    (table:number-rows-repeated, table:number-columns-repeated) count as many times as they repeat, but
    the empty ones LibreOffice writes up to its last column and row reach nowhere."""
    rows = columns = row = column = 0  # row and column: how many came before the current one
    row_holds_something, row_formulas, formulas = False, {}, {}
    cells = {f"{ODS_TABLE}table-cell", f"{ODS_TABLE}covered-table-cell"}
    with archive.open("content.xml") as stream:
        for event, element in scanned(stream, cells):
            tag = element.tag
            if event == "start":
                if tag == f"{ODS_TABLE}table-row":
                    column, row_holds_something, row_formulas = 0, False, {}
            elif tag in cells:
                repeated = int(element.get(f"{ODS_TABLE}number-columns-repeated") or 1)
                formula = element.get(f"{ODS_TABLE}formula")
                if formula or element.get(f"{ODS_OFFICE}value-type") or element.find(f"{ODS_TEXT}p") is not None:
                    row_holds_something = True
                    columns = max(columns, column + repeated)
                    check_extent(row + 1, columns)
                    if formula:
                        for offset in range(repeated):
                            row_formulas[column + offset] = "=" + formula.split("=", 1)[-1]
                column += repeated
            elif tag == f"{ODS_TABLE}table-row":
                repeated = int(element.get(f"{ODS_TABLE}number-rows-repeated") or 1)
                if row_holds_something:
                    rows = row + repeated
                    check_extent(rows, columns)
                    for offset in range(repeated):
                        formulas.update({(row + offset, col): text for col, text in row_formulas.items()})
                row += repeated
            elif tag == f"{ODS_TABLE}table":
                break  # the first table is the sheet read
    return rows, columns, formulas


# Writing ------------------------------------------------------------------------------------------------


def neutralise(value):
    """Protect a cell against formula injection: text beginning like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralised(dataset):
    """A copy of the dataset whose every cell and header is neutralised."""
    headers = [neutralise(header) for header in dataset.headers] if dataset.headers else None
    copy = tablib.Dataset(*[[neutralise(cell) for cell in row] for row in dataset], headers=headers)
    copy.title = dataset.title
    return copy


def spreadsheet_bytes(data, file_format):
    """A Dataset as XLSX or as CSV (UTF-8 with a BOM and ';', as Excel in French opens it), or a Databook
    as XLSX, its cells neutralised against formulas."""
    if isinstance(data, tablib.Databook):
        if file_format != "xlsx":
            raise ValueError(f"A workbook is written as XLSX, not {file_format}.")
        return tablib.Databook([neutralised(sheet) for sheet in data.sheets()]).export("xlsx")
    dataset = neutralised(data)
    if file_format == "xlsx":
        return dataset.export("xlsx")
    if file_format == "csv":
        return ("\ufeff" + dataset.export("csv", delimiter=";")).encode("utf-8")
    raise ValueError(f"Unknown spreadsheet format {file_format}.")


def spreadsheet_response(data, filename, file_format):
    """A download of the data as `filename`, written by spreadsheet_bytes."""
    return file_response(spreadsheet_bytes(data, file_format), filename, file_format)


def file_response(content, filename, file_format):
    """A download of spreadsheet bytes already written (a frozen bilan's, say) by spreadsheet_bytes."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
