"""Importing a plan from a spreadsheet, exporting it, and the files that are refused."""

import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from lib.spreadsheets import SpreadsheetError, check_file_size, spreadsheet_bytes
from partners.models import Organisation
from plans import loading
from plans.models import Action, ActionPartner, Axis, ExpectedResult, Objective, Plan, parse_period
from suivi.models import Step
from tableur import spreadsheets
from tableur.spreadsheets import export_dataset, import_sheet, read_sheet

from .spreadsheet_helpers import HEADERS, csv_bytes, database_state, row, xlsx

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def import_file(content, filename="plan.xlsx", slug="nouveau", commit=True, plan=None):
    sheet = read_sheet(content, filename)
    new_plan = None if plan else {"title": "Nouveau plan", "slug": slug}
    return import_sheet(sheet, plan=plan, new_plan=new_plan, commit=commit)


def structure(plan):
    """Every item of a plan with what the format carries: codes, texts, periods, partners in order."""
    return {
        "axes": list(Axis.objects.filter(plan=plan).order_by("code").values_list("code", "title")),
        "objectives": [
            (o.code, o.title, o.description, [link.organisation.pk for link in o.partner_links.all()])
            for o in Objective.objects.filter(plan=plan).order_by("code")
        ],
        "actions": [
            (a.code, a.text, a.period_start, a.period_end, [link.organisation.pk for link in a.partner_links.all()])
            for a in Action.objects.filter(plan=plan).order_by("code")
        ],
        "results": list(
            ExpectedResult.objects.filter(plan=plan).order_by("code")
            .values_list("code", "action__code", "text", "period_start", "period_end")
        ),
    }


def test_lanaudiere_spreadsheet_imports_as_the_fixture_item_by_item(lanaudiere):
    organisations = Organisation.objects.count()

    report = import_file((FIXTURES / "lanaudiere-2024-2026.xlsx").read_bytes(), slug="lanaudiere-copie")

    assert report.ok, report.errors
    copy = Plan.objects.get(slug="lanaudiere-copie")
    imported, fixture = structure(copy), structure(lanaudiere)
    assert len(imported["actions"]) == 37 and len(imported["results"]) == 40
    for level in ("axes", "objectives", "actions", "results"):
        assert imported[level] == fixture[level], level
    assert Organisation.objects.count() == organisations  # every partner found by name or acronym
    assert (copy.first_year, copy.last_year) == (2024, 2026)
    # inserted in bulk, but each item has its history row, as if created by hand
    assert Action.history.filter(plan_id=copy.pk, history_type="+").count() == 37
    assert ExpectedResult.history.filter(plan_id=copy.pk, history_type="+").count() == 40


def test_the_joint_statement_imports_as_a_second_plan_of_another_shape(lanaudiere):
    """Seed 000: numbered common actions with sub-actions, in a CSV as Excel writes it (Windows-1252, ';')."""
    report = import_file((FIXTURES / "batir-ensemble.csv").read_bytes(), "batir-ensemble.csv", slug="batir-ensemble")

    assert report.ok, report.errors
    plan = Plan.objects.get(slug="batir-ensemble")
    assert Axis.objects.get(plan=plan).title == "Actions communes"
    objectives = list(Objective.objects.filter(plan=plan).order_by("code"))
    assert [o.code for o in objectives] == ["1.1", "1.2", "1.3", "1.4"]
    assert objectives[2].title.startswith("Promouvoir des modèles durables") and "cœur" in objectives[2].title
    actions = Action.objects.filter(plan=plan).order_by("code")
    assert [a.code for a in actions] == ["1.1.1", "1.1.2", "1.2.1", "1.2.2", "1.2.3", "1.3.1", "1.3.2", "1.4.1", "1.4.2"]
    assert actions.get(code="1.4.2").text.startswith("Conjointement avec la SHQ et la SCHL")
    assert not ExpectedResult.objects.filter(plan=plan).exists()
    assert Action.objects.filter(plan=lanaudiere).count() == 37


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_an_export_reimports_to_the_same_plan(lanaudiere, file_format):
    content = spreadsheet_bytes(export_dataset(lanaudiere), file_format)

    onto_itself = import_file(content, f"plan.{file_format}", plan=lanaudiere, commit=False)
    assert onto_itself.ok, onto_itself.errors
    assert [(len(level.new), len(level.changed), level.unchanged) for level in onto_itself.levels] == [
        (0, 0, 4), (0, 0, 12), (0, 0, 37), (0, 0, 40)
    ]
    copy = import_file(content, f"plan.{file_format}", slug="copie")
    assert copy.ok, copy.errors
    assert structure(Plan.objects.get(slug="copie")) == structure(lanaudiere)


def test_export_carries_status_progress_and_steps(lanaudiere, partner):
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    Step.objects.create(action=action, description="Rencontre", organisation=Organisation.objects.get(acronym="ALL"),
                        done_on="2025-03-31")
    result = action.results.first()
    result.achieved_on = "2025-04-02"
    result.save()
    action.refresh_status()

    dataset = export_dataset(lanaudiere)

    line = next(line for line in dataset.dict if line["action"] == "3.1.1")
    assert line["etat"] == "Réalisée" if action.results.count() == 1 else "En cours"
    assert line["avancement"] == action.progress()
    assert line["nombre_etapes"] == 1
    assert str(line["derniere_etape"]) == "2025-03-31"


def test_export_neutralises_cells_that_a_spreadsheet_would_run(lanaudiere):
    action = Action.objects.get(plan=lanaudiere, code="1.1.1")
    action.text = '=HYPERLINK("http://exemple.test","clic")'
    action.save()
    ExpectedResult.objects.filter(plan=lanaudiere, code="1.1.2.1").update(text="- une liste")

    dataset = export_dataset(lanaudiere)

    texts = [line["action_texte"] for line in dataset.dict] + [line["resultat_texte"] for line in dataset.dict]
    assert "'" + action.text in texts and "'- une liste" in texts
    assert not any(str(text).startswith(("=", "+", "-", "@")) for line in dataset.dict for text in line.values())
    # and it comes back as it was written
    report = import_file(spreadsheet_bytes(dataset, "csv"), "plan.csv", plan=lanaudiere, commit=False)
    assert report.ok and [len(level.changed) for level in report.levels] == [0, 0, 0, 0]


def test_import_onto_an_existing_plan_keeps_steps_achievements_and_absent_items(lanaudiere):
    action = Action.objects.get(plan=lanaudiere, code="3.1.1")
    step = Step.objects.create(action=action, description="Rencontre", organisation=Organisation.objects.get(acronym="ALL"))
    result = action.results.get(code="3.1.1.1")
    result.achieved_on = "2025-04-02"
    result.save()
    dataset = export_dataset(lanaudiere)
    rows = [line for line in dataset.dict if line["objectif"] == "3.1"]
    rows[0]["action_texte"] = "Texte revu de l’action"
    rows.append({**rows[0], "resultat": "3.1.1.9", "resultat_texte": "Un nouveau résultat"})
    content = xlsx([list(line.values()) for line in rows], headers=list(rows[0].keys()))

    preview = import_file(content, plan=lanaudiere, commit=False)
    assert preview.ok, preview.errors
    actions, results = preview.levels[2], preview.levels[3]
    assert actions.changed == [rows[0]["action"]] and results.new == ["3.1.1.9"]
    assert actions.absent == 37 - len({line["action"] for line in rows})
    assert not ExpectedResult.objects.filter(plan=lanaudiere, code="3.1.1.9").exists()

    assert import_file(content, plan=lanaudiere).committed
    assert Action.objects.get(plan=lanaudiere, code=rows[0]["action"]).text == "Texte revu de l’action"
    assert ExpectedResult.objects.get(plan=lanaudiere, code="3.1.1.9").action == action
    assert Step.objects.filter(pk=step.pk).exists()
    result.refresh_from_db()
    assert str(result.achieved_on) == "2025-04-02"
    assert Action.objects.filter(plan=lanaudiere).count() == 37
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS  # a new result: not done any more


def test_preview_writes_nothing(lanaudiere):
    before = database_state()
    report = import_file((FIXTURES / "lanaudiere-2024-2026.xlsx").read_bytes(), slug="apercu", commit=False)
    assert report.ok and [len(level.new) for level in report.levels] == [4, 12, 37, 40]
    assert database_state() == before


def test_unknown_organisations_are_proposed_a_match_or_created(lanaudiere):
    rows = [
        row(partenaires="Action Logement Lanaudiere; Nouvel organisme du Nord (NON)"),
        row(resultat="1.1.1.2", resultat_texte="Deux", partenaires="Action Logement Lanaudiere; Nouvel organisme du Nord (NON)"),
    ]
    sheet = read_sheet(xlsx(rows), "plan.xlsx")
    preview = import_sheet(sheet, new_plan={"title": "T", "slug": "t"})
    matches = {match.text: match for match in preview.organisations}
    assert matches["Action Logement Lanaudiere"].proposal == Organisation.objects.get(acronym="ALL")
    assert matches["Nouvel organisme du Nord (NON)"].proposal is None
    same_acronym = read_sheet(xlsx([row(partenaires="Logement Lanaudière inc. (ALL)")]), "plan.xlsx")
    [match] = import_sheet(same_acronym, new_plan={"title": "T", "slug": "t"}).organisations
    assert match.proposal == Organisation.objects.get(acronym="ALL")
    assert not Organisation.objects.filter(acronym="NON").exists()

    report = import_sheet(sheet, new_plan={"title": "T", "slug": "t"}, commit=True)

    assert report.committed
    created = Organisation.objects.get(acronym="NON")
    assert created.name == "Nouvel organisme du Nord"
    action = Action.objects.get(plan__slug="t", code="1.1.1")
    assert [link.organisation.acronym for link in action.partner_links.all()] == ["ALL", "NON"]


def test_csv_in_windows_1252_with_semicolons_and_utf8_with_bom(lanaudiere):
    text = row(action_texte="Améliorer l’accès – œuvre", partenaires='"Fédération des OBNL habitation Lanaudière, Laurentides, Laval"; ALL')
    for content in (csv_bytes([text], delimiter=";", encoding="cp1252"), csv_bytes([text], encoding="utf-8-sig")):
        sheet = read_sheet(content, "plan.csv")
        assert not sheet.errors
        entry = sheet.entries["action"]["1.1.1"]
        assert entry.text == "Améliorer l’accès – œuvre"
        assert entry.partners == ["Fédération des OBNL habitation Lanaudière, Laurentides, Laval", "ALL"]


def test_an_ods_file_is_read(lanaudiere):
    import tablib

    content = tablib.Dataset(row(), headers=HEADERS).export("ods")
    report = import_file(content, "plan.ods", slug="ods")
    assert report.committed and Action.objects.get(plan__slug="ods").text == "Action un"


# Malformed files: each refused with a message naming the row and the column, nothing written. ----------


def refused(content, filename="plan.xlsx"):
    """The messages for a file, checking that neither its preview nor its confirmation writes anything."""
    before = database_state()
    try:
        sheet = read_sheet(content, filename)
    except SpreadsheetError as error:
        return [str(error)]
    report = import_sheet(sheet, new_plan={"title": "Refusé", "slug": "refuse"}, commit=True)
    assert not report.committed
    assert database_state() == before
    return [str(error) for error in report.errors]


def test_missing_headers_are_named(lanaudiere):
    headers = [h for h in HEADERS if h not in ("objectif_titre", "annee_reference")]
    messages = refused(xlsx([["1"] * len(headers)], headers=headers))
    assert messages == ["Ligne 1\u00a0: colonnes manquantes\u00a0: objectif_titre, annee_reference."]


def test_unknown_header_is_named_with_its_column(lanaudiere):
    messages = refused(xlsx([row() + ["x"]], headers=HEADERS + ["budget"]))
    assert len(messages) == 1 and messages[0].startswith("Ligne 1, colonne K (budget)\u00a0: en-tête inconnu")


def test_action_under_the_wrong_objective(lanaudiere):
    messages = refused(xlsx([row(), row(action="2.1.3", resultat="2.1.3.1")]))
    assert messages == ["Ligne 3, colonne E (action)\u00a0: l’action 2.1.3 ne peut pas être sous l’objectif 1.1."]


def test_duplicate_codes(lanaudiere):
    messages = refused(xlsx([row(), row()]))
    assert messages == ["Ligne 3, colonne G (resultat)\u00a0: code en double\u00a0: 1.1.1.1 est déjà à la ligne 2."]


def test_a_parent_repeated_with_another_title(lanaudiere):
    messages = refused(xlsx([row(), row(resultat="1.1.1.2", objectif_titre="Autre titre")]))
    assert messages == ["Ligne 3, colonne D (objectif_titre)\u00a0: l’objectif 1.1 porte un autre texte à la ligne 2 "
                        "(« Objectif un »)."]


def test_an_empty_title(lanaudiere):
    messages = refused(xlsx([row(axe_titre="")]))
    assert messages == ["Ligne 2, colonne B (axe_titre)\u00a0: l’axe 1 n’a pas de titre ni de texte."]


def test_a_text_too_long(lanaudiere):
    messages = refused(xlsx([row(objectif_titre="x" * 301)]))
    assert messages[0] == "Ligne 2, colonne D (objectif_titre)\u00a0: texte trop long (301 caractères, au plus 300)."


def test_a_code_of_the_wrong_shape(lanaudiere):
    messages = refused(xlsx([row(resultat="1.1.1.a")]))
    assert messages == ["Ligne 2, colonne G (resultat)\u00a0: « 1.1.1.a » n’est pas un code de ce niveau (par exemple 1.2.3.4)."]


def test_a_bad_reference_year(lanaudiere):
    messages = refused(xlsx([row(annee_reference="l’an prochain")]))
    assert messages[0].startswith("Ligne 2, colonne J (annee_reference)\u00a0: « l’an prochain » n’est pas une année")


def test_formulas_are_refused(lanaudiere):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(row(action_texte='=HYPERLINK("http://exemple.test")'))
    import io

    stream = io.BytesIO()
    book.save(stream)
    messages = refused(stream.getvalue())
    assert messages[0] == ("Ligne 2, colonne F (action_texte) : les formules ne sont pas acceptées ; "
                           "inscrivez la valeur elle-même.")


def test_a_file_that_is_not_a_spreadsheet(lanaudiere):
    assert refused(b"%PDF-1.7\n\x00\x01\x02binary", "plan.pdf") == [
        "Ce fichier n’est pas un tableur lisible : déposez un fichier XLSX, ODS ou CSV."
    ]
    assert refused(b"PK\x03\x04 not really a zip", "plan.xlsx") == [
        "Ce fichier n’est pas un tableur lisible : déposez un fichier XLSX, ODS ou CSV."
    ]


def test_an_empty_file(lanaudiere):
    assert refused(b"", "plan.csv") == ["Le fichier est vide."]
    assert refused(xlsx([]), "plan.xlsx") == ["Le fichier ne contient que des en-têtes : aucune ligne à importer."]


def test_a_file_over_5_mb_is_refused_before_it_is_read():
    with pytest.raises(SpreadsheetError, match="dépasse 5 Mo"):
        check_file_size(5 * 1024 * 1024 + 1)
    check_file_size(5 * 1024 * 1024)


# The commands ---------------------------------------------------------------------------------------------


def test_import_plan_command_writes_nothing_and_fails_on_any_error(lanaudiere, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(xlsx([row(), row(action="2.1.3", resultat="2.1.3.1")]))
    before = database_state()
    with pytest.raises(CommandError, match="1 erreur"):
        call_command("import_plan", str(path), "--plan", "nouveau")
    assert "Ligne 3, colonne E (action)" in capsys.readouterr().err
    assert database_state() == before


def test_import_plan_command_dry_run_then_import(lanaudiere, tmp_path, capsys):
    path = FIXTURES / "batir-ensemble.csv"
    before = database_state()
    call_command("import_plan", str(path), "--plan", "batir", "--title", "Bâtir ensemble", "--dry-run")
    assert "Actions\u00a0: 9 à créer" in capsys.readouterr().out
    assert database_state() == before
    call_command("import_plan", str(path), "--plan", "batir", "--title", "Bâtir ensemble")
    assert Plan.objects.get(slug="batir").title == "Bâtir ensemble"


def test_import_plan_command_refuses_a_big_file_unread(lanaudiere, tmp_path):
    path = tmp_path / "gros.csv"
    path.write_bytes(b"x" * (5 * 1024 * 1024 + 10))
    with pytest.raises(CommandError, match="dépasse 5 Mo"):
        call_command("import_plan", str(path), "--plan", "gros")


def test_export_plan_command(lanaudiere, tmp_path):
    for name in ("plan.xlsx", "plan.csv"):
        call_command("export_plan", "lanaudiere-2024-2026", "--output", str(tmp_path / name))
        assert read_sheet((tmp_path / name).read_bytes(), name).rows == 40


def test_a_text_without_its_code(lanaudiere):
    messages = refused(xlsx([row(resultat="")]))
    assert messages == ["Ligne 2, colonne G (resultat)\u00a0: code manquant pour le texte de la colonne resultat_texte."]


def test_formulas_are_refused_in_ods_too(lanaudiere):
    import io

    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Plan")
    for values in (HEADERS, row()):
        line = TableRow()
        for index, value in enumerate(values):
            if values is not HEADERS and index == 5:
                cell = TableCell(formula="of:=1+1", valuetype="float", value="2")
                cell.addElement(P(text="2"))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            line.addElement(cell)
        table.addElement(line)
    document.spreadsheet.addElement(table)
    stream = io.BytesIO()
    document.write(stream)

    messages = refused(stream.getvalue(), "plan.ods")
    assert messages[0] == ("Ligne 2, colonne F (action_texte) : les formules ne sont pas acceptées ; "
                           "inscrivez la valeur elle-même.")


# A preview writes nothing, so it never holds the database's write lock --------------------------------


def test_a_preview_sends_nothing_but_reads_to_the_database(lanaudiere):
    """What guarantees that partners keep writing during a preview: it opens no transaction and sends no
    INSERT, UPDATE or DELETE (so SQLite's write lock is never taken), whatever the file changes."""
    dataset = export_dataset(lanaudiere)
    rows = [list(line) for line in dataset]
    headers = dataset.headers
    rows[0][headers.index("action_texte")] = "Texte revu"
    rows[0][headers.index("partenaires")] = "Organisme tout neuf"
    rows.append(list(rows[0]))
    rows[-1][headers.index("resultat")] = rows[0][headers.index("action")] + ".9"
    rows[-1][headers.index("resultat_texte")] = "Un nouveau résultat"
    content = xlsx(rows, headers=headers)

    for target in ({"plan": lanaudiere}, {"new_plan": {"title": "Neuf", "slug": "neuf"}}):
        with CaptureQueriesContext(connection) as queries:
            report = import_sheet(read_sheet(content, "plan.xlsx"), commit=False, **target)
        assert report.ok, report.errors
        assert sum(len(level.new) + len(level.changed) for level in report.levels) > 0
        assert {query["sql"].split(None, 1)[0].upper() for query in queries} == {"SELECT"}


@pytest.mark.django_db(transaction=True)
def test_a_write_from_another_connection_during_a_preview_is_not_blocked(monkeypatch):
    """Halfway through a preview (its axes and objectives read), another connection writes and commits at
    once; with a preview inside a write transaction it would wait for the lock, then fail on SQLite."""
    sheet = read_sheet(xlsx([row(resultat=f"1.1.1.{n}", resultat_texte=f"R{n}") for n in range(1, 300)]), "a.xlsx")
    outcome = {}

    def write_from_another_connection():
        start = time.perf_counter()
        try:
            with transaction.atomic():
                Organisation.objects.create(name="Écrite pendant l’aperçu")
            outcome["seconds"] = time.perf_counter() - start
        except Exception as error:  # "database is locked", on SQLite, if the preview held the lock
            outcome["error"] = error
        finally:
            connections.close_all()  # this thread's own connection

    read_level = spreadsheets.level_dataset

    def level_dataset(sheet, level, resource):
        if level.key == "action":
            thread = threading.Thread(target=write_from_another_connection)
            thread.start()
            thread.join(30)
        return read_level(sheet, level, resource)

    monkeypatch.setattr(spreadsheets, "level_dataset", level_dataset)
    report = import_sheet(sheet, new_plan={"title": "Aperçu", "slug": "apercu"})

    assert report.ok and [len(level.new) for level in report.levels] == [1, 1, 1, 299]
    assert "error" not in outcome and outcome["seconds"] < 1
    assert Organisation.objects.filter(name="Écrite pendant l’aperçu").exists()
    assert not Plan.objects.filter(slug="apercu").exists()


# Partners and periods: one implementation each, shared with the rest of the app ------------------------


def test_an_import_changing_an_actions_partners_keeps_the_lead_and_writes_history(lanaudiere):
    action = Action.objects.get(plan=lanaudiere, code="1.1.1")
    all_, tpdsl = Organisation.objects.get(acronym="ALL"), Organisation.objects.get(acronym="TPDSL")
    ActionPartner.set_for(action, [all_], lead=all_)
    dataset = export_dataset(lanaudiere)
    rows = [list(line) for line in dataset]
    for line in rows:
        if line[dataset.headers.index("action")] == "1.1.1":
            line[dataset.headers.index("partenaires")] = "ALL; TPDSL"
    history = ActionPartner.history.count()

    report = import_file(xlsx(rows, headers=dataset.headers), plan=lanaudiere)

    assert report.committed and report.levels[2].changed == ["1.1.1"]
    links = list(action.partner_links.all())
    assert [(link.organisation, link.role) for link in links] == [(all_, "lead"), (tpdsl, "partner")]
    assert ActionPartner.history.count() == history + 1  # the new link; the lead's link is left alone


def test_a_reference_period_is_read_the_same_way_everywhere():
    assert parse_period("2024-2026") == parse_period("2024 – 2026") == parse_period("2024 à 2026") == (2024, 2026)
    assert parse_period("2025") == (2025, 2025) and parse_period("") == (None, None)
    with pytest.raises(ValueError, match="l’année de fin précède"):
        parse_period("2026-2024")
    assert loading.parse_period is parse_period
