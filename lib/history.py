"""A row's history as people read it, from django-simple-history: who changed it, when, and each field's
value before and after (simple-history's `diff_against`), with the fields' French names and the labels of
their choices."""

from typing import NamedTuple


class Change(NamedTuple):
    field: str
    old: object
    new: object


def readable(field, value):
    """A stored value as a person reads it: a choice's label, lists (values, follow-up) one after the other."""
    if isinstance(value, list):
        return " · ".join(str(item) for item in value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def history_entries(instance, hidden=("id",)):
    """The history of `instance`, newest first: each record with its changes. The first record (the
    creation, or the oldest kept) lists every value."""
    records = list(instance.history.select_related("history_user").order_by("history_date", "history_id"))
    if not records:
        return []
    fields = [field for field in records[0].tracked_fields if field.name not in hidden]
    names = [field.name for field in fields]
    by_name = {field.name: field for field in fields}
    entries, previous = [], None
    for record in records:
        if previous is None:
            changes = [Change(field.verbose_name, None, readable(field, getattr(record, field.attname))) for field in fields]
        else:
            delta = record.diff_against(previous, included_fields=names)
            changes = [
                Change(by_name[change.field].verbose_name, readable(by_name[change.field], change.old),
                       readable(by_name[change.field], change.new))
                for change in sorted(delta.changes, key=lambda change: names.index(change.field))
            ]
        entries.append({"record": record, "changes": changes})
        previous = record
    return entries[::-1]
