"""A row's history as people read it, from django-simple-history: who changed it, when, and each field's
value before and after (simple-history's `diff_against`), with the fields' French names and values as
people write them: a choice's label, « Oui »/« Non », a date as « 1er avril 2025 », a related item by its
code or name (never its internal number). The plan's activity log (plans.activity) reads values here too."""

import datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.translation import gettext as _

from lib import french


class Change(NamedTuple):
    field: str
    old: object
    new: object


def readable(field, value, related=None, person=str):
    """A stored value as a person reads it. `related` maps a foreign key's stored ids to their objects
    (read once for a whole history, see `related_objects`); `person` names an account (the apps above pass
    partners' `name_of_person`, which names no erased person)."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return " · ".join(str(item) for item in value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, Model):  # an object already (a version shown beside a refused save)
        return person(value) if isinstance(value, get_user_model()) else str(value)
    if field.is_relation:
        item = (related or {}).get((field.name, value))
        if item is None:
            return _("élément supprimé")
        return person(item) if field.related_model is get_user_model() else str(item)
    if isinstance(value, datetime.datetime):
        return french.date(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return french.date(value)
    return value


def related_objects(fields, records):
    """{(field name, id): object} for every foreign key value these records hold: one query per field."""
    found = {}
    for field in fields:
        if not field.is_relation:
            continue
        ids = {getattr(record, field.attname) for record in records} - {None}
        if ids:
            model = field.related_model
            for item in model._base_manager.filter(pk__in=ids):
                found[(field.name, item.pk)] = item
    return found


def history_entries(instance, hidden=("id",), person=str):
    """The history of `instance`, newest first: each record with its changes. The first record (the
    creation, or the oldest kept) lists every value."""
    records = list(instance.history.select_related("history_user").order_by("history_date", "history_id"))
    if not records:
        return []
    fields = [field for field in records[0].tracked_fields if field.name not in hidden]
    names = [field.name for field in fields]
    by_name = {field.name: field for field in fields}
    related = related_objects(fields, records)
    entries, previous = [], None
    for record in records:
        if previous is None:
            changes = [
                Change(field.verbose_name, None, readable(field, getattr(record, field.attname), related, person))
                for field in fields
            ]
        else:
            delta = record.diff_against(previous, included_fields=names)
            changes = [
                Change(
                    by_name[change.field].verbose_name,
                    readable(by_name[change.field], stored(previous, by_name[change.field]), related, person),
                    readable(by_name[change.field], stored(record, by_name[change.field]), related, person),
                )
                for change in sorted(delta.changes, key=lambda change: names.index(change.field))
            ]
        entries.append({"record": record, "changes": changes})
        previous = record
    return entries[::-1]


def stored(record, field):
    """The value a history record holds for `field`: a foreign key's id, not the object (which may be gone)."""
    return getattr(record, field.attname)
