"""Spreadsheet files as they come and go (lib/spreadsheets.py): an ODS as LibreOffice writes it, files that
would blow up in memory (refused quickly, in French, before any parser opens them), and every file the app
writes with its user texts neutralised against formulas."""

import datetime
import io
import time
import zipfile

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bilans.documents import gather, render_xlsx
from lib.spreadsheets import MAX_ROWS, SpreadsheetError, read_dataset, spreadsheet_bytes
from partners.models import Organisation
from plans.models import Action, Plan
from suivi.models import Step
from tableur.spreadsheets import import_sheet, read_sheet

from .spreadsheet_helpers import HEADERS, database_state, row, xlsx

SLUG = "lanaudiere-2024-2026"
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# An ODS as LibreOffice Calc saves it -------------------------------------------------------------------

OFFICE_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods(rows_xml):
    """An ODS file whose first table holds these <table:table-row> elements."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {OFFICE_NAMESPACES} office:version="1.3"><office:body><office:spreadsheet>'
        '<table:table table:name="Feuille1"><table:table-column table:number-columns-repeated="1024"/>'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return stream.getvalue()


def libreoffice_row(values):
    """A row as LibreOffice writes it: empty cells side by side become one cell repeated, codes typed as
    numbers are floats, and the row's empty cells run on to the sheet's last column."""
    cells, empties = [], 0
    for value in values:
        if value == "":
            empties += 1
            continue
        if empties:
            cells.append(f'<table:table-cell table:number-columns-repeated="{empties}"/>' if empties > 1
                         else "<table:table-cell/>")
            empties = 0
        if value.isdigit():
            cells.append(f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
                         "</table:table-cell>")
        else:
            cells.append(f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>')
    cells.append(f'<table:table-cell table:number-columns-repeated="{1024 - len(values) + empties}"/>')
    return f"<table:table-row>{''.join(cells)}</table:table-row>"


def libreoffice_ods(rows):
    trailing = ('<table:table-row table:number-rows-repeated="1048570">'
                '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    return ods("".join(libreoffice_row(values) for values in rows) + trailing)


def test_an_ods_saved_by_libreoffice_with_empty_cells_in_a_row_imports_exactly(lanaudiere):
    # Two empty cells side by side (resultat, resultat_texte: an action without results) and one alone.
    headers = HEADERS + ["objectif_precision"]
    rows = [
        headers,
        row(resultat="", resultat_texte="") + ["Une précision"],
        row(action="1.1.2", action_texte="Action deux", resultat="1.1.2.1", resultat_texte="Résultat deux",
            partenaires="") + ["Une précision"],
    ]
    content = libreoffice_ods(rows)
    assert 'table:number-columns-repeated="2"' in zipfile.ZipFile(io.BytesIO(content)).read("content.xml").decode()
    # tablib's reader, for comparison, shifts the cells after the repeated ones to the left.
    shifted = tablib.Dataset().load(content, format="ods")
    assert shifted.dict[0]["partenaires"] != "ALL"

    report = import_sheet(read_sheet(content, "plan.ods"), new_plan={"title": "ODS", "slug": "ods"}, commit=True)

    assert report.committed, report.errors
    first, second = Action.objects.filter(plan__slug="ods").order_by("code")
    assert (first.text, first.period, [p.acronym for p in first.partners.all()]) == ("Action un", "2024-2026", ["ALL"])
    assert not first.results.exists()
    assert (second.text, [r.text for r in second.results.all()], list(second.partners.all())) == (
        "Action deux", ["Résultat deux"], []
    )
    assert first.objective.description == "Une précision"


def test_an_ods_formula_in_a_repeated_cell_is_refused_at_each_place(lanaudiere):
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>' for value in row()
    )
    formula = '<table:table-cell table:number-columns-repeated="2" table:formula="of:=1+1" office:value-type="float" office:value="2"/>'
    headers = "".join(f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
                      for h in HEADERS + ["objectif_precision", "objectif_partenaires"])
    content = ods(f"<table:table-row>{headers}</table:table-row><table:table-row>{cells}{formula}</table:table-row>")

    errors = [str(error) for error in read_sheet(content, "plan.ods").errors]

    assert errors == [
        "Ligne 2, colonne K (objectif_precision) : les formules ne sont pas acceptées ; inscrivez la valeur elle-même.",
        "Ligne 2, colonne L (objectif_partenaires) : les formules ne sont pas acceptées ; inscrivez la valeur elle-même.",
    ]


# Files that would expand in memory ----------------------------------------------------------------------


def xlsx_bomb(megabytes=120, chunk=b'<row><c t="inlineStr"><is><t>1</t></is></c></row>' * 20_000):
    """A real XLSX whose sheet is replaced by `megabytes` of `chunk` (rows, by default: about 340 times
    smaller compressed)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([row()])))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(member, source.read(member))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            for _ in range(megabytes * 1024 * 1024 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return stream.getvalue()


@pytest.fixture(scope="module")
def bomb():
    return xlsx_bomb()


def test_a_decompression_bomb_is_refused_quickly_before_it_is_parsed(bomb):
    assert len(bomb) < 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(SpreadsheetError) as refused:
        read_dataset(bomb, "plan.xlsx")
    assert time.perf_counter() - start < 1
    assert str(refused.value).startswith("Ce fichier se décompresse en 119,6 Mo")
    assert "il est refusé sans être lu" in str(refused.value)


def test_a_bomb_of_a_few_megabytes_is_refused_by_its_ratio():
    content = xlsx_bomb(megabytes=3, chunk=b" " * 1024 * 1024)  # spaces: a thousand times smaller
    with pytest.raises(SpreadsheetError, match="fois sa taille"):
        read_dataset(content, "plan.xlsx")


def test_a_zip_that_lies_about_its_sizes_is_refused(lanaudiere):
    content = bytearray(xlsx([row()]))
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    member = archive.getinfo("xl/worksheets/sheet1.xml")
    # Declare the sheet smaller than it is, in its local header and in the central directory.
    real = member.file_size.to_bytes(4, "little")
    assert content.count(real) >= 2
    content = bytes(content).replace(real, (member.file_size // 2).to_bytes(4, "little"))
    with pytest.raises(SpreadsheetError, match="n’est pas un tableur lisible"):
        read_dataset(content, "plan.xlsx")


def test_a_cell_far_down_the_sheet_is_refused_before_calamine_allocates_the_cells_above():
    """calamine would allocate every cell from A1 to the last one (12 GB here) and abort the process."""
    book = openpyxl.Workbook()
    book.active["A1"] = "axe"
    book.active.cell(row=200_000, column=2_000, value="loin")
    stream = io.BytesIO()
    book.save(stream)
    with pytest.raises(SpreadsheetError, match="trop grand pour être lu"):
        read_dataset(stream.getvalue(), "plan.xlsx")


def test_ods_cells_repeated_a_million_times_are_refused():
    content = ods('<table:table-row table:number-rows-repeated="1000000">'
                  '<table:table-cell office:value-type="string" table:number-columns-repeated="1000">'
                  "<text:p>x</text:p></table:table-cell></table:table-row>")
    assert len(content) < 2000
    with pytest.raises(SpreadsheetError, match="trop grand pour être lu"):
        read_dataset(content, "plan.ods")


def test_rows_are_capped_in_csv_too():
    lines = "axe\n" + "1\n" * MAX_ROWS
    with pytest.raises(SpreadsheetError, match="au plus 20\u00a0000 lignes"):
        read_dataset(lines.encode(), "plan.csv")
    assert len(read_dataset(("axe\n" + "1\n" * (MAX_ROWS - 1)).encode(), "plan.csv")) == MAX_ROWS - 1


def test_the_coordinators_page_refuses_a_bomb_in_french_and_keeps_nothing(client, coordinator, bomb, tmp_path):
    client.force_login(coordinator)
    before = database_state()
    page = client.post(reverse("tableur:spreadsheet", args=[SLUG]), {"file": SimpleUploadedFile("plan.xlsx", bomb)})
    assert page.status_code == 200
    assert "il est refusé sans être lu" in page.content.decode()
    assert "token" not in page.context
    assert database_state() == before
    assert not (tmp_path / "django-import-export").exists()


def test_a_partner_posting_a_bomb_through_their_sheet_gets_a_french_message(client, partner, bomb):
    client.force_login(partner)
    before = database_state()
    page = client.post(reverse("tableur:partner_sheet", args=[SLUG]), {"file": SimpleUploadedFile("feuille.xlsx", bomb)})
    assert page.status_code == 200 and "il est refusé sans être lu" in page.content.decode()
    assert database_state() == before


def test_a_new_plan_from_a_bomb_is_refused(client, coordinator, bomb):
    client.force_login(coordinator)
    coordinator.is_superuser = True
    coordinator.save()
    page = client.post(reverse("tableur:new_plan_import"),
                       {"title": "Bombe", "slug": "bombe", "file": SimpleUploadedFile("plan.xlsx", bomb)})
    assert page.status_code == 200 and "il est refusé sans être lu" in page.content.decode()
    assert not Plan.objects.filter(slug="bombe").exists()


def test_import_plan_refuses_a_bomb(lanaudiere, bomb, tmp_path):
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(bomb)
    before = database_state()
    with pytest.raises(CommandError, match="il est refusé sans être lu"):
        call_command("import_plan", str(path), "--plan", "bombe")
    assert database_state() == before


# Every file the app writes: no user text comes out as a formula -----------------------------------------


def assert_not_a_formula(cells):
    """The cells holding the formula text (a leading ' added) are plain text, not formulas."""
    found = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert found
    for cell in found:
        assert cell.data_type != "f" and cell.value == "'" + FORMULA


def workbook_cells(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for line in sheet.iter_rows() for cell in line]


def test_plan_export_and_partner_sheet_write_no_formula(client, coordinator, partner, lanaudiere):
    Action.objects.filter(plan=lanaudiere, code="3.1.1").update(text=FORMULA)
    client.force_login(coordinator)
    assert_not_a_formula(workbook_cells(client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "xlsx"])).content))
    csv_text = client.get(reverse("tableur:spreadsheet_export", args=[SLUG, "csv"])).content.decode("utf-8-sig")
    assert f'"\'{FORMULA}"'.replace('"http', '""http').replace('x","y")', 'x"",""y"")') in csv_text
    client.force_login(partner)
    assert_not_a_formula(workbook_cells(client.get(reverse("tableur:partner_sheet_download", args=[SLUG])).content))


def test_bilan_workbook_writes_a_step_text_as_text(lanaudiere):
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    Step.objects.create(action=action, description=FORMULA, organisation=Organisation.objects.get(acronym="ALL"),
                        done_on=datetime.date(2024, 6, 3), review=Step.Review.VALIDATED, reviewed_at=timezone.now())
    content = render_xlsx(gather(lanaudiere, datetime.date(2024, 4, 1), datetime.date(2025, 3, 31)))
    assert_not_a_formula(workbook_cells(content))


def test_the_tables_exports_write_no_formula(client, coordinator, lanaudiere):
    Action.objects.filter(plan=lanaudiere, code="1.1.1").update(text=FORMULA)
    Organisation.objects.filter(acronym="ALL").update(name=FORMULA)
    client.force_login(coordinator)
    actions = reverse("plans:actions", args=[SLUG])
    assert_not_a_formula(workbook_cells(client.get(actions, {"_export": "xlsx"}).content))
    export = client.get(actions, {"_export": "csv"}).content
    assert export.startswith("\ufeff".encode())
    line = next(line for line in export.decode("utf-8-sig").splitlines() if line.startswith("1.1.1;"))
    assert line.split(";")[1].startswith("\"'=HYPERLINK(")
    coordinator.is_superuser = True  # the organisations' list is every organisation's
    coordinator.save()
    organisations = client.get(reverse("partners:organisations"), {"_export": "xlsx"})
    assert_not_a_formula(workbook_cells(organisations.content))
    people = client.get(reverse("plans:people", args=[SLUG]), {"_export": "xlsx"})
    assert people.status_code == 200 and people["Content-Type"].startswith("application/vnd.openxmlformats")


def test_an_export_format_not_offered_is_not_written(client, coordinator, lanaudiere):
    client.force_login(coordinator)
    response = client.get(reverse("plans:actions", args=[SLUG]), {"_export": "json"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_the_writer_neutralises_every_formula_prefix():
    dataset = tablib.Dataset(["=1", "+1", "-1", "@a", "\tx", "\rx", "ok", -5], headers=list("abcdefgh"))
    cells = [cell.value for cell in workbook_cells(spreadsheet_bytes(dataset, "xlsx"))[8:]]
    # A lone CR reads back as LF through Python's XML parser and as CR through lxml (openpyxl takes lxml
    # when it is installed): either way it is quoted.
    cells[5] = cells[5].replace("\r", "\n")
    assert cells == ["'=1", "'+1", "'-1", "'@a", "'\tx", "'\nx", "ok", -5]
    csv_cells = spreadsheet_bytes(dataset, "csv").decode("utf-8-sig").split("\r\n")[1].split(";")
    assert csv_cells[:4] == ["'=1", "'+1", "'-1", "'@a"]


def test_xml_declaring_entities_is_refused():
    """A few lines of entities nesting one another expand to gigabytes (« billion laughs »)."""
    laughs = '<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    content = ods(f"<table:table-row><table:table-cell office:value-type=\"string\"><text:p>&lol2;</text:p>"
                  "</table:table-cell></table:table-row>")
    archive = zipfile.ZipFile(io.BytesIO(content))
    xml = archive.read("content.xml").decode().replace("?>", "?>" + laughs, 1)
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as copy:
        for member in archive.infolist():
            copy.writestr(member, xml if member.filename == "content.xml" else archive.read(member))
    with pytest.raises(SpreadsheetError, match="n’est pas un tableur lisible"):
        read_dataset(stream.getvalue(), "plan.ods")
