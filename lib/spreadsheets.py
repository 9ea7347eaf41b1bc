"""Spreadsheet files in and out, for the whole app: one bounded reader, one writer.

Reading (`read_dataset`): XLSX and ODS through python-calamine, which expands the repeated cells that
LibreOffice writes (tablib's ODS reader drops them and shifts the columns), CSV through tablib. An upload
is untrusted: a 1 MB zip can hold a sheet of 400 MB, and a few bytes of XML can declare a cell a million
rows down (calamine then allocates every cell in between, and aborts the process when memory runs out). So
before any parser opens a file, the archive's declared sizes, its compression ratio and its CRCs are
checked, and the first sheet's XML is scanned as it streams (expat, no tree built) to find how far its
cells reach; the file is
refused, with a French message, when it goes past the limits below. The same scan finds the formulas,
which calamine reads as their last computed value: they are given as "=…" so that the import can refuse
them.

Writing (`spreadsheet_bytes`, `spreadsheet_response`): XLSX or CSV as a French Excel opens it (UTF-8 with
a BOM, `;`), every cell that a spreadsheet program would run as a formula neutralised with a leading `'`.
"""

import functools
import io
import zipfile
from pathlib import Path
from xml.parsers import expat

import python_calamine
import tablib
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

# Element names as the scans below meet them: "namespace}name".
XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW, CELL, VALUE, INLINE_STRING, FORMULA = (XLSX_MAIN + name for name in ("row", "c", "v", "is", "f"))
ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
ODS_SHEET, ODS_ROW = ODS_TABLE + "table", ODS_TABLE + "table-row"
ODS_CELLS = {ODS_TABLE + "table-cell", ODS_TABLE + "covered-table-cell"}
ODS_PARAGRAPH = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
SHEET = XLSX_MAIN + "sheet"
SHEET_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (too big, empty, not a spreadsheet)."""


def megabytes(size):
    return str(round(size / 1024 / 1024, 1)).replace(".", ",")


def check_file_size(size):
    """Refuse a file over 5 MB before reading it."""
    if size > MAX_FILE_SIZE:
        raise SpreadsheetError(
            _("Le fichier dépasse 5 Mo (%(size)s Mo) : il n’a pas été lu.") % {"size": megabytes(size)}
        )


def not_a_spreadsheet():
    return SpreadsheetError(_("Ce fichier n’est pas un tableur lisible : déposez un fichier XLSX, ODS ou CSV."))


def count(number):
    """20000 → "20 000", as French writes it (a no-break space between thousands)."""
    return f"{number:,}".replace(",", "\u00a0")


def too_large(rows, columns):
    return SpreadsheetError(
        _(
            "Le tableur est trop grand pour être lu (%(rows)s lignes et %(columns)s colonnes au moins) : "
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
        raise SpreadsheetError(_("Le fichier est vide : la première ligne doit porter les en-têtes."))
    width = max(len(row) for row in rows)
    rows = [list(row) + [""] * (width - len(row)) for row in rows]
    return tablib.Dataset(*rows[1:], headers=rows[0])


def read_csv(content):
    """The rows of a CSV file in UTF-8 (with or without BOM) or Windows-1252 (what Excel writes as « CSV »
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
        except Exception as error:  # malformed XML, missing parts, a document type declaration…
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
    ratio = declared / compressed
    if declared > MAX_UNCOMPRESSED_SIZE:
        raise SpreadsheetError(
            _(
                "Ce fichier se décompresse en %(size)s Mo (%(ratio)s fois sa taille) : il est refusé sans être "
                "lu. Un tableur accepté se décompresse en %(max)s Mo au plus."
            )
            % {"size": megabytes(declared), "ratio": count(round(ratio)), "max": megabytes(MAX_UNCOMPRESSED_SIZE)}
        )
    if declared > RATIO_CHECKED_FROM and ratio > MAX_COMPRESSION_RATIO:
        raise SpreadsheetError(
            _(
                "Ce fichier se décompresse en %(size)s Mo, %(ratio)s fois sa taille : il est refusé sans être "
                "lu. Un tableur accepté se décompresse au plus %(max)s fois."
            )
            % {"size": megabytes(declared), "ratio": count(round(ratio)), "max": MAX_COMPRESSION_RATIO}
        )
    try:
        if archive.testzip() is not None:
            raise not_a_spreadsheet()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise not_a_spreadsheet() from error


class ScanDone(Exception):
    """Raised by a scan's handler once it has read what it needs."""


def scan(stream, start, end, text=None):
    """Run expat over an XML stream with these handlers (element names as "namespace}name"), building no
    tree: memory stays flat whatever the stream holds. A document type declaration is refused (entities
    are how a few bytes of XML expand to gigabytes; no spreadsheet declares any)."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True

    def refuse(*args):
        raise not_a_spreadsheet()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    try:
        parser.ParseFile(stream)
    except ScanDone:
        pass


def scan_xlsx(archive):
    """(rows, columns, {(row, column): "=formula"}) of the workbook's first sheet, counting only cells
    that hold something (a value, an inline string or a formula), in one streaming pass over its XML."""
    found = {"rows": 0, "columns": 0, "formulas": {}}
    here = {"row": 0, "column": 0, "holds": False, "formula": None, "in_formula": False}

    def start(name, attributes):
        if name == ROW:
            here.update(row=int(attributes.get("r") or here["row"] + 1), column=0)
        elif name == CELL:
            reference = attributes.get("r")
            here.update(column=cell_column(reference) if reference else here["column"] + 1, holds=False, formula=None)
        elif name in (VALUE, INLINE_STRING):
            here["holds"] = True
        elif name == FORMULA:
            here.update(holds=True, formula=[], in_formula=True)

    def end(name):
        if name == FORMULA:
            here["in_formula"] = False
        elif name == CELL and here["holds"]:
            found["rows"], found["columns"] = max(found["rows"], here["row"]), max(found["columns"], here["column"])
            check_extent(found["rows"], found["columns"])
            if here["formula"] is not None:
                found["formulas"][here["row"] - 1, here["column"] - 1] = "=" + "".join(here["formula"])

    def text(data):
        if here["in_formula"]:
            here["formula"].append(data)

    with archive.open(xlsx_first_sheet(archive)) as stream:
        scan(stream, start, end, text)
    return found["rows"], found["columns"], found["formulas"]


def xlsx_first_sheet(archive):
    """The path of the first sheet, in the workbook's order (the one calamine reads as index 0)."""
    sheets = {}

    def start(name, attributes):
        if name == SHEET:
            sheets["first"] = attributes.get(SHEET_RELATIONSHIP)
            raise ScanDone

    def relationship(name, attributes):
        if name == RELATIONSHIP and attributes.get("Id") == sheets.get("first"):
            sheets["target"] = attributes.get("Target") or ""
            raise ScanDone

    with archive.open("xl/workbook.xml") as stream:
        scan(stream, start, lambda name: None)
    with archive.open("xl/_rels/workbook.xml.rels") as stream:
        scan(stream, relationship, lambda name: None)
    if "target" not in sheets:
        raise not_a_spreadsheet()
    target = sheets["target"]
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def cell_column(reference):
    """"AB12" → 28."""
    return column_number(reference.rstrip("0123456789"))


@functools.lru_cache(maxsize=256)
def column_number(letters):
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def scan_ods(archive):
    """As scan_xlsx, for the first table of an ODS file: repeated rows and cells
    (table:number-rows-repeated, table:number-columns-repeated) count as many times as they repeat, but
    the empty ones LibreOffice writes up to its last column and row reach nowhere."""
    found = {"rows": 0, "columns": 0, "formulas": {}}
    # row and column: how many came before the current one
    here = {"row": 0, "column": 0, "row_holds": False, "row_formulas": {}, "in_cell": False}

    def start(name, attributes):
        if name == ODS_ROW:
            here.update(column=0, row_holds=False, row_formulas={})
        elif name in ODS_CELLS:
            formula = attributes.get(f"{ODS_TABLE}formula")
            here.update(in_cell=True, repeated=int(attributes.get(f"{ODS_TABLE}number-columns-repeated") or 1),
                        formula=formula, holds=bool(formula or attributes.get(f"{ODS_OFFICE}value-type")))
        elif name == ODS_PARAGRAPH and here["in_cell"]:
            here["holds"] = True
        if name == ODS_ROW:
            here["rows_repeated"] = int(attributes.get(f"{ODS_TABLE}number-rows-repeated") or 1)

    def end(name):
        if name in ODS_CELLS:
            column, repeated = here["column"], here["repeated"]
            if here["holds"]:
                here["row_holds"] = True
                found["columns"] = max(found["columns"], column + repeated)
                check_extent(here["row"] + 1, found["columns"])
                if here["formula"]:
                    for offset in range(repeated):
                        here["row_formulas"][column + offset] = "=" + here["formula"].split("=", 1)[-1]
            here.update(column=column + repeated, in_cell=False)
        elif name == ODS_ROW:
            row, repeated = here["row"], here["rows_repeated"]
            if here["row_holds"]:
                found["rows"] = row + repeated
                check_extent(found["rows"], found["columns"])
                for offset in range(repeated):
                    found["formulas"].update({(row + offset, column): formula
                                              for column, formula in here["row_formulas"].items()})
            here["row"] = row + repeated
        elif name == ODS_SHEET:
            raise ScanDone  # the first table is the sheet read

    with archive.open("content.xml") as stream:
        scan(stream, start, end)
    return found["rows"], found["columns"], found["formulas"]


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
