"""A plan in a spreadsheet, and back: the file format, the row checks, the import and the export.

One row per expected result (or per action that has none), French headers in any order (see README.md,
« Tableur »). The columns of each level are declared once, in the django-import-export resources below,
and serve both the import and the export; tablib and openpyxl read the files.

An import runs in two steps. `read_sheet()` reads the file and checks every row on its own (codes that fit
their parents, titles repeated identically, periods, lengths, formulas); `import_sheet()` then hands each
level, axes first, to its resource inside one transaction, and rolls everything back for a preview or on
the first error. A partner's own sheet (steps done, results achieved) is at the end of the module.
"""

import csv
import datetime
import difflib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import tablib
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from simple_history.utils import bulk_create_with_history
from tablib.formats._ods import ODSFormat
from tablib.formats._xlsx import XLSXFormat

from partners.models import Organisation
from plans.models import (
    Action,
    ActionPartner,
    Axis,
    ExpectedResult,
    Objective,
    ObjectivePartner,
    Plan,
    Role,
    format_period,
)
from suivi.models import Step

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_TEXT_LENGTH = 4000  # actions' and results' texts; titles follow their model field (300)

# The format: these columns must be there, in any order.
REQUIRED_COLUMNS = [
    "axe", "axe_titre", "objectif", "objectif_titre", "action", "action_texte", "resultat", "resultat_texte",
    "partenaires", "annee_reference",
]
# Optional columns that an export writes so that it re-imports to the same plan.
OPTIONAL_COLUMNS = ["objectif_precision", "objectif_partenaires"]
# Written by the export for reading; ignored by the import.
REPORT_COLUMNS = ["etat", "avancement", "nombre_etapes", "derniere_etape"]
EXPORT_COLUMNS = [
    "axe", "axe_titre", "objectif", "objectif_titre", "objectif_precision", "objectif_partenaires", "action",
    "action_texte", "partenaires", "resultat", "resultat_texte", "annee_reference", *REPORT_COLUMNS,
]

# Spreadsheet programs run a cell beginning with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (too big, empty, not a spreadsheet)."""


@dataclass
class RowError:
    """A problem in one cell: row as the spreadsheet numbers it (headers are row 1), column by its header."""

    row: int
    column: str
    message: str
    letter: str = ""

    def __str__(self):
        if not self.column:
            return _("Ligne %(row)s : %(message)s") % {"row": self.row, "message": self.message}
        where = f"{self.letter} ({self.column})" if self.letter else self.column
        return _("Ligne %(row)s, colonne %(column)s : %(message)s") % {
            "row": self.row, "column": where, "message": self.message,
        }


def column_letter(index):
    return openpyxl.utils.get_column_letter(index + 1)


# Reading files ---------------------------------------------------------------------------------------------


class XLSXKeepingFormulas(XLSXFormat):
    """tablib's XLSX reader with one difference: it reads formulas as written ("=SUM(A1:A3)") rather than
    the value Excel last computed, so that the row checks can refuse them."""

    @classmethod
    def import_set(cls, dset, in_stream, headers=True, read_only=True, skip_lines=0):
        dset.wipe()
        book = openpyxl.load_workbook(in_stream, read_only=True, data_only=False)
        cls.import_sheet(dset, book.worksheets[0], headers, skip_lines)
        book.close()


class ODSKeepingFormulas(ODSFormat):
    """tablib's ODS reader, reading a formula cell as its formula (see XLSXKeepingFormulas)."""

    @classmethod
    def read_cell(cls, cell, value_type=None):
        formula = cell.getAttribute("formula") if getattr(cell, "qname", (None, ""))[1] == "table-cell" else None
        if formula:
            return "=" + formula.split("=", 1)[-1]
        return super().read_cell(cell, value_type)


def check_file_size(size):
    if size > MAX_FILE_SIZE:
        raise SpreadsheetError(
            _("Le fichier dépasse 5 Mo (%(size)s Mo) : il n’a pas été lu.")
            % {"size": round(size / 1024 / 1024, 1)}
        )


def read_dataset(content, filename):
    """The first sheet of an XLSX, ODS or CSV file as a tablib Dataset, its first row as headers."""
    check_file_size(len(content))
    if not content.strip():
        raise SpreadsheetError(_("Le fichier est vide."))
    extension = Path(filename or "").suffix.lower()
    dataset = tablib.Dataset()
    not_a_spreadsheet = SpreadsheetError(
        _("Ce fichier n’est pas un tableur lisible : déposez un fichier XLSX, ODS ou CSV.")
    )
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
                is_ods = "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.spreadsheet"
                )
            if is_ods:
                ODSKeepingFormulas.import_set(dataset, io.BytesIO(content))
            elif "xl/workbook.xml" in names:
                XLSXKeepingFormulas.import_set(dataset, io.BytesIO(content))
            else:
                raise not_a_spreadsheet
        except SpreadsheetError:
            raise
        except Exception as error:
            raise not_a_spreadsheet from error
    elif extension in {".xlsx", ".xlsm", ".ods", ".xls"} or b"\x00" in content[:4096]:
        raise not_a_spreadsheet
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")  # what Excel writes as « CSV » on a French Windows
            except UnicodeDecodeError as error:
                raise not_a_spreadsheet from error
        first_line = text.split("\n", 1)[0]
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        try:
            dataset.load(text, format="csv", delimiter=delimiter)
        except Exception as error:
            raise not_a_spreadsheet from error
    if not dataset.headers or not any(cell_text(header) for header in dataset.headers):
        raise SpreadsheetError(_("Le fichier est vide : la première ligne doit porter les en-têtes."))
    return dataset


def cell_text(value):
    """A cell as text: numbers without a useless '.0', dates as 2025-03-31, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def unescape(text):
    """Undo the export's protection against formulas: "'=x" was written for the text "=x"."""
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def neutralise(value):
    """Protect a cell of an export against formula injection: text beginning like a formula gets an '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def normalise_header(header):
    text = unicodedata.normalize("NFKD", cell_text(header).casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\s\-]+", "_", text.strip())


def split_names(text):
    """Organisation names or acronyms separated by ';' or, when there is no ';', by ','; a name that
    contains a comma may be quoted ("Fédération des OBNL, Laurentides", ALL)."""
    if not text:
        return []
    delimiter = ";" if ";" in text else ","
    row = next(csv.reader([text], delimiter=delimiter, skipinitialspace=True), [])
    names = []
    for name in row:
        name = " ".join(name.split())
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def join_names(names):
    """Names separated by '; ', a name containing ',', ';' or '"' quoted so that split_names reads it back."""
    return "; ".join('"%s"' % name.replace('"', '""') if re.search(r'[,;"]', name) else name for name in names)


PERIOD = re.compile(r"^(\d{4})(?:\s*[-–—àa/]\s*(\d{4}))?$")


def parse_period(text):
    """'2024-2026' → (2024, 2026); '2025' → (2025, 2025); '' → (None, None); ValueError otherwise."""
    if not text:
        return None, None
    match = PERIOD.match(text)
    if not match:
        raise ValueError(
            _("« %(value)s » n’est pas une année de référence (2024-2026, 2025 ou vide).") % {"value": text}
        )
    start, end = int(match[1]), int(match[2] or match[1])
    if not 1900 <= start <= end <= 2200:
        raise ValueError(_("« %(value)s » : l’année de fin précède l’année de début.") % {"value": text})
    return start, end


# The levels of a plan ---------------------------------------------------------------------------------------


@dataclass
class Level:
    key: str  # the column of the code
    text_column: str
    model: type
    name: str  # as the preview names it
    max_length: int

    @property
    def depth(self):
        return LEVELS.index(self) + 1


LEVELS = [
    Level("axe", "axe_titre", Axis, gettext_lazy("Axes"), 300),
    Level("objectif", "objectif_titre", Objective, gettext_lazy("Objectifs"), 300),
    Level("action", "action_texte", Action, gettext_lazy("Actions"), MAX_TEXT_LENGTH),
    Level("resultat", "resultat_texte", ExpectedResult, gettext_lazy("Résultats attendus"), MAX_TEXT_LENGTH),
]
LEVEL_NAMES = {
    "axe": gettext_lazy("l’axe"), "objectif": gettext_lazy("l’objectif"), "action": gettext_lazy("l’action"),
    "resultat": gettext_lazy("le résultat"),
}
CODE_EXAMPLES = {"axe": "1", "objectif": "1.2", "action": "1.2.3", "resultat": "1.2.3.4"}


@dataclass
class Entry:
    """One item of the plan as the file describes it, and the first row that describes it."""

    code: str
    row: int
    text: str = ""
    parent: str = ""
    partners: list = field(default_factory=list)
    objective_partners: list = None
    description: str = None
    periods: list = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # the row that first gave each parent value

    @property
    def number(self):
        return int(self.code.rsplit(".", 1)[-1])

    @property
    def period(self):
        starts = [start for start, end in self.periods if start]
        if not starts:
            return None, None
        return min(starts), max(end for start, end in self.periods if end)


@dataclass
class Sheet:
    """What a file says, level by level, once its rows are checked."""

    entries: dict  # level key → {code: Entry}, in the file's order
    errors: list
    columns: list
    rows: int = 0

    @property
    def organisation_names(self):
        names = {}
        for entry in [*self.entries["objectif"].values(), *self.entries["action"].values()]:
            for name in [*entry.partners, *(entry.objective_partners or [])]:
                names.setdefault(name.casefold(), name)
        return list(names.values())

    @property
    def years(self):
        periods = [p for level in ("action", "resultat") for e in self.entries[level].values() for p in e.periods]
        years = [year for period in periods for year in period if year]
        return (min(years), max(years)) if years else (None, None)


def read_sheet(content, filename):
    """Read a file and check each row: raises SpreadsheetError for the file as a whole, returns a Sheet
    whose `errors` name the row and the column of every problem."""
    dataset = read_dataset(content, filename)
    headers = [normalise_header(header) for header in dataset.headers]
    sheet = Sheet(entries={level.key: {} for level in LEVELS}, errors=[], columns=headers)
    errors = sheet.errors
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS) | set(REPORT_COLUMNS)
    seen = {}
    for index, header in enumerate(headers):
        letter = column_letter(index)
        if not header:
            if any(cell_text(row[index]) for row in dataset):
                errors.append(RowError(1, "", _("la colonne %(letter)s n’a pas d’en-tête.") % {"letter": letter}))
        elif header not in known:
            errors.append(RowError(1, header, _("en-tête inconnu. Les en-têtes attendus sont : %(list)s.")
                                   % {"list": ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}, letter))
        elif header in seen:
            errors.append(RowError(1, header, _("en-tête en double (déjà en colonne %(letter)s).")
                                   % {"letter": column_letter(seen[header])}, letter))
        else:
            seen[header] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in seen]
    if missing:
        errors.append(RowError(1, "", _("colonnes manquantes : %(list)s.") % {"list": ", ".join(missing)}))
    if errors:
        return sheet
    if not len(dataset):
        raise SpreadsheetError(_("Le fichier ne contient que des en-têtes : aucune ligne à importer."))

    letters = {column: column_letter(index) for column, index in seen.items()}
    owners = {}  # code of a row's own item → its row, to find duplicates

    def error(row, column, message):
        errors.append(RowError(row, column, message, letters.get(column, "")))

    for offset, values in enumerate(dataset):
        row = offset + 2
        raw = {column: cell_text(values[index]) if index < len(values) else "" for column, index in seen.items()}
        if not any(raw.values()):
            continue
        sheet.rows += 1
        cells = {}
        for column, value in raw.items():
            if value.startswith("="):
                error(row, column, _("les formules ne sont pas acceptées ; inscrivez la valeur elle-même."))
                value = ""
            cells[column] = unescape(value)
        codes = {level.key: cells[level.key].replace(",", ".").rstrip(".") for level in LEVELS}  # 1,2 as 1.2

        # The row's own item is its deepest level with a code; every level above must have one.
        depth = 0
        for position, level in enumerate(LEVELS):
            if codes[level.key]:
                depth = position + 1
        if depth == 0:
            error(row, "axe", _("la ligne n’a aucun code (axe, objectif, action ou résultat)."))
            continue
        row_ok = True
        for level in LEVELS[depth:]:
            if cells[level.text_column]:
                error(row, level.key, _("code manquant pour le texte de la colonne %(column)s.")
                      % {"column": level.text_column})
                row_ok = False
        parent_code = ""
        for position, level in enumerate(LEVELS[:depth]):
            code = codes[level.key]
            if not code:
                error(row, level.key, _("code manquant : la ligne décrit un élément plus bas dans le plan."))
                row_ok = False
                break
            if not re.fullmatch(r"[1-9][0-9]*(\.[1-9][0-9]*){%d}" % position, code):
                error(row, level.key, _("« %(code)s » n’est pas un code de ce niveau (par exemple %(example)s).")
                      % {"code": cells[level.key], "example": CODE_EXAMPLES[level.key]})
                row_ok = False
                break
            if parent_code and code.rsplit(".", 1)[0] != parent_code:
                error(row, level.key, _("%(item)s %(code)s ne peut pas être sous %(parent)s %(parent_code)s.") % {
                    "item": LEVEL_NAMES[level.key], "code": code, "parent": LEVEL_NAMES[LEVELS[position - 1].key],
                    "parent_code": parent_code,
                })
                row_ok = False
                break
            text = cells[level.text_column]
            if len(text) > level.max_length:
                error(row, level.text_column, _("texte trop long (%(length)s caractères, au plus %(max)s).")
                      % {"length": len(text), "max": level.max_length})
                row_ok = False
            entries = sheet.entries[level.key]
            entry = entries.get(code)
            if entry is None:
                entry = entries[code] = Entry(code=code, row=row, text=text, parent=parent_code)
            elif text and entry.text and text != entry.text:
                error(row, level.text_column, _("%(item)s %(code)s porte un autre texte à la ligne %(other)s "
                                                "(« %(text)s »).") % {
                    "item": LEVEL_NAMES[level.key], "code": code, "other": entry.row, "text": entry.text[:80],
                })
                row_ok = False
            elif text and not entry.text:
                entry.text = text
            if position == depth - 1:
                if code in owners:
                    error(row, level.key, _("code en double : %(code)s est déjà à la ligne %(other)s.")
                          % {"code": code, "other": owners[code]})
                    row_ok = False
                owners[code] = row
            parent_code = code
        if not row_ok:
            continue

        # What belongs to the row's own item, and to its action and objective.
        own = sheet.entries[LEVELS[depth - 1].key][parent_code]
        try:
            own.periods.append(parse_period(cells["annee_reference"]))
        except ValueError as problem:
            error(row, "annee_reference", str(problem))
        if depth >= 3:
            action = sheet.entries["action"][codes["action"]]
            if own is not action:
                action.periods.append(own.periods[-1] if own.periods else (None, None))
            consistent(action, "partners", split_names(cells["partenaires"]), row, "partenaires", error)
        if depth >= 2:
            objective = sheet.entries["objectif"][codes["objectif"]]
            if "objectif_partenaires" in cells:
                consistent(objective, "objective_partners", split_names(cells["objectif_partenaires"]), row,
                           "objectif_partenaires", error)
            if "objectif_precision" in cells:
                consistent(objective, "description", cells["objectif_precision"], row, "objectif_precision", error)

    for level in LEVELS:
        for entry in sheet.entries[level.key].values():
            if not entry.text:
                error(entry.row, level.text_column, _("%(item)s %(code)s n’a pas de titre ni de texte.")
                      % {"item": LEVEL_NAMES[level.key], "code": entry.code})
    errors.sort(key=lambda e: (e.row, e.letter))
    return sheet


def consistent(entry, attribute, value, row, column, error):
    """Set a parent's value from the first row that gives it; later rows must repeat it or leave it empty."""
    current = getattr(entry, attribute)
    if not value:
        return
    if not current:
        setattr(entry, attribute, value)
        entry.rows[attribute] = row
        return
    if isinstance(value, list):
        differs = [name.casefold() for name in value] != [name.casefold() for name in current]
    else:
        differs = value != current
    if differs:
        error(row, column, _("%(code)s a une autre valeur à la ligne %(other)s (« %(value)s »).") % {
            "code": entry.code, "other": entry.rows[attribute],
            "value": join_names(current) if isinstance(current, list) else current[:80],
        })


# Organisations ----------------------------------------------------------------------------------------------

NAME_WITH_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<acronym>[^()]+)\)$")


@dataclass
class OrganisationMatch:
    """A name from the file: the organisation it names, or, when it names none exactly, a proposal."""

    text: str
    organisation: Organisation = None
    proposal: Organisation = None

    @property
    def name_and_acronym(self):
        match = NAME_WITH_ACRONYM.match(self.text)
        if match and len(match["acronym"]) <= 30:
            return match["name"], match["acronym"]
        return self.text, ""


def match_organisations(names):
    """{name as written: OrganisationMatch}: exact name or acronym (any case) first; else a proposal with
    the same acronym or a close name (difflib); else nothing, and it will be created."""
    organisations = list(Organisation.objects.all())
    by_key = {}
    for organisation in organisations:
        by_key.setdefault(organisation.name.casefold(), organisation)
        if organisation.acronym:
            by_key.setdefault(organisation.acronym.casefold(), organisation)
    matches = {}
    for text in names:
        match = OrganisationMatch(text)
        name, acronym = match.name_and_acronym
        match.organisation = by_key.get(text.casefold())
        if match.organisation is None and acronym:
            found_name, found_acronym = by_key.get(name.casefold()), by_key.get(acronym.casefold())
            if found_name and found_name == found_acronym:
                match.organisation = found_name
            else:
                match.proposal = found_acronym or found_name
        if match.organisation is None and match.proposal is None:
            close = difflib.get_close_matches(name.casefold(), list(by_key), n=1, cutoff=0.8)
            match.proposal = by_key[close[0]] if close else None
        matches[text.casefold()] = match
    return matches


def unknown_organisations(sheet):
    """The names of a sheet that name no organisation exactly, in the file's order."""
    return [match for match in match_organisations(sheet.organisation_names).values() if match.organisation is None]


def settle_organisations(matches, choices=None):
    """{name as written (casefolded): Organisation}, creating those chosen to be created. `choices` maps
    a name to an organisation's pk or "new"; without a choice the proposal is taken."""
    choices = choices or {}
    settled = {}
    for key, match in matches.items():
        if match.organisation:
            settled[key] = match.organisation
            continue
        choice = choices.get(key, match.proposal.pk if match.proposal else "new")
        if choice != "new" and choice:
            settled[key] = Organisation.objects.get(pk=choice)
            continue
        name, acronym = match.name_and_acronym
        existing = Organisation.objects.filter(name__iexact=name).first()
        if acronym and Organisation.objects.filter(acronym__iexact=acronym).exists():
            acronym = ""
        settled[key] = existing or Organisation.objects.create(name=name[:200], acronym=acronym)
    return settled


# Resources: the columns of each level, for import and export --------------------------------------------


class ParentWidget(widgets.ForeignKeyWidget):
    """The parent item, by its code in the plan being imported; the codes are read once per level."""

    def __init__(self, model, prefetch=()):
        super().__init__(model, field="code")
        self.prefetch = prefetch
        self.plan = None
        self._by_code = None

    def clean(self, value, row=None, **kwargs):
        if self._by_code is None:
            items = self.model.objects.filter(plan=self.plan).order_by().prefetch_related(*self.prefetch)
            self._by_code = {item.code: item for item in items}
        try:
            return self._by_code[str(value)]
        except KeyError:
            raise ValueError(_("code parent %(code)s introuvable dans le plan.") % {"code": value}) from None


class PeriodField(Field):
    """« annee_reference »: two model fields (period_start, period_end) in one column."""

    def __init__(self, **kwargs):
        super().__init__(attribute="period_start", column_name="annee_reference", **kwargs)

    def get_value(self, instance):
        return instance.period

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.period_start, instance.period_end = parse_period(cell_text(row[self.column_name]))


class PartnersField(Field):
    """Partner organisations in order, written as names or acronyms separated by ';'. On import the
    resource is given the organisations already settled ({name casefolded: Organisation}); the links are
    written with the item: in bulk for new items, replaced when an existing item's partners change."""

    def __init__(self, column_name, link_model, owner):
        super().__init__(attribute="partner_links", column_name=column_name)
        self.link_model = link_model
        self.owner = owner
        self.organisations = {}

    def current(self, instance):
        if instance.pk is None:
            return []
        return [link.organisation for link in instance.partner_links.all()]

    def get_value(self, instance):
        if hasattr(instance, "_imported_partners"):
            return [org.pk for org in instance._imported_partners]
        return [org.pk for org in self.current(instance)]

    def export(self, instance, **kwargs):
        return join_names(str(org) for org in self.current(instance))

    def wanted(self, instance, row):
        return [self.organisations[name.casefold()] for name in split_names(cell_text(row[self.column_name]))]

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance._imported_partners = self.wanted(instance, row)

    def new_links(self, instance):
        return [
            self.link_model(**{self.owner: instance}, organisation=org, position=position)
            for position, org in enumerate(getattr(instance, "_imported_partners", None) or [])
        ]

    def write_links(self, instance):
        """Replace an existing item's partners when the file names others."""
        wanted = getattr(instance, "_imported_partners", None)
        if wanted is None or wanted == self.current(instance):
            return
        self.link_model.objects.filter(**{self.owner: instance}).delete()
        bulk_create_with_history(self.new_links(instance), self.link_model)


class ActionPartnersField(PartnersField):
    """« partenaires » on an action: the partners in effect on the row's action. When they are the same as
    its objective's, the action names none of its own and takes its objective's, as in the plan's table."""

    def __init__(self):
        super().__init__("partenaires", ActionPartner, "action")

    def export(self, instance, **kwargs):
        if instance.pk is None:
            return ""
        return join_names(str(link.organisation) for link in instance.partner_links_in_effect)

    def wanted(self, instance, row):
        wanted = super().wanted(instance, row)
        objective_partners = [link.organisation for link in instance.objective.partner_links.all()]
        return [] if wanted == objective_partners else wanted


class PlanItemResource(resources.ModelResource):
    """What the four levels share: found by code within one plan, numbered from the code's last part."""

    def __init__(self, plan=None, organisations=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan
        self.user = user if user is not None and user.is_authenticated else None
        for item in self.fields.values():
            if isinstance(item.widget, ParentWidget):
                item.widget.plan = plan
            if isinstance(item, PartnersField):
                item.organisations = organisations or {}

    class Meta:
        import_id_fields = ["code"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False  # read_sheet() has checked the rows; the database checks the rest
        # The preview counts what is created, changed and unchanged; it shows no field-by-field diff, which
        # would deep-copy every item and export it twice. skip_row() compares with a snapshot instead.
        skip_diff = True
        instance_loader_class = CachedInstanceLoader
        # New items are inserted in bulk at the end of their level, with their history (see save_instance).
        use_bulk = True
        batch_size = None

    def get_queryset(self):
        # No ordering: the models' default one joins every level above, which PostgreSQL may plan badly
        # against the thousands of codes the instance loader asks for at once.
        items = self._meta.model.objects.filter(plan=self.plan).order_by()
        if self._meta.model.parent_field:  # compared with the file's parent code on every row
            items = items.select_related(self._meta.model.parent_field)
        if self._meta.model in (Objective, Action):
            items = items.prefetch_related("partner_links__organisation")
        return items

    def export_field(self, field, instance, **kwargs):
        """What the admin's export writes: neutralised against formulas like every export."""
        return neutralise(super().export_field(field, instance, **kwargs))

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._as_found = None if new else [item.get_value(instance) for item in self.get_import_fields()]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged: an existing item whose every column reads as it did before the row was applied."""
        if import_validation_errors or instance._as_found is None:
            return False
        return [item.get_value(instance) for item in self.get_import_fields()] == instance._as_found

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.number = int(str(instance.code).rsplit(".", 1)[-1])
        if instance.pk is None and self._meta.model is Axis:
            instance.plan = self.plan

    def save_instance(self, instance, is_create, row, **kwargs):
        """A new item waits for the level's bulk insert; a changed one is saved at once, as usual."""
        if is_create:
            if instance.parent_field:  # what save() would do, since a bulk insert skips it
                instance.plan_id = instance.parent.plan_id
            instance.code = instance.expected_code()
            self.create_instances.append(instance)
        else:
            instance.version += 1
            with transaction.atomic():  # a refused row must not abort the whole import's transaction
                instance.save()
                for item in self.partner_fields():
                    item.write_links(instance)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Insert the level's new items and their partners, with a history row each (a plain bulk_create
        would leave no history), in a few queries rather than a few per row."""
        if not self.create_instances:
            return
        try:
            with transaction.atomic():
                created = bulk_create_with_history(self.create_instances, self._meta.model, batch_size=500,
                                                   default_user=self.user)
                for item in self.partner_fields():
                    links = [link for instance in created for link in item.new_links(instance)]
                    bulk_create_with_history(links, item.link_model, batch_size=500, default_user=self.user)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def partner_fields(self):
        return [item for item in self.fields.values() if isinstance(item, PartnersField)]


class AxisResource(PlanItemResource):
    code = Field(attribute="code", column_name="axe")
    title = Field(attribute="title", column_name="axe_titre")

    class Meta(PlanItemResource.Meta):
        model = Axis
        fields = ["code", "title"]


class ObjectiveResource(PlanItemResource):
    code = Field(attribute="code", column_name="objectif")
    axis = Field(attribute="axis", column_name="axe", widget=ParentWidget(Axis))
    title = Field(attribute="title", column_name="objectif_titre")
    description = Field(attribute="description", column_name="objectif_precision")
    partners = PartnersField("objectif_partenaires", ObjectivePartner, "objective")

    class Meta(PlanItemResource.Meta):
        model = Objective
        fields = ["code", "axis", "title", "description", "partners"]


class ActionResource(PlanItemResource):
    code = Field(attribute="code", column_name="action")
    objective = Field(
        attribute="objective", column_name="objectif", widget=ParentWidget(Objective, ["partner_links__organisation"])
    )
    text = Field(attribute="text", column_name="action_texte")
    partners = ActionPartnersField()
    period = PeriodField()

    class Meta(PlanItemResource.Meta):
        model = Action
        fields = ["code", "objective", "text", "partners", "period"]


class ExpectedResultResource(PlanItemResource):
    code = Field(attribute="code", column_name="resultat")
    action = Field(attribute="action", column_name="action", widget=ParentWidget(Action))
    text = Field(attribute="text", column_name="resultat_texte")
    period = PeriodField()

    class Meta(PlanItemResource.Meta):
        model = ExpectedResult
        fields = ["code", "action", "text", "period"]


RESOURCES = {
    "axe": AxisResource, "objectif": ObjectiveResource, "action": ActionResource, "resultat": ExpectedResultResource,
}


def level_dataset(sheet, level, resource):
    """The entries of one level as a dataset in the resource's own columns, one row per item."""
    headers = [item.column_name for item in resource.get_import_fields()]
    optional = {"objectif_precision": "description", "objectif_partenaires": "objective_partners"}
    headers = [h for h in headers if h not in optional or h in sheet.columns]
    dataset = tablib.Dataset(headers=headers)
    for entry in sheet.entries[level.key].values():
        start, end = entry.period
        values = {
            level.key: entry.code,
            level.text_column: entry.text,
            "annee_reference": format_period(start, end),
            "partenaires": join_names(entry.partners),
            "objectif_partenaires": join_names(entry.objective_partners or []),
            "objectif_precision": entry.description or "",
        }
        if entry.parent:
            values[LEVELS[level.depth - 2].key] = entry.parent
        dataset.append([values.get(header, "") for header in headers])
    return dataset


# Import -----------------------------------------------------------------------------------------------------


@dataclass
class LevelCount:
    name: str
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    absent: int = 0  # in the plan, not in the file: left as they are


@dataclass
class ImportReport:
    """What an import did, or would do: counts per level, organisations, and every row's error."""

    errors: list
    levels: list = field(default_factory=list)
    organisations: list = field(default_factory=list)  # OrganisationMatch not known exactly
    plan: Plan = None
    committed: bool = False

    @property
    def ok(self):
        return not self.errors

    def summary_lines(self):
        lines = []
        for level in self.levels:
            lines.append(_("%(name)s : %(new)s à créer, %(changed)s modifiés, %(unchanged)s inchangés, "
                           "%(absent)s absents du fichier laissés tels quels.") % {
                "name": level.name, "new": len(level.new), "changed": len(level.changed),
                "unchanged": level.unchanged, "absent": level.absent,
            })
        for match in self.organisations:
            if match.proposal:
                lines.append(_("Organisation « %(text)s » : associée à « %(org)s ».")
                             % {"text": match.text, "org": match.proposal.display_name})
            else:
                lines.append(_("Organisation « %(text)s » : sera créée.") % {"text": match.text})
        return lines


def import_sheet(sheet, *, plan=None, new_plan=None, commit=False, choices=None, user=None):
    """Import a checked sheet into `plan`, or into a new plan made from `new_plan` (title, slug).

    Everything runs in one transaction. django-import-export's own dry run rolls back each call, but an
    objective needs its axis to exist, so the levels are imported for real one after the other and the
    whole transaction is rolled back for a preview (commit=False) or on any error. Nothing but the plan's
    items, their partner links, the organisations and, for a new plan, the plan and the importer's role,
    is written: steps and achievements are never touched.
    """
    report = ImportReport(errors=list(sheet.errors))
    matches = match_organisations(sheet.organisation_names)
    report.organisations = [match for match in matches.values() if match.organisation is None]
    if report.errors:
        return report
    with transaction.atomic():
        if plan is None:
            first, last = sheet.years
            this_year = timezone.localdate().year
            plan = Plan.objects.create(
                title=new_plan["title"], slug=new_plan["slug"], first_year=first or this_year,
                last_year=last or first or this_year,
            )
            if user is not None and user.is_authenticated:
                plan.roles.create(user=user, role=Role.COORDINATOR)
        report.plan = plan
        organisations = settle_organisations(matches, choices)
        for level in LEVELS:
            resource = RESOURCES[level.key](plan, organisations, user)
            dataset = level_dataset(sheet, level, resource)
            entries = list(sheet.entries[level.key].values())
            result = resource.import_data(dataset, use_transactions=True, raise_errors=False)
            count = LevelCount(level.name)
            for entry, row_result in zip(entries, result.rows):
                if row_result.import_type == "new":
                    count.new.append(entry.code)
                elif row_result.import_type == "update":
                    count.changed.append(entry.code)
                elif row_result.import_type == "skip":
                    count.unchanged += 1
            for number, row_errors in result.row_errors():
                entry = entries[number - 1]
                for row_error in row_errors:
                    report.errors.append(RowError(entry.row, level.key, _(
                        "la base de données a refusé %(item)s %(code)s (%(error)s)."
                    ) % {"item": LEVEL_NAMES[level.key], "code": entry.code, "error": row_error.error}))
            for base_error in result.base_errors:
                report.errors.append(RowError(1, "", str(base_error.error)))
            for invalid in result.invalid_rows:
                entry = entries[invalid.number - 1]
                for attribute, messages in invalid.error_dict.items():
                    column = next((f.column_name for f in resource.fields.values() if f.attribute == attribute),
                                  level.key)
                    for message in messages:
                        report.errors.append(RowError(entry.row, column, str(message)))
            count.absent = level.model.objects.filter(plan=plan).exclude(
                code__in=sheet.entries[level.key].keys()
            ).count()
            report.levels.append(count)
        # An action that was there and gets a new result is no longer done; its status follows its results.
        new_results = report.levels[-1].new
        if new_results:
            action_codes = {code.rsplit(".", 1)[0] for code in new_results} - set(report.levels[2].new)
            for action in Action.objects.filter(plan=plan, code__in=action_codes, status_is_manual=False):
                action.refresh_status()
        report.errors.sort(key=lambda e: e.row)
        report.committed = commit and report.ok
        if not report.committed:
            transaction.set_rollback(True)
    return report


# Export -----------------------------------------------------------------------------------------------------


def export_dataset(plan):
    """The whole plan in the import format, plus each action's status, progress, number of steps and date
    of its last step; cells that a spreadsheet would run as formulas are neutralised."""
    resources_by_level = {key: resource(plan) for key, resource in RESOURCES.items()}
    steps = {
        row["pk"]: row
        for row in Action.objects.filter(plan=plan)
        .annotate(steps_count=Count("steps"), last_step=Max("steps__done_on"))
        .values("pk", "steps_count", "last_step")
    }
    dataset = tablib.Dataset(headers=EXPORT_COLUMNS, title=plan.slug[:31])
    for axis in plan.tree():
        for objective in axis.objectives.all():
            for action in objective.actions.all():
                for result in list(action.results.all()) or [None]:
                    cells = {}
                    for key, instance in (("axe", axis), ("objectif", objective), ("action", action),
                                          ("resultat", result)):
                        if instance is None:
                            continue
                        for item in resources_by_level[key].get_export_fields():
                            cells.setdefault(item.column_name, item.export(instance))
                    if result is not None:
                        cells["annee_reference"] = result.period
                    progress = action.progress()
                    cells.update(
                        etat=action.get_status_display(),
                        avancement=progress if progress is not None else "",
                        nombre_etapes=steps[action.pk]["steps_count"],
                        derniere_etape=steps[action.pk]["last_step"] or "",
                    )
                    dataset.append([neutralise(cells.get(column, "")) for column in EXPORT_COLUMNS])
    return dataset


def export_bytes(dataset, file_format):
    """The dataset as an XLSX file or as CSV (UTF-8 with a BOM and ';', as Excel in French opens it)."""
    if file_format == "xlsx":
        return dataset.export("xlsx")
    return ("\ufeff" + dataset.export("csv", delimiter=";")).encode("utf-8")


def template_dataset():
    """The empty format with one example row, for the downloadable template."""
    dataset = tablib.Dataset(headers=REQUIRED_COLUMNS)
    dataset.append(["1", "Titre de l’axe", "1.1", "Titre de l’objectif", "1.1.1", "Texte de l’action", "1.1.1.1",
                    "Texte du résultat attendu", "Nom d’un organisme; SIGLE", "2024-2026"])
    return dataset


# A partner's own sheet ------------------------------------------------------------------------------------

PARTNER_COLUMNS = [
    "action", "action_texte", "resultat", "resultat_texte", "atteint_le", "etape_date", "etape_description",
    "etape_resultats",
]
PARTNER_REQUIRED = ["action", "resultat", "atteint_le", "etape_date", "etape_description", "etape_resultats"]
EMPTY_STEP_ROWS = 3  # per action, for the steps the partner will describe
YES = {"oui", "o", "x", "yes", "y", "1", "vrai", "true", "✓", "✔"}


def partner_actions(plan, organisation):
    return (
        Action.objects.active().filter(plan=plan).for_organisation(organisation)
        .select_related("plan", "objective")
        .prefetch_related("partner_links", "objective__partner_links", "results")
        .order_by("objective__axis__number", "objective__number", "number")
    )


def partner_sheet_bytes(plan, organisation):
    """An XLSX of the organisation's actions: a row per expected result (« atteint_le » to fill in when it
    is achieved), then empty rows to describe the steps done (date, what, which results)."""
    dataset = tablib.Dataset(headers=PARTNER_COLUMNS, title=_("Mes actions")[:31])
    for action in partner_actions(plan, organisation):
        for result in action.results.all():
            if result.archived_at is None:
                dataset.append(
                    [action.code, action.text, result.code, result.text, result.achieved_on or "", "", "", ""]
                )
        for _row in range(EMPTY_STEP_ROWS):
            dataset.append([action.code, action.text, "", "", "", "", "", ""])
    dataset = tablib.Dataset(*[[neutralise(cell) for cell in row] for row in dataset], headers=PARTNER_COLUMNS,
                             title=dataset.title)
    return dataset.export("xlsx")


def parse_date(text):
    """2025-03-31 or 31/03/2025 (as people type it here); ValueError otherwise."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("« %(value)s » n’est pas une date (2025-03-31 ou 31/03/2025).") % {"value": text})


@dataclass
class PlannedStep:
    row: int
    action: Action
    done_on: datetime.date
    description: str
    results: list


@dataclass
class PartnerReport:
    """What a partner's sheet will do: new steps, results to mark achieved, what is already there."""

    errors: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    achievements: list = field(default_factory=list)  # (row, result, date)
    unchanged: int = 0
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def read_partner_sheet(content, filename, plan, user, organisation):
    """Check a partner's sheet row by row. A row about an action the person may not record steps on (not
    their organisation's) is refused; nothing is written here (see save_partner_sheet)."""
    dataset = read_dataset(content, filename)
    headers = [normalise_header(header) for header in dataset.headers]
    report = PartnerReport()
    seen = {header: index for index, header in reversed(list(enumerate(headers))) if header}
    missing = [column for column in PARTNER_REQUIRED if column not in seen]
    if missing:
        report.errors.append(RowError(1, "", _("colonnes manquantes : %(list)s.") % {"list": ", ".join(missing)}))
        return report
    letters = {column: column_letter(index) for column, index in seen.items()}

    def error(row, column, message):
        report.errors.append(RowError(row, column, message, letters.get(column, "")))

    actions = {
        action.code: action
        for action in Action.objects.active().filter(plan=plan).select_related("plan", "objective")
        .prefetch_related("partner_links", "objective__partner_links", "results")
    }
    theirs = set(partner_actions(plan, organisation).values_list("code", flat=True))
    existing = set(
        Step.objects.filter(action__plan=plan, organisation=organisation)
        .values_list("action__code", "done_on", "description")
    )
    today = timezone.localdate()
    for offset, values in enumerate(dataset):
        row = offset + 2
        cells = {column: cell_text(values[index]) if index < len(values) else "" for column, index in seen.items()}
        if not any(cells.get(column) for column in ("resultat", "atteint_le", "etape_date", "etape_description",
                                                     "etape_resultats")):
            continue
        formulas = [column for column, value in cells.items() if value.startswith("=")]
        for column in formulas:
            error(row, column, _("les formules ne sont pas acceptées ; inscrivez la valeur elle-même."))
        if formulas:
            continue
        cells = {column: unescape(value) for column, value in cells.items()}
        action = actions.get(cells["action"])
        if action is None:
            error(row, "action", _("aucune action %(code)s dans ce plan.") % {"code": cells["action"] or "—"})
            continue
        if action.code not in theirs or not user.has_perm("suivi.add_step", action):
            error(row, "action", _("l’action %(code)s n’est pas une action de votre organisme : ligne refusée.")
                  % {"code": action.code})
            continue
        results = {result.code: result for result in action.results.all() if result.archived_at is None}

        if cells["resultat"]:
            result = results.get(cells["resultat"])
            if result is None:
                error(row, "resultat", _("l’action %(action)s n’a pas de résultat %(code)s.")
                      % {"action": action.code, "code": cells["resultat"]})
            elif cells["atteint_le"] and not result.is_achieved:
                try:
                    achieved_on = today if cells["atteint_le"].casefold() in YES else parse_date(cells["atteint_le"])
                    if achieved_on > today:
                        raise ValueError(_("la date est dans le futur."))
                except ValueError as problem:
                    error(row, "atteint_le", str(problem))
                else:
                    if user.has_perm("suivi.achieve_result", result):
                        report.achievements.append((row, result, achieved_on))
                    else:
                        error(row, "atteint_le", _("vous ne pouvez pas marquer ce résultat atteint."))
            elif result.is_achieved and not cells["atteint_le"]:
                report.notes.append(RowError(row, "atteint_le", _("le résultat %(code)s reste atteint : un import ne "
                                                                  "retire pas une atteinte.") % {"code": result.code},
                                             letters["atteint_le"]))
            elif result.is_achieved:
                report.unchanged += 1

        if cells["etape_date"] or cells["etape_description"] or cells["etape_resultats"]:
            problems = len(report.errors)
            done_on = None
            if not cells["etape_description"]:
                error(row, "etape_description", _("décrivez ce qui a été fait."))
            elif len(cells["etape_description"]) > MAX_TEXT_LENGTH:
                error(row, "etape_description",
                      _("texte trop long (au plus %(max)s caractères).") % {"max": MAX_TEXT_LENGTH})
            if not cells["etape_date"]:
                error(row, "etape_date", _("indiquez la date de l’étape."))
            else:
                try:
                    done_on = parse_date(cells["etape_date"])
                    if done_on > today:
                        raise ValueError(_("une étape réalisée ne peut pas être datée dans le futur."))
                except ValueError as problem:
                    error(row, "etape_date", str(problem))
            chosen = []
            for code in split_names(cells["etape_resultats"]):
                result = results.get(code) or results.get(f"{action.code}.{code}")
                if result is None:
                    error(row, "etape_resultats", _("l’action %(action)s n’a pas de résultat %(code)s.")
                          % {"action": action.code, "code": code})
                else:
                    chosen.append(result)
            if len(report.errors) == problems:
                if (action.code, done_on, cells["etape_description"]) in existing:
                    report.unchanged += 1
                else:
                    report.steps.append(PlannedStep(row, action, done_on, cells["etape_description"], chosen))
    return report


@transaction.atomic
def save_partner_sheet(report, user, organisation):
    """Write what a checked partner's sheet describes: steps awaiting the coordination's validation,
    results marked achieved; then each action's status follows."""
    touched = {}
    for planned in report.steps:
        step = Step.objects.create(
            action=planned.action, done_on=planned.done_on, description=planned.description,
            organisation=organisation, author=user, review=Step.Review.PENDING,
        )
        step.results.set(planned.results)
        touched[planned.action.pk] = planned.action
    for _row, result, achieved_on in report.achievements:
        result.achieved_on, result.achieved_by = achieved_on, user
        result.save(update_fields=["achieved_on", "achieved_by"])
        touched[result.action_id] = result.action
    for action in touched.values():
        action.refresh_status()
