"""A plan in a spreadsheet, and back: the format, the row checks, the import and the export.

One row per expected result (or per action that has none), French headers in any order (see README.md,
« Tableur »). The columns of each level are declared once, in the django-import-export resources below;
the levels, the headers the import knows, the export's and the template's columns are all read from them.
Files are read by lib.spreadsheets (bounded, formulas given as "=…") and written by it (neutralised).

An import runs in two steps. `read_sheet()` reads the file and checks every row on its own (codes that fit
their parents, titles repeated identically, periods, lengths, formulas); `import_sheet()` then hands each
level, axes first, to its resource. A preview writes nothing and opens no transaction: each resource
reads and compares its rows but saves none (its `preview` flag), so no write lock is taken and partners
keep writing while a coordinator looks at a preview; the new items of a level are handed to the next one
as parents. (django-import-export's own dry run would insert everything and roll it back, holding
SQLite's write lock all along.) The
confirmation imports for real, every level in one transaction, and rolls everything back on any error.
A partner's own sheet (steps done, results achieved) is at the end of the module.
"""

import csv
import datetime
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

import openpyxl
import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from simple_history.utils import bulk_create_with_history

from lib import french
from lib.spreadsheets import FORMULA_PREFIXES, SpreadsheetError, neutralise, read_dataset
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
    parse_period,
)
from suivi.forms import StepForm, TickForm
from suivi.models import PlannedStep, Step

MAX_TEXT_LENGTH = 4000  # actions' and results' texts; titles follow their model field (300)


@dataclass
class RowError:
    """A problem in one cell: row as the spreadsheet numbers it (headers are row 1), column by its header."""

    row: int
    column: str
    message: str
    letter: str = ""

    def __str__(self):
        if not self.column:
            return _("Ligne %(row)s : %(message)s") % {"row": self.row, "message": self.message}
        where = f"{self.letter} ({self.column})" if self.letter else self.column
        return _("Ligne %(row)s, colonne %(column)s : %(message)s") % {
            "row": self.row, "column": where, "message": self.message,
        }


def column_letter(index):
    return openpyxl.utils.get_column_letter(index + 1)


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


def formula_refused():
    return _("les formules ne sont pas acceptées ; inscrivez la valeur elle-même.")


# Resources: the columns of each level, for import and export --------------------------------------------


class ParentWidget(widgets.ForeignKeyWidget):
    """The parent item, by its code: one of the items the level above has just imported (created, changed
    or unchanged), so that a preview, which saves nothing, finds new parents too."""

    def __init__(self, model):
        super().__init__(model, field="code")
        self.parents = {}

    def clean(self, value, row=None, **kwargs):
        try:
            return self.parents[str(value)]
        except KeyError:
            raise ValueError(_("code parent %(code)s introuvable dans le plan.") % {"code": value}) from None


class PeriodField(Field):
    """« annee_reference »: two model fields (period_start, period_end) in one column."""

    def __init__(self, **kwargs):
        super().__init__(attribute="period_start", column_name="annee_reference", **kwargs)

    def get_value(self, instance):
        return instance.period

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.period_start, instance.period_end = parse_period(cell_text(row[self.column_name]))


def partners_of(item):
    """The partners an objective or action has, or will have once the import being read is saved."""
    if hasattr(item, "imported_partners"):
        return item.imported_partners
    if item.pk is None:
        return []
    return [link.organisation for link in item.partner_links.all()]


class PartnersField(Field):
    """Partner organisations in order, written as names or acronyms separated by ';'. On import the
    resource is given the organisations already settled ({name casefolded: Organisation}); the links are
    written with the item (PartnerLink.set_for, or in bulk with new items)."""

    def __init__(self, column_name, link_model):
        super().__init__(attribute="partner_links", column_name=column_name)
        self.link_model = link_model
        self.organisations = {}

    def get_value(self, instance):
        return [organisation.pk for organisation in partners_of(instance)]

    def export(self, instance, **kwargs):
        return join_names(str(organisation) for organisation in partners_of(instance))

    def wanted(self, instance, row):
        return [self.organisations[name.casefold()] for name in split_names(cell_text(row[self.column_name]))]

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.imported_partners = self.wanted(instance, row)


class ActionPartnersField(PartnersField):
    """« partenaires » on an action: the partners in effect (Action.partner_links_in_effect), its own or, when
    it names none, its objective's. So a row naming exactly its objective's partners names none of the
    action's own: the action keeps taking its objective's."""

    def __init__(self):
        super().__init__("partenaires", ActionPartner)

    def export(self, instance, **kwargs):
        if instance.pk is None:
            return ""
        return join_names(str(link.organisation) for link in instance.partner_links_in_effect)

    def wanted(self, instance, row):
        wanted = super().wanted(instance, row)
        return [] if wanted == partners_of(instance.objective) else wanted


class PlanItemResource(resources.ModelResource):
    """What the four levels share: found by code within one plan, numbered from the code's last part.

    Each level declares its fields under the same names: `code`, `parent` (but axes), `text`, and as the
    level has them `description`, `partners`, `period`. `optional` names the fields whose column a file may
    leave out (the item then keeps what it has)."""

    optional = ()

    def __init__(self, plan=None, organisations=None, user=None, parents=None, preview=False, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan
        self.preview = preview  # read and compare the rows, save nothing
        self.user = user if user is not None and user.is_authenticated else None
        self.imported = {}  # code → the item as the file describes it, for the level below
        for item in self.fields.values():
            if isinstance(item.widget, ParentWidget):
                item.widget.parents = parents or {}
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
        # New items are inserted in bulk at the end of their level, with their history (see bulk_create).
        use_bulk = True
        batch_size = None

    def get_queryset(self):
        if self.plan is None or self.plan.pk is None:  # a new plan has no items yet
            return self._meta.model.objects.none()
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
        self.imported[instance.code] = instance

    def save_instance(self, instance, is_create, row, **kwargs):
        """A new item waits for the level's bulk insert; a changed one is saved at once, as usual. In a
        preview, nothing is saved."""
        if is_create:
            if instance.parent_field:  # what save() would do, since a bulk insert skips it
                instance.plan_id = instance.parent.plan_id
            instance.code = instance.expected_code()
            self.create_instances.append(instance)
        elif not self.preview:
            instance.version += 1
            with transaction.atomic():  # a refused row must not abort the whole import's transaction
                instance.save()
                for item in self.partner_fields():
                    if hasattr(instance, "imported_partners"):
                        item.link_model.set_for(instance, instance.imported_partners)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Insert the level's new items and their partners, with a history row each (a plain bulk_create
        would leave no history), in a few queries rather than a few per row; nothing in a preview."""
        if not self.create_instances or self.preview:
            self.create_instances.clear()
            return
        try:
            with transaction.atomic():
                created = bulk_create_with_history(self.create_instances, self._meta.model, batch_size=500,
                                                   default_user=self.user)
                for item in self.partner_fields():
                    links = [link for instance in created
                             for link in item.link_model.links_for(instance, partners_of(instance))]
                    bulk_create_with_history(links, item.link_model, batch_size=500, default_user=self.user)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def partner_fields(self):
        return [item for item in self.fields.values() if isinstance(item, PartnersField)]


class AxisResource(PlanItemResource):
    code = Field(attribute="code", column_name="axe")
    text = Field(attribute="title", column_name="axe_titre")

    class Meta(PlanItemResource.Meta):
        model = Axis
        fields = ["code", "text"]


class ObjectiveResource(PlanItemResource):
    code = Field(attribute="code", column_name="objectif")
    parent = Field(attribute="axis", column_name="axe", widget=ParentWidget(Axis))
    text = Field(attribute="title", column_name="objectif_titre")
    description = Field(attribute="description", column_name="objectif_precision")
    partners = PartnersField("objectif_partenaires", ObjectivePartner)
    optional = ("description", "partners")

    class Meta(PlanItemResource.Meta):
        model = Objective
        fields = ["code", "parent", "text", "description", "partners"]


class ActionResource(PlanItemResource):
    code = Field(attribute="code", column_name="action")
    parent = Field(attribute="objective", column_name="objectif", widget=ParentWidget(Objective))
    text = Field(attribute="text", column_name="action_texte")
    partners = ActionPartnersField()
    period = PeriodField()

    class Meta(PlanItemResource.Meta):
        model = Action
        fields = ["code", "parent", "text", "partners", "period"]


class ExpectedResultResource(PlanItemResource):
    code = Field(attribute="code", column_name="resultat")
    parent = Field(attribute="action", column_name="action", widget=ParentWidget(Action))
    text = Field(attribute="text", column_name="resultat_texte")
    period = PeriodField()

    class Meta(PlanItemResource.Meta):
        model = ExpectedResult
        fields = ["code", "parent", "text", "period"]


# The levels of a plan, read from the resources ------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    resource: type
    name: str  # as the preview names it
    item: str  # as an error names one
    example: str  # the template's example text

    def column(self, name):
        """The column of one of the level's fields (code, parent, text…), or None if it has none."""
        item = self.resource.fields.get(name)
        return item.column_name if item else None

    @property
    def key(self):  # the column of the code
        return self.column("code")

    @property
    def text_column(self):
        return self.column("text")

    @property
    def model(self):
        return self.resource._meta.model

    @property
    def max_length(self):
        return self.model._meta.get_field(self.resource.fields["text"].attribute).max_length or MAX_TEXT_LENGTH

    @property
    def depth(self):
        return LEVELS.index(self) + 1

    @property
    def code_example(self):
        return ".".join(str(number) for number in range(1, self.depth + 1))


LEVELS = [
    Level(AxisResource, gettext_lazy("Axes"), gettext_lazy("l’axe"), gettext_lazy("Titre de l’axe")),
    Level(ObjectiveResource, gettext_lazy("Objectifs"), gettext_lazy("l’objectif"), gettext_lazy("Titre de l’objectif")),
    Level(ActionResource, gettext_lazy("Actions"), gettext_lazy("l’action"), gettext_lazy("Texte de l’action")),
    Level(ExpectedResultResource, gettext_lazy("Résultats attendus"), gettext_lazy("le résultat"),
          gettext_lazy("Texte du résultat attendu")),
]
LEVEL_BY_KEY = {level.key: level for level in LEVELS}
PERIOD_COLUMN = ActionResource.fields["period"].column_name
PARTNERS_COLUMN = ActionResource.fields["partners"].column_name


def unique(columns):
    return list(dict.fromkeys(columns))


# Every column of the format, level by level; the optional ones a file may leave out.
COLUMNS = unique(item.column_name for level in LEVELS for item in level.resource.fields.values())
OPTIONAL_COLUMNS = [level.column(name) for level in LEVELS for name in level.resource.optional]
REQUIRED_COLUMNS = [column for column in COLUMNS if column not in OPTIONAL_COLUMNS]
# Written by the export after the format's columns, for reading; ignored by the import.
REPORT_COLUMNS = {
    "etat": lambda action, steps: action.status_label,
    "avancement": lambda action, steps: "" if action.progress() is None else action.progress(),
    "nombre_etapes": lambda action, steps: steps["steps_count"],
    "derniere_etape": lambda action, steps: steps["last_step"] or "",
}
EXPORT_COLUMNS = [*COLUMNS, *REPORT_COLUMNS]


@dataclass
class Entry:
    """One item of the plan as the file describes it, and the first row that describes it."""

    code: str
    row: int
    text: str = ""
    parent: str = ""
    partners: list = field(default_factory=list)
    description: str = None
    periods: list = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # the row that first gave each parent value

    @property
    def period(self):
        starts = [start for start, end in self.periods if start]
        if not starts:
            return None, None
        return min(starts), max(end for start, end in self.periods if end)

    def values(self):
        """The entry by field name, as its resource reads a row."""
        return {
            "code": self.code, "parent": self.parent, "text": self.text, "description": self.description or "",
            "partners": join_names(self.partners), "period": format_period(*self.period),
        }


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
        for level in LEVELS:
            for entry in self.entries[level.key].values():
                for name in entry.partners:
                    names.setdefault(name.casefold(), name)
        return list(names.values())

    @property
    def years(self):
        periods = [p for level in LEVELS[2:] for e in self.entries[level.key].values() for p in e.periods]
        years = [year for period in periods for year in period if year]
        return (min(years), max(years)) if years else (None, None)


def read_sheet(content, filename):
    """Read a file and check each row: raises SpreadsheetError for the file as a whole, returns a Sheet
    whose `errors` name the row and the column of every problem."""
    dataset = read_dataset(content, filename)
    headers = [normalise_header(header) for header in dataset.headers]
    sheet = Sheet(entries={level.key: {} for level in LEVELS}, errors=[], columns=headers)
    errors = sheet.errors
    known = set(COLUMNS) | set(REPORT_COLUMNS)
    seen = {}
    for index, header in enumerate(headers):
        letter = column_letter(index)
        if not header:
            if any(cell_text(row[index]) for row in dataset):
                errors.append(RowError(1, "", _("la colonne %(letter)s n’a pas d’en-tête.") % {"letter": letter}))
        elif header not in known:
            errors.append(RowError(1, header, _("en-tête inconnu. Les en-têtes attendus sont : %(list)s.")
                                   % {"list": ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}, letter))
        elif header in seen:
            errors.append(RowError(1, header, _("en-tête en double (déjà en colonne %(letter)s).")
                                   % {"letter": column_letter(seen[header])}, letter))
        else:
            seen[header] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in seen]
    if missing:
        errors.append(RowError(1, "", _("colonnes manquantes : %(list)s.") % {"list": ", ".join(missing)}))
    if errors:
        return sheet
    if not len(dataset):
        raise SpreadsheetError(_("Le fichier ne contient que des en-têtes : aucune ligne à importer."))

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
                error(row, column, formula_refused())
                value = ""
            cells[column] = unescape(value)
        codes = {level.key: cells[level.key].replace(",", ".").rstrip(".") for level in LEVELS}  # 1,2 as 1.2

        # The row's own item is its deepest level with a code; every level above must have one.
        depth = 0
        for position, level in enumerate(LEVELS):
            if codes[level.key]:
                depth = position + 1
        if depth == 0:
            error(row, LEVELS[0].key, _("la ligne n’a aucun code (axe, objectif, action ou résultat)."))
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
                error(row, level.key, _("code manquant : la ligne décrit un élément plus bas dans le plan."))
                row_ok = False
                break
            if not re.fullmatch(r"[1-9][0-9]*(\.[1-9][0-9]*){%d}" % position, code):
                error(row, level.key, _("« %(code)s » n’est pas un code de ce niveau (par exemple %(example)s).")
                      % {"code": cells[level.key], "example": level.code_example})
                row_ok = False
                break
            if parent_code and code.rsplit(".", 1)[0] != parent_code:
                error(row, level.key, _("%(item)s %(code)s ne peut pas être sous %(parent)s %(parent_code)s.") % {
                    "item": level.item, "code": code, "parent": LEVELS[position - 1].item,
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
                                                "(« %(text)s »).") % {
                    "item": level.item, "code": code, "other": entry.row, "text": entry.text[:80],
                })
                row_ok = False
            elif text and not entry.text:
                entry.text = text
            if position == depth - 1:
                if code in owners:
                    error(row, level.key, _("code en double : %(code)s est déjà à la ligne %(other)s.")
                          % {"code": code, "other": owners[code]})
                    row_ok = False
                owners[code] = row
            parent_code = code
        if not row_ok:
            continue

        # What belongs to the row's own item, and to the items above it (partners, description).
        own = sheet.entries[LEVELS[depth - 1].key][parent_code]
        try:
            own.periods.append(parse_period(cells[PERIOD_COLUMN]))
        except ValueError as problem:
            error(row, PERIOD_COLUMN, str(problem))
        if depth == 4:  # an action spans its results' years
            action = sheet.entries[LEVELS[2].key][codes[LEVELS[2].key]]
            action.periods.append(own.periods[-1] if own.periods else (None, None))
        for level in LEVELS[:depth]:
            entry = sheet.entries[level.key][codes[level.key]]
            for attribute, value in (("partners", split_names), ("description", str)):
                column = level.column(attribute)
                if column in cells:
                    consistent(entry, attribute, value(cells[column]), row, column, error)

    for level in LEVELS:
        for entry in sheet.entries[level.key].values():
            if not entry.text:
                error(entry.row, level.text_column, _("%(item)s %(code)s n’a pas de titre ni de texte.")
                      % {"item": level.item, "code": entry.code})
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
        error(row, column, _("%(code)s a une autre valeur à la ligne %(other)s (« %(value)s »).") % {
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


def settle_organisations(matches, choices=None, create=True):
    """{name as written (casefolded): Organisation}, creating those chosen to be created (or, for a preview,
    `create=False`, making them without saving them). `choices` maps a name to an organisation's pk or
    "new"; without a choice the proposal is taken."""
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
        if existing is None:
            existing = Organisation(name=name[:200], acronym=acronym)
            if create:
                existing.save()
        settled[key] = existing
    return settled


def level_dataset(sheet, level, resource):
    """The entries of one level as a dataset in the resource's own columns, one row per item. An optional
    column the file leaves out is left out here too, so that the items keep what they have."""
    names = [name for name, item in resource.fields.items() if item in resource.get_import_fields()
             and (name not in resource.optional or item.column_name in sheet.columns)]
    dataset = tablib.Dataset(headers=[resource.fields[name].column_name for name in names])
    for entry in sheet.entries[level.key].values():
        values = entry.values()
        dataset.append([values[name] for name in names])
    return dataset


# Import -----------------------------------------------------------------------------------------------------


@dataclass
class LevelCount:
    name: str
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    created: list = field(default_factory=list)  # (code, text) of each item to create, for the preview
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
            lines.append(_("%(name)s : %(new)s à créer, %(changed)s modifiés, %(unchanged)s inchangés, "
                           "%(absent)s absents du fichier laissés tels quels.") % {
                "name": level.name, "new": len(level.new), "changed": len(level.changed),
                "unchanged": level.unchanged, "absent": level.absent,
            })
        for match in self.organisations:
            if match.proposal:
                lines.append(_("Organisation « %(text)s » : associée à « %(org)s ».")
                             % {"text": match.text, "org": match.proposal.display_name})
            else:
                lines.append(_("Organisation « %(text)s » : sera créée.") % {"text": match.text})
        return lines


def import_sheet(sheet, *, plan=None, new_plan=None, commit=False, choices=None, user=None):
    """Import a checked sheet into `plan`, or into a new plan made from `new_plan` (title, slug).

    A preview (commit=False) writes nothing and opens no transaction: it reads the plan's items, level by
    level, and reports what the import would do. The import itself (commit=True) runs in one transaction,
    rolled back on any error. Nothing but the plan's items, their partner links, the organisations and,
    for a new plan, the plan and the importer's role, is written: steps and achievements are never touched.
    """
    report = ImportReport(errors=list(sheet.errors))
    matches = match_organisations(sheet.organisation_names)
    report.organisations = [match for match in matches.values() if match.organisation is None]
    if report.errors:
        return report
    if not commit:
        import_levels(report, sheet, plan, new_plan, matches, choices, user, commit=False)
        return report
    with transaction.atomic():
        import_levels(report, sheet, plan, new_plan, matches, choices, user, commit=True)
        report.committed = report.ok
        if not report.committed:
            transaction.set_rollback(True)
    return report


YEARS_IN_TITLE = re.compile(r"(?<!\d)(20\d\d)\s*[-–]\s*(20\d\d)(?!\d)")
SINGLE_YEAR_IN_TITLE = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
# Quebec's administrative regions, as a coalition's title names them.
REGIONS = [
    "Abitibi-Témiscamingue", "Bas-Saint-Laurent", "Capitale-Nationale", "Centre-du-Québec", "Chaudière-Appalaches",
    "Côte-Nord", "Estrie", "Gaspésie–Îles-de-la-Madeleine", "Lanaudière", "Laurentides", "Laval", "Mauricie",
    "Montérégie", "Montréal", "Nord-du-Québec", "Outaouais", "Saguenay–Lac-Saint-Jean",
]


def years_in_title(title):
    """« Plan d’action 2025-2027 » → (2025, 2027); « Plan 2026 » → (2026, 2026); None without a year."""
    span = YEARS_IN_TITLE.search(title or "")
    if span and int(span[1]) <= int(span[2]):
        return int(span[1]), int(span[2])
    single = SINGLE_YEAR_IN_TITLE.search(title or "")
    return (int(single[1]), int(single[1])) if single else None


def region_in_title(title):
    """The administrative region a title names (accents and case ignored), or ""."""
    words = french.sort_key(title).replace("–", "-")
    for region in sorted(REGIONS, key=len, reverse=True):  # « Centre-du-Québec » before « Québec »
        if french.sort_key(region).replace("–", "-") in words:
            return region
    return ""


def import_levels(report, sheet, plan, new_plan, matches, choices, user, commit):
    if plan is None:
        # The title's years first (« Plan d’action 2025-2027 »), else the span of the sheet's reference years.
        first, last = years_in_title(new_plan["title"]) or sheet.years
        this_year = timezone.localdate().year
        plan = Plan(title=new_plan["title"], slug=new_plan["slug"], first_year=first or this_year,
                    last_year=last or first or this_year,
                    region=new_plan.get("region") or region_in_title(new_plan["title"]))
        if commit:
            plan.save()
            if user is not None and user.is_authenticated:
                plan.roles.create(user=user, role=Role.COORDINATOR)
    report.plan = plan
    organisations = settle_organisations(matches, choices, create=commit)
    parents = {}
    for level in LEVELS:
        resource = level.resource(plan, organisations, user, parents, preview=not commit)
        entries = list(sheet.entries[level.key].values())
        # Not django-import-export's dry run, which would write and roll back: see the module's docstring.
        result = resource.import_data(level_dataset(sheet, level, resource), use_transactions=commit,
                                      raise_errors=False)
        parents = resource.imported
        count = LevelCount(level.name)
        for entry, row_result in zip(entries, result.rows):
            if row_result.import_type == "new":
                count.new.append(entry.code)
                count.created.append((entry.code, entry.text))
            elif row_result.import_type == "update":
                count.changed.append(entry.code)
            elif row_result.import_type == "skip":
                count.unchanged += 1
        for number, row_errors in result.row_errors():
            entry = entries[number - 1]
            for row_error in row_errors:
                report.errors.append(RowError(entry.row, level.key, _(
                    "la base de données a refusé %(item)s %(code)s (%(error)s)."
                ) % {"item": level.item, "code": entry.code, "error": row_error.error}))
        for base_error in result.base_errors:
            report.errors.append(RowError(1, "", str(base_error.error)))
        for invalid in result.invalid_rows:
            entry = entries[invalid.number - 1]
            for attribute, messages in invalid.error_dict.items():
                column = next((f.column_name for f in resource.fields.values() if f.attribute == attribute),
                              level.key)
                for message in messages:
                    report.errors.append(RowError(entry.row, column, str(message)))
        if plan.pk is not None:
            count.absent = level.model.objects.filter(plan=plan).exclude(
                code__in=sheet.entries[level.key].keys()
            ).count()
        report.levels.append(count)
    # An action that was there and gets a new result is no longer done; its status follows its results.
    new_results = report.levels[-1].new
    if commit and new_results:
        action_codes = {code.rsplit(".", 1)[0] for code in new_results} - set(report.levels[2].new)
        for action in Action.objects.filter(plan=plan, code__in=action_codes, status_is_manual=False):
            action.refresh_status()
    report.errors.sort(key=lambda e: e.row)


# Export -----------------------------------------------------------------------------------------------------


def export_dataset(plan):
    """The whole plan in the import format, plus each action's status, progress, number of steps and date
    of its last step; cells that a spreadsheet would run as formulas are neutralised (as lib.spreadsheets
    writes every file: the dataset itself is safe to hand to any writer, the admin's included)."""
    resources_by_level = {level.key: level.resource(plan) for level in LEVELS}
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
                    for level, instance in zip(LEVELS, (axis, objective, action, result)):
                        if instance is None:
                            continue
                        for item in resources_by_level[level.key].get_export_fields():
                            cells.setdefault(item.column_name, item.export(instance))
                    if result is not None:
                        cells[PERIOD_COLUMN] = result.period
                    for column, value in REPORT_COLUMNS.items():
                        cells[column] = value(action, steps[action.pk])
                    dataset.append([neutralise(cells.get(column, "")) for column in EXPORT_COLUMNS])
    return dataset


def template_dataset():
    """The format's required columns, empty but for one example row."""
    example = {PARTNERS_COLUMN: _("Nom d’un organisme; SIGLE"), PERIOD_COLUMN: "2024-2026"}
    for level in LEVELS:
        example.update({level.key: ".".join(["1"] * level.depth), level.text_column: str(level.example)})
    return tablib.Dataset([example.get(column, "") for column in REQUIRED_COLUMNS], headers=REQUIRED_COLUMNS)


# A partner's own sheet ------------------------------------------------------------------------------------

PARTNER_COLUMNS = [
    "action", "action_texte", "resultat", "resultat_texte", "atteint_le", "etape_date", "etape_description",
    "etape_resultats", "prevue", "prevue_texte", "prevue_pour", "faite_le",
]
# The planned steps' columns came later: a sheet downloaded before them still imports.
PARTNER_OPTIONAL = ("action_texte", "resultat_texte", "prevue", "prevue_texte", "prevue_pour", "faite_le")
PARTNER_REQUIRED = [column for column in PARTNER_COLUMNS if column not in PARTNER_OPTIONAL]
# The headers a partner reads in their sheet; the technical names above are still accepted on import (sheets
# downloaded before these headers), and errors name the column as its header says.
PARTNER_HEADERS = {
    "action": gettext_lazy("Action"),
    "action_texte": gettext_lazy("Texte de l’action"),
    "resultat": gettext_lazy("Résultat attendu"),
    "resultat_texte": gettext_lazy("Texte du résultat"),
    "atteint_le": gettext_lazy("Atteint le"),
    "etape_date": gettext_lazy("Date de l’étape"),
    "etape_description": gettext_lazy("Ce qui a été fait"),
    "etape_resultats": gettext_lazy("Résultats que l’étape fait avancer"),
    "prevue": gettext_lazy("N° de l’étape prévue"),
    "prevue_texte": gettext_lazy("Étape prévue"),
    "prevue_pour": gettext_lazy("Prévue pour le"),
    "faite_le": gettext_lazy("Faite le"),
}


def partner_column(header):
    """The column a partner sheet's header names: its French header or its technical name, or None."""
    header = normalise_header(header)
    if header in PARTNER_HEADERS:
        return header
    return next((key for key, label in PARTNER_HEADERS.items() if normalise_header(label) == header), None)
# Where the step form's errors go: its fields and the sheet's columns.
STEP_COLUMNS = {"done_on": "etape_date", "description": "etape_description", "results": "etape_resultats"}
# The sheet's words for a step form's field left empty.
STEP_REQUIRED = {
    "done_on": gettext_lazy("indiquez la date de l’étape."),
    "description": gettext_lazy("décrivez ce qui a été fait."),
}
EMPTY_STEP_ROWS = 3  # per action, for the steps the partner will describe
YES = {"oui", "o", "x", "yes", "y", "1", "vrai", "true", "✓", "✔"}


def partner_actions(plan, organisation):
    return (
        Action.objects.active().filter(plan=plan).for_organisation(organisation)
        .select_related("plan", "objective")
        .prefetch_related("partner_links", "objective__partner_links", "results")
        .order_by("objective__axis__number", "objective__number", "number")
    )


def partner_dataset(plan, organisation):
    """The organisation's actions: a row per expected result (« atteint_le » to fill in when it is
    achieved), a row per planned step still to do (« faite_le » to fill in when it is done), then empty
    rows to describe the steps done (date, what, which results)."""
    dataset = tablib.Dataset(headers=[str(PARTNER_HEADERS[column]) for column in PARTNER_COLUMNS],
                             title=_("Mes actions")[:31])
    planned_steps = Prefetch(
        "planned_steps", queryset=PlannedStep.objects.open().filter(organisation=organisation).order_by("due_on", "pk"),
        to_attr="open_planned_steps",
    )
    for action in partner_actions(plan, organisation).prefetch_related(planned_steps):
        rows = [
            {"resultat": result.code, "resultat_texte": result.text, "atteint_le": result.achieved_on or ""}
            for result in action.results.all() if result.archived_at is None
        ] + [
            {"prevue": planned.pk, "prevue_texte": planned.description, "prevue_pour": planned.due_on}
            for planned in action.open_planned_steps
        ] + [{}] * EMPTY_STEP_ROWS
        for values in rows:
            values = {"action": action.code, "action_texte": action.text, **values}
            dataset.append([values.get(column, "") for column in PARTNER_COLUMNS])
    return dataset


def parse_date(text):
    """2025-03-31 or 31/03/2025 (as people type it here); ValueError otherwise."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("« %(value)s » n’est pas une date (2025-03-31 ou 31/03/2025).") % {"value": text})


def lowercase_first(message):
    """A form's message inside a sentence (« Ligne 3, colonne F : une étape… »)."""
    message = str(message)
    return message[:1].lower() + message[1:]


@dataclass
class StepRow:
    """A step described on a row of the sheet, checked, to be written on confirmation."""

    row: int
    action: Action
    form: StepForm  # bound with the row, valid

    @property
    def done_on(self):
        return self.form.cleaned_data["done_on"]

    @property
    def description(self):
        return self.form.cleaned_data["description"]

    @property
    def results(self):
        return list(self.form.cleaned_data.get("results", []))


@dataclass
class PartnerReport:
    """What a partner's sheet will do: new steps, results to mark achieved, what is already there."""

    errors: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    achievements: list = field(default_factory=list)  # (row, result, date)
    ticks: list = field(default_factory=list)  # (row, planned step, its StepForm, checked)
    unchanged: int = 0
    notes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


def read_partner_sheet(content, filename, plan, user, organisation):
    """Check a partner's sheet row by row. A row about an action the person may not record steps on (not
    their organisation's) is refused; each step is checked by the step page's form (suivi.forms.StepForm),
    each achievement by the result's own rules; nothing is written here (see save_partner_sheet)."""
    dataset = read_dataset(content, filename)
    headers = [partner_column(header) for header in dataset.headers]
    report = PartnerReport()
    seen = {header: index for index, header in reversed(list(enumerate(headers))) if header}
    missing = [str(PARTNER_HEADERS[column]) for column in PARTNER_REQUIRED if column not in seen]
    if missing:
        report.errors.append(RowError(1, "", _("colonnes manquantes : %(list)s.") % {"list": ", ".join(missing)}))
        return report
    letters = {column: column_letter(index) for column, index in seen.items()}

    def error(row, column, message):
        report.errors.append(RowError(row, str(PARTNER_HEADERS.get(column, column)), message, letters.get(column, "")))

    actions = {
        action.code: action
        for action in Action.objects.active().filter(plan=plan).select_related("plan", "objective")
        # Each achievement is checked against its plan's years (ExpectedResult.achievement_dates) and its
        # plan's rules: the plan comes with the results rather than once per row.
        .prefetch_related(
            "partner_links", "objective__partner_links", Prefetch("results", ExpectedResult.objects.select_related("plan"))
        )
    }
    theirs = set(partner_actions(plan, organisation).values_list("code", flat=True))
    existing = set(
        Step.objects.filter(action__plan=plan, organisation=organisation)
        .values_list("action__code", "done_on", "description")
    )
    today = timezone.localdate()
    planned_steps = {
        str(planned.pk): planned
        for planned in PlannedStep.objects.filter(action__plan=plan, organisation=organisation)
        .select_related("action__plan").prefetch_related("results")
    }
    for offset, values in enumerate(dataset):
        row = offset + 2
        cells = {column: cell_text(values[index]) if index < len(values) else "" for column, index in seen.items()}
        if not any(cells.get(column) for column in ("resultat", "atteint_le", "etape_date", "etape_description",
                                                     "etape_resultats", "faite_le")):
            continue
        formulas = [column for column, value in cells.items() if value.startswith("=")]
        for column in formulas:
            error(row, column, formula_refused())
        if formulas:
            continue
        cells = {column: unescape(value) for column, value in cells.items()}
        action = actions.get(cells["action"])
        if action is None:
            error(row, "action", _("aucune action %(code)s dans ce plan.") % {"code": cells["action"] or "—"})
            continue
        if action.code not in theirs or not user.has_perm("suivi.add_step", action):
            error(row, "action", _("l’action %(code)s n’est pas une action de votre organisme : ligne refusée.")
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
                    # The result's own rule, as its page checks it (not the whole clean(), which would look
                    # its code up in the database once per row).
                    result.check_achieved_on(achieved_on)
                except ValueError as problem:
                    error(row, "atteint_le", str(problem))
                except ValidationError as problem:
                    error(row, "atteint_le", lowercase_first(" ".join(problem.messages)))
                else:
                    if user.has_perm("suivi.achieve_result", result):
                        report.achievements.append((row, result, achieved_on))
                    else:
                        error(row, "atteint_le", _("vous ne pouvez pas marquer ce résultat atteint."))
            elif result.is_achieved and not cells["atteint_le"]:
                report.notes.append(RowError(row, str(PARTNER_HEADERS["atteint_le"]), _("le résultat %(code)s reste atteint : un import ne "
                                                                  "retire pas une atteinte.") % {"code": result.code},
                                             letters["atteint_le"]))
            elif result.is_achieved:
                report.unchanged += 1

        if cells.get("faite_le"):
            read_tick(row, cells, action, planned_steps, user, report, error)

        if cells["etape_date"] or cells["etape_description"] or cells["etape_resultats"]:
            planned = read_step(row, cells, action, results, user, organisation, error)
            if planned is None:
                continue
            if (action.code, planned.done_on, planned.description) in existing:
                report.unchanged += 1
            else:
                report.steps.append(planned)
    return report


def read_tick(row, cells, action, planned_steps, user, report, error):
    """A planned step marked done in « faite_le » (a date, or « oui » for today): checked as ticking it off
    on the action's page checks it (TickForm, then the step page's form)."""
    planned = planned_steps.get(cells.get("prevue", "").removesuffix(".0"))
    if planned is None or planned.action_id != action.pk:
        error(row, "prevue", _("aucune étape prévue n° %(number)s de votre organisme sur l’action %(code)s.")
              % {"number": cells.get("prevue") or "—", "code": action.code})
        return
    if planned.step_id is not None:
        report.unchanged += 1
        return
    if planned.dropped_at is not None:
        error(row, "faite_le", _("cette étape prévue a été abandonnée : elle ne se coche plus."))
        return
    if not user.has_perm("suivi.tick_planned_step", planned):
        error(row, "faite_le", _("vous ne pouvez pas cocher cette étape prévue."))
        return
    try:
        done_on = timezone.localdate() if cells["faite_le"].casefold() in YES else parse_date(cells["faite_le"])
    except ValueError as problem:
        error(row, "faite_le", str(problem))
        return
    form = TickForm({"done_on": done_on.isoformat()}, planned=planned)
    step_form = form.step_form(user) if form.is_valid() else None
    if not form.is_valid():
        for problems in form.errors.as_data().values():
            for problem in problems:
                error(row, "faite_le", lowercase_first(" ".join(problem.messages)))
        return
    report.ticks.append((row, planned, step_form))


def read_step(row, cells, action, results, user, organisation, error):
    """A step row checked by the step page's form, its errors reported at the row's columns; None if any."""
    done_on = cells["etape_date"]
    if done_on:
        try:
            done_on = parse_date(done_on).isoformat()  # the sheet also reads 31/03/2025
        except ValueError as problem:
            error(row, "etape_date", str(problem))
            return None
    chosen, unknown = [], False
    for code in split_names(cells["etape_resultats"]):
        result = results.get(code) or results.get(f"{action.code}.{code}")
        if result is None:
            error(row, "etape_resultats", _("l’action %(action)s n’a pas de résultat %(code)s.")
                  % {"action": action.code, "code": code})
            unknown = True
        else:
            chosen.append(result.pk)
    data = {"description": cells["etape_description"], "done_on": done_on, "organisation": organisation.pk,
            "results": chosen}
    form = StepForm(data, action=action, user=user)
    if not form.is_valid():
        for name, problems in form.errors.as_data().items():
            for problem in problems:
                if problem.code == "required" and name in STEP_REQUIRED:
                    message = STEP_REQUIRED[name]
                else:
                    message = lowercase_first(" ".join(problem.messages))
                error(row, STEP_COLUMNS.get(name, "action"), message)
        return None
    return None if unknown else StepRow(row, action, form)


@transaction.atomic
def save_partner_sheet(report, user, organisation):
    """Write what a checked partner's sheet describes: steps awaiting the coordination's validation, saved
    by their form as the step page saves one; results marked achieved; then each action's status follows."""
    touched = {}
    for planned in report.steps:
        step = planned.form.save(commit=False)
        step.action, step.author, step.review = planned.action, user, Step.Review.PENDING
        step.save()
        planned.form.save_m2m()
        touched[planned.action.pk] = planned.action
    for _row, planned, step_form in report.ticks:
        planned = PlannedStep.objects.select_for_update().select_related("action").get(pk=planned.pk)
        if planned.is_open:  # ticked on the site since the preview: left as it is
            planned.tick_off(step_form, by=user)
            touched[planned.action_id] = planned.action
    for _row, result, achieved_on in report.achievements:
        result.achieved_on, result.achieved_by = achieved_on, user
        result.save(update_fields=["achieved_on", "achieved_by"])
        touched[result.action_id] = result.action
    for action in touched.values():
        action.refresh_status()
