"""Files for the spreadsheet tests, and the state of the database to check that nothing was written."""

import csv
import io

import tablib

from partners.models import Organisation
from plans.models import Action, ActionPartner, Axis, ExpectedResult, Objective, ObjectivePartner, Plan
from suivi.models import Step

HEADERS = ["axe", "axe_titre", "objectif", "objectif_titre", "action", "action_texte", "resultat", "resultat_texte",
           "partenaires", "annee_reference"]
ROW = ["1", "Axe un", "1.1", "Objectif un", "1.1.1", "Action un", "1.1.1.1", "Résultat un", "ALL", "2024-2026"]


def xlsx(rows, headers=HEADERS):
    return tablib.Dataset(*rows, headers=headers).export("xlsx")


def csv_bytes(rows, headers=HEADERS, delimiter=",", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def row(**changes):
    values = dict(zip(HEADERS, ROW))
    values.update(changes)
    return [values[header] for header in HEADERS]


def database_state():
    """Counts of everything an import may write, and the texts of the plans' items."""
    models = [Plan, Axis, Objective, Action, ExpectedResult, Organisation, ObjectivePartner, ActionPartner, Step]
    counts = tuple(model.objects.count() for model in models)
    texts = tuple(Action.objects.order_by("pk").values_list("code", "text", "period_start", "status"))
    results = tuple(ExpectedResult.objects.order_by("pk").values_list("code", "text", "achieved_on"))
    return counts, texts, results
